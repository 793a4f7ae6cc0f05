from datetime import date

from qa import Answer, Citation
from ui.render import answer_html, highlight

QUOTE = "The group was led by <b>Milan</b> & co."


def citation(**kw):
    base = dict(
        article_id="a",
        title="Title <script>",
        published=date(2023, 11, 14),
        start=10,
        end=10 + len(QUOTE),
        quote=QUOTE,
        answer_start=31,
        answer_end=43,
    )
    base.update(kw)
    return Citation(**base)


def test_answer_span_is_highlighted_and_article_text_escaped():
    html = highlight(citation())
    assert html == "The group was led by <mark>&lt;b&gt;Milan&lt;/b&gt;</mark> &amp; co."


def test_whole_reply_shows_title_date_quote_and_paragraph():
    html = answer_html(Answer("q", "<b>Milan</b>", 0.9, (citation(),)), ["Para <i>graph</i> around."])
    assert "<mark>" in html and "2023-11-14" in html and "Title &lt;script&gt;" in html
    assert "<script>" not in html and "<i>graph" not in html
    assert "<details>" in html and "<sup>[1]</sup>" in html


def test_abstention_shows_no_citation():
    html = answer_html(Answer("q", None, 0.1, (), "no passage is close"))
    assert "do not say" in html and "blockquote" not in html
