"""The chat's work behind its widgets: filters from the form, answers streamed from a worker
thread, the library's rows. Presents qa's results; holds no model code."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from datetime import date
from html import escape
from typing import Any

from qa import FAQ_PRECOMPUTE_MAX_ARTICLES, Answer, ArticleFilter, CiteqaError, Pipeline, faq
from ui.render import progress_html
from ui.shapes import reply_html

# Earlier turns given to the follow-up rewriter.
HISTORY_TURNS = 3


def parse_day(value: str, label: str) -> date | None:
    """A ``YYYY-MM-DD`` field, or None when empty; ValueError naming the field otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"the '{label}' date must look like 2023-11-14, not {value!r}") from None


def make_filter(article_ids: list[str] | None, since: str, until: str) -> ArticleFilter | None:
    where = ArticleFilter(
        frozenset(article_ids) if article_ids else None, parse_day(since, "from"), parse_day(until, "to")
    )
    return where if where.active else None


def paragraphs_for(pipeline: Pipeline, result: Answer) -> list[str | None]:
    out: list[str | None] = []
    for citation in result.citations:
        start, end = pipeline.paragraph(citation)
        out.append(pipeline.article(citation.article_id).text[start:end])
    return out


def stream_answer(
    pipeline: Pipeline,
    question: str,
    history: list[tuple[str, str | None]],
    where: ArticleFilter | None,
) -> Iterator[tuple[str, Answer | None]]:
    """Yield ``(html, None)`` while working (stages, then the answer as it is produced), then ``(html, answer)``.

    The answer is computed on a worker thread, so a slow step never blocks the event loop.
    """
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def work() -> None:
        try:
            result = pipeline.answer(
                question,
                where=where,
                history=history[-HISTORY_TURNS:],
                progress=lambda stage, detail: events.put((stage, detail)),
            )
            events.put(("done", result))
        except (CiteqaError, ValueError) as err:
            events.put(("error", err))
        except Exception as err:
            events.put(("error", RuntimeError(f"something went wrong: {err}")))
            raise

    threading.Thread(target=work, daemon=True, name="citeqa-answer").start()
    while True:
        stage, payload = events.get()
        if stage == "done":
            yield reply_html(payload, paragraphs_for(pipeline, payload)), payload
            return
        if stage == "error":
            yield f"<p><strong>Sorry:</strong> {escape(str(payload))}</p>", None
            return
        yield progress_html(stage, str(payload)), None


def library_rows(pipeline: Pipeline) -> list[list[Any]]:
    return [
        [a.title, a.published.isoformat() if a.published else "", f"{len(a.text) - a.body_start:,}", a.id]
        for a in pipeline.articles()
    ]


def said(result: Answer) -> str | None:
    """What an answer said, for the conversation a follow-up is read against: a yes/no's verdict
    with the clause that settled it ("Who?" leans on the clause, not on a bare "Yes")."""
    if result.verdict is not None and result.parts:
        return f"{result.text}: {result.parts[0].text}"
    return result.text


def precompute_faqs(pipeline: Pipeline) -> threading.Thread | None:
    """Make the FAQ of every article in the background, for corpora small enough to do it up front."""
    articles = pipeline.articles()
    if len(articles) > FAQ_PRECOMPUTE_MAX_ARTICLES:
        return None

    def work() -> None:
        for article in articles:
            try:
                faq(pipeline, article.id)
            except CiteqaError:
                continue

    thread = threading.Thread(target=work, daemon=True, name="citeqa-faq")
    thread.start()
    return thread
