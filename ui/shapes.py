"""HTML for an answer in its shape: a yes/no verdict, a list's bullets, a summary's or an
explanation's short paragraph, each part followed by the markers that open its spans. Article
text is escaped before any markup is added, and its line breaks are folded into spaces, so a
blank line in an article cannot end the HTML block that the chat's Markdown reads it in.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa import Answer, Citation
from ui.render import answer_html, citation_html, cite_link, escape, rewritten_html

# Styles for the shapes, added to the chat's own CSS.
SHAPES_CSS = """
.citeqa-verdict { font-size: 1.35em; margin-right: 6px; }
.citeqa-verdict.citeqa-no { color: #a12622; }
.citeqa-verdict.citeqa-yes { color: #1d6b2f; }
.citeqa-list ul { margin: 4px 0 4px 1.2em; }
.citeqa-date { color: #666; font-size: 0.85em; }
.citeqa-time { color: #555; margin: 0; }
"""

# Kinds whose many citations repeat the parts shown above them: their quotes start folded away.
_FOLDED_SOURCES = ("summary", "list")


def time_read(answer: Answer) -> str:
    """How the question's time words were read, as plain text ("" when it had none), e.g.
    ``“the latest”: newest first, as of 2023-11-14`` or ``“last week”: 2023-11-06 to 2023-11-12, as of
    2023-11-14``."""
    scope = answer.time
    if scope is None:
        return ""
    since = scope.since.isoformat() if scope.since else None
    until = scope.until.isoformat() if scope.until else None
    if since and until:
        read = [since if since == until else f"{since} to {until}"]
    elif since or until:
        read = [f"from {since}" if since else f"up to {until}"]
    else:
        read = []
    if scope.newest_first:
        read.append("newest first")
    if scope.today:
        read.append(f"as of {scope.today.isoformat()}")
    return f"“{scope.phrase}”: {', '.join(read) or 'no dates'}"


def _shown(text: str) -> str:
    return escape(" ".join(text.split()))


def _markers(citations: Sequence[Citation], first: int, dated: bool) -> str:
    """The links ``[first]``, ``[first+1]``, ... that open each citation, with its date when ``dated``."""
    out = []
    for i, c in enumerate(citations, start=first):
        day = c.published.isoformat() if c.published else "undated"
        when = f' <span class="citeqa-date">{day}</span>' if dated else ""
        out.append(f'<sup><a class="citeqa-open" href="{escape(cite_link(c))}">[{i}]</a>{when}</sup>')
    return "".join(out)


def _parts(answer: Answer, dated: bool) -> list[str]:
    """Each part's text (escaped) followed by its markers, numbered across the answer."""
    shown, n = [], 1
    for part in answer.parts:
        text = _shown(part.text)
        if part.worded:
            text = f'<span class="citeqa-worded">{text}</span>'
        shown.append(text + _markers(part.citations, n, dated))
        n += len(part.citations)
    return shown


def _body(answer: Answer, dated: bool) -> str:
    confidence = f" <small>(confidence {answer.score:.2f})</small>"
    if not answer.parts:  # a factoid read with time words: the span, its dated markers
        return (
            f'<p class="citeqa-answer"><strong>{escape(answer.text or "")}</strong>'
            f"{_markers(answer.citations, 1, dated)}{confidence}</p>"
        )
    parts = _parts(answer, dated)
    if answer.verdict is not None:
        word, kind = ("Yes", "citeqa-yes") if answer.verdict else ("No", "citeqa-no")
        return (
            f'<p class="citeqa-answer citeqa-yesno"><strong class="citeqa-verdict {kind}">{word}</strong> '
            f"{' '.join(parts)}{confidence}</p>"
        )
    if answer.kind == "list":
        items = "".join(f"<li>{item}</li>" for item in parts)
        return f'<div class="citeqa-answer citeqa-list"><ul>{items}</ul>{confidence}</div>'
    kind = "citeqa-explanation" if answer.kind == "explanation" else "citeqa-summary"
    return f'<p class="citeqa-answer {kind}">{" ".join(parts)}{confidence}</p>'


def reply_html(answer: Answer, paragraphs: Sequence[str | None] | None = None) -> str:
    """The whole reply in the answer's shape, then its citations, numbered as its markers are.

    A factoid without time words and an abstention are shown as :func:`ui.render.answer_html`
    shows them. An answer read with time words shows each cited article's date beside its
    marker and a line saying how the time was read.
    """
    if answer.abstained or (not answer.parts and answer.time is None):
        return answer_html(answer, paragraphs)
    dated = answer.time is not None
    body = [rewritten_html(answer), _body(answer, dated)]
    if dated:
        body.append(f'<p class="citeqa-time"><small>Time read as {escape(time_read(answer))}</small></p>')
    paragraphs = paragraphs or [None] * len(answer.citations)
    cited = [citation_html(i, c, p) for i, (c, p) in enumerate(zip(answer.citations, paragraphs, strict=False), 1)]
    if answer.kind in _FOLDED_SOURCES:
        summary = f"<summary>Quotes ({len(cited)})</summary>"
        body.append(f'<details class="citeqa-sources">{summary}{"".join(cited)}</details>')
    else:
        body += cited
    return "".join(body)
