"""HTML for answers and citations. Article text is escaped before any markup is added."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from qa import Answer, Citation

NO_ANSWER_TEXT = "The articles do not say."


def highlight(citation: Citation) -> str:
    """The citation's quote as HTML, with the answer span (if any) inside ``<mark>``."""
    quote = citation.quote
    if citation.answer_start is None or citation.answer_end is None:
        return escape(quote)
    a = citation.answer_start - citation.start
    b = citation.answer_end - citation.start
    if not (0 <= a <= b <= len(quote)) or a == b or (a == 0 and b == len(quote)):
        return escape(quote)
    return f"{escape(quote[:a])}<mark>{escape(quote[a:b])}</mark>{escape(quote[b:])}"


def citation_html(number: int, citation: Citation, paragraph: str | None = None) -> str:
    """One citation: title, date, the highlighted quote, and the paragraph on expand."""
    date = citation.published.isoformat() if citation.published else "undated"
    parts = [
        f'<div class="citeqa-citation" data-article="{escape(citation.article_id)}" '
        f'data-start="{citation.start}" data-end="{citation.end}">',
        f"<p><strong>[{number}] {escape(citation.title)}</strong> · <em>{date}</em> · "
        f"characters {citation.start}–{citation.end}</p>",
        f"<blockquote>{highlight(citation)}</blockquote>",
    ]
    if paragraph and paragraph != citation.quote:
        parts.append(f"<details><summary>Surrounding paragraph</summary><p>{escape(paragraph)}</p></details>")
    parts.append("</div>")
    return "".join(parts)


def answer_html(answer: Answer, paragraphs: Sequence[str | None] | None = None) -> str:
    """The whole reply: the short answer with citation markers, then each citation."""
    if answer.abstained:
        return f"<p><strong>{NO_ANSWER_TEXT}</strong></p><p><small>{escape(answer.reason)}</small></p>"
    markers = "".join(f"<sup>[{i}]</sup>" for i in range(1, len(answer.citations) + 1))
    body = [
        f"<p><strong>{escape(answer.text or '')}</strong>{markers} <small>(confidence {answer.score:.2f})</small></p>"
    ]
    paragraphs = paragraphs or [None] * len(answer.citations)
    for i, (citation, paragraph) in enumerate(zip(answer.citations, paragraphs, strict=False), start=1):
        body.append(citation_html(i, citation, paragraph))
    return "".join(body)
