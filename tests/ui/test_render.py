from datetime import date

import pytest

from qa import Answer, Citation
from ui.render import answer_html, article_html, cite_link, highlight, parse_cite_link, progress_html

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
    html = answer_html(
        Answer(question="q", text="<b>Milan</b>", score=0.9, citations=(citation(),)), ["Para <i>graph</i> around."]
    )
    assert "<mark>" in html and "2023-11-14" in html and "Title &lt;script&gt;" in html
    assert "<script>" not in html and "<i>graph" not in html
    assert "<details>" in html and '">[1]</a></sup>' in html


def test_abstention_shows_no_citation():
    html = answer_html(Answer(question="q", text=None, score=0.1, reason="no passage is close"))
    assert "do not say" in html and "blockquote" not in html


def test_cite_link_round_trips_odd_article_ids():
    c = citation(article_id="2024/a|b c:d")
    assert parse_cite_link(cite_link(c)) == ("2024/a|b c:d", c.start, c.end, 31, 43)
    assert parse_cite_link(cite_link(citation(answer_start=None, answer_end=None)))[3:] == (None, None)
    with pytest.raises(ValueError, match="not a citation link"):
        parse_cite_link("#cite:only|three|parts")


def test_article_panel_marks_the_cited_span_and_bolds_the_answer():
    text = "date 2023-11-14 First <sentence>. The group was led by Milan. Last one."
    start = text.index("The group")
    end = text.index("Last") - 1
    a = text.index("Milan")
    html = article_html("T", "2023-11-14", text, 16, start, end, a, a + 5)
    assert '<mark id="citeqa-target" class="citeqa-cited">The group was led by <strong>Milan</strong>.</mark>' in html
    assert "date 2023" not in html and "&lt;sentence&gt;" in html
    with pytest.raises(ValueError, match="outside the article"):
        article_html("T", "", text, 16, 0, 5)


def test_abstention_lists_the_passages_it_looked_at():
    html = answer_html(
        Answer(
            question="q",
            text=None,
            score=0.1,
            reason="too uncertain",
            considered=(citation(answer_start=None, answer_end=None),),
        )
    )
    assert "do not say" in html and "Closest passages" in html and "<blockquote>" in html and "<mark>" not in html


def test_progress_escapes_the_partial_answer():
    assert "&lt;b&gt;" in progress_html("answer", "<b>")
    assert "Searching" in progress_html("searching", "q")


def test_citation_shows_headline_outlet_and_an_escaped_open_original_link():
    from qa import StoryVersion

    c = citation(
        title="Bridge reopens",
        site="Gazette <b>",
        url="https://gazette.example/a?x=1&y=<2>",
        also_in=(
            StoryVersion(article_id="b", title="Wire copy", site="Arno Post", url="https://post.example/b"),
            StoryVersion(article_id="c", title="Other", site="", url="javascript:alert(1)"),
        ),
    )
    html = answer_html(Answer(question="q", text="Milan", score=0.9, citations=(c,)))
    assert "[1] Bridge reopens</a>" in html and "Gazette &lt;b&gt; · " in html
    assert "https://gazette.example/a?x=1&amp;y=&lt;2&gt;" not in html  # '<' in a URL: not linked at all
    assert 'href="https://post.example/b" target="_blank" rel="noopener noreferrer nofollow">Arno Post</a>' in html
    assert "javascript:" not in html and "Other" in html  # an unsafe link is shown as plain text
    linked = answer_html(
        Answer(question="q", text="M", score=0.9, citations=(citation(url="https://g.example/a?x=1&y=2"),))
    )
    assert '<a class="citeqa-original" href="https://g.example/a?x=1&amp;y=2"' in linked and "open original" in linked


def test_only_http_links_are_made():
    from ui.render import original_link, safe_url

    for bad in (
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "http://",
        "https://a b",
        "//x.example",
        "",
    ):
        assert safe_url(bad) is None and original_link(bad) == ""
    assert safe_url("HTTPS://Example.org/path") == "HTTPS://Example.org/path"


def test_article_panel_links_the_original():
    text = "First sentence. The group was led by Milan."
    html = article_html("T", "2023-11-14", text, 0, 16, len(text), url="https://x.example/a", site="X News")
    assert "X News · <em>2023-11-14</em>" in html and 'href="https://x.example/a"' in html
    assert "open original" not in article_html("T", "", text, 0, 16, len(text), url="javascript:x")
