"""HTML for answers, citations and articles. Article text is escaped before any markup is added."""

from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import quote as url_quote
from urllib.parse import unquote, urlsplit

from qa import Answer, Citation

NO_ANSWER_TEXT = "The articles do not say."
CITE_LINK_PREFIX = "#cite:"


def escape(text: str) -> str:
    """``text`` as HTML text: markup characters escaped, line breaks as character references.

    The chat reads each message as Markdown, and an HTML block there ends at a blank line (a lone
    ``\\r`` is a line end to it, so ``\\r\\r`` is one): after it, article text like
    ``![x](http://...)`` would become an image that loads. With no raw line break in the markup,
    the whole reply stays one HTML block, shown as written; ``&#10;`` is still a line break
    wherever whitespace is kept (the article panel).
    """
    return html.escape(text).replace("\r", "&#13;").replace("\n", "&#10;")


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


def cite_link(citation: Citation) -> str:
    """The link target that opens a citation in the article panel (read back by :func:`parse_cite_link`)."""
    fields = [citation.article_id, citation.start, citation.end, citation.answer_start, citation.answer_end]
    return CITE_LINK_PREFIX + "|".join(url_quote(str("" if f is None else f), safe="") for f in fields)


def parse_cite_link(link: str) -> tuple[str, int, int, int | None, int | None]:
    """``(article_id, start, end, answer_start, answer_end)`` from a :func:`cite_link` target.

    Raises:
        ValueError: The link is not one that :func:`cite_link` makes.
    """
    if not link.startswith(CITE_LINK_PREFIX):
        raise ValueError(f"not a citation link: {link!r}")
    parts = [unquote(p) for p in link[len(CITE_LINK_PREFIX) :].split("|")]
    if len(parts) != 5:
        raise ValueError(f"not a citation link: {link!r}")
    article_id, start, end, a, b = parts
    return article_id, int(start), int(end), int(a) if a else None, int(b) if b else None


def _when(citation: Citation) -> str:
    return citation.published.isoformat() if citation.published else "undated"


def safe_url(url: str) -> str | None:
    """``url`` when it is a plain http(s) address that may be linked (no ``javascript:``, no spaces), else None."""
    if not url or any(c.isspace() or ord(c) < 32 or c in "<>\"'`\\" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def original_link(url: str, label: str = "open original") -> str:
    """A link to an article's original address, opened in a new tab; "" when the URL is not http(s)."""
    safe = safe_url(url)
    if safe is None:
        return ""
    return (
        f'<a class="citeqa-original" href="{escape(safe)}" target="_blank" rel="noopener noreferrer nofollow">'
        f"{escape(label)}</a>"
    )


def _also_in(citation: Citation) -> str:
    if not citation.also_in:
        return ""
    items = []
    for version in citation.also_in:
        label = version.site or version.title
        when = f" ({version.published.isoformat()})" if version.published else ""
        link = original_link(version.url, label)
        items.append((link or escape(label)) + when)
    return f'<p class="citeqa-also"><small>Same story also in: {", ".join(items)}</small></p>'


def citation_html(number: int, citation: Citation, paragraph: str | None = None) -> str:
    """One citation: the headline (a link that opens the article), outlet, date, a link to the
    original, the highlighted quote, the other outlets of the story, the paragraph on expand."""
    site = f"{escape(citation.site)} · " if citation.site else ""
    original = original_link(citation.url)
    parts = [
        f'<div class="citeqa-citation" id="citeqa-cite-{number}">',
        f'<p><a class="citeqa-open" href="{escape(cite_link(citation))}" title="Open the article at this quote">'
        f"[{number}] {escape(citation.title)}</a> · {site}<em>{_when(citation)}</em> · "
        f"characters {citation.start}–{citation.end}" + (f" · {original}" if original else "") + "</p>",
        f"<blockquote>{highlight(citation)}</blockquote>",
        _also_in(citation),
    ]
    if paragraph and paragraph != citation.quote:
        parts.append(f"<details><summary>Surrounding paragraph</summary><p>{escape(paragraph)}</p></details>")
    parts.append("</div>")
    return "".join(parts)


def rewritten_html(answer: Answer) -> str:
    if not answer.standalone_question:
        return ""
    return f'<p class="citeqa-rewritten"><small>Searched for: “{escape(answer.standalone_question)}”</small></p>'


def answer_html(answer: Answer, paragraphs: Sequence[str | None] | None = None) -> str:
    """The whole reply: the short answer with citation markers, then each citation.

    An abstention says so plainly and lists the passages it looked at, so a person can judge.
    """
    if answer.abstained:
        body = [
            rewritten_html(answer),
            f'<p class="citeqa-abstained"><strong>{NO_ANSWER_TEXT}</strong></p>',
            f"<p><small>{escape(answer.reason)}</small></p>",
        ]
        if answer.considered:
            body.append("<p><small>Closest passages it looked at:</small></p>")
            body += [citation_html(i, c) for i, c in enumerate(answer.considered, start=1)]
        return "".join(body)
    markers = "".join(
        f'<sup><a class="citeqa-open" href="{escape(cite_link(c))}">[{i}]</a></sup>'
        for i, c in enumerate(answer.citations, start=1)
    )
    body = [
        rewritten_html(answer),
        f'<p class="citeqa-answer"><strong>{escape(answer.text or "")}</strong>{markers} '
        f"<small>(confidence {answer.score:.2f})</small></p>",
    ]
    paragraphs = paragraphs or [None] * len(answer.citations)
    for i, (citation, paragraph) in enumerate(zip(answer.citations, paragraphs, strict=False), start=1):
        body.append(citation_html(i, citation, paragraph))
    return "".join(body)


def progress_html(stage: str, detail: str) -> str:
    """What the chat shows while it works: the stage, or the answer so far with a cursor."""
    if stage == "answer":
        return f'<p class="citeqa-streaming"><strong>{escape(detail)}</strong>▍</p>'
    labels = {
        "rewriting": "Reading the conversation to understand the follow-up…",
        "searching": "Searching the articles…",
        "reading": f"Reading the best {escape(detail)}…",
    }
    return f'<p class="citeqa-progress"><em>{labels.get(stage, escape(stage))}</em></p>'


def article_html(
    title: str,
    published: str,
    text: str,
    body_start: int,
    start: int,
    end: int,
    answer_start: int | None = None,
    answer_end: int | None = None,
    *,
    url: str = "",
    site: str = "",
) -> str:
    """A whole article for the side panel, the cited span in ``<mark id="citeqa-target">``, the answer in
    bold, and its outlet and a link to the original when known."""
    if not (body_start <= start <= end <= len(text)):
        raise ValueError(f"span {start}–{end} is outside the article (body {body_start}–{len(text)})")
    inner = escape(text[start:end])
    if answer_start is not None and answer_end is not None and start <= answer_start < answer_end <= end:
        inner = (
            escape(text[start:answer_start])
            + f"<strong>{escape(text[answer_start:answer_end])}</strong>"
            + escape(text[answer_end:end])
        )
    body = (
        escape(text[body_start:start].lstrip())
        + f'<mark id="citeqa-target" class="citeqa-cited">{inner}</mark>'
        + escape(text[end:])
    )
    original = original_link(url)
    return (
        f'<div class="citeqa-article"><h3>{escape(title)}</h3><p>'
        + (f"{escape(site)} · " if site else "")
        + f"<em>{escape(published)}</em> · cited characters {start}–{end}"
        + (f" · {original}" if original else "")
        + "</p>"
        f'<div class="citeqa-article-body">{body}</div></div>'
    )
