"""Copied Markdown carries hostile article text inert: no raw HTML, no links or images of its own."""

from __future__ import annotations

import markdown_it
import pytest

from qa.types import Answer, Citation

HOSTILE = [
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "![pixel](https://tracker.example/p.gif)",
    "<script>alert(1)</script>",
    "<a href='javascript:alert(1)'>x</a>",
    "[ref]: javascript:alert(1)",
]


def _rendered(markdown: str) -> str:
    # CommonMark with raw HTML allowed, as a paste target that trusts its Markdown would render it.
    return markdown_it.MarkdownIt("commonmark", {"html": True}).render(markdown)


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_in_every_field_renders_inert(payload):
    quote = f"The council said {payload} on Monday."
    c = Citation(article_id="a`<b>", title=f"Title {payload}", published=None, start=0, end=len(quote), quote=quote)
    for answer in (
        Answer(question=f"Who {payload}?", text=f"Olsen {payload}", score=0.9, citations=(c,)),
        Answer(question=f"Who {payload}?", text=None, score=0.1, reason=f"why {payload}"),
    ):
        html = _rendered(answer.to_markdown())
        assert "<img" not in html and "<script" not in html and "<a " not in html, html
        assert 'href="' not in html and 'src="' not in html, "no link or image of the article's own survives"


def test_the_text_itself_still_reads_as_written():
    quote = "Prices rose 5% [est.] & fell <3 times> on a*b."
    c = Citation(article_id="a", title="T", published=None, start=0, end=len(quote), quote=quote)
    html = _rendered(Answer(question="q?", text="5%", score=0.9, citations=(c,)).to_markdown())
    assert "Prices rose 5% [est.] &amp; fell &lt;3 times&gt;" in html
