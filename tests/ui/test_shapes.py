"""The chat's HTML for each answer shape, from answers built by hand (no models)."""

import re
from datetime import date
from html.parser import HTMLParser

from qa import Answer, Citation
from tests import shaped
from tests.shaped import composed
from ui.render import answer_html, parse_cite_link
from ui.shapes import reply_html, time_read

TEXT = (
    "Troops left the border on Monday. A police officer was killed in the ambush. "
    "Serbia, Kosovo and the US held talks. <img src=x onerror=alert(1)> was\n\n![seen](http://198.51.100.7/a.png) here."
)


def cite(sentence: str, span: str | None = None, **kw) -> Citation:
    return shaped.cite(TEXT, sentence, span, **kw)


class Tags(HTMLParser):
    """The elements of an HTML fragment, in order."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


SHAPE_TAGS = set("p strong sup a div ul li small details summary em blockquote mark span".split())


def marker_links(html: str) -> list[tuple[str, str]]:
    """``(number, href)`` of each marker (a ``<sup>`` link) in the order shown."""
    return re.findall(r'<sup><a class="citeqa-open" href="([^"]+)">\[(\d+)\]</a>', html)


SENT = {
    "troops": "Troops left the border on Monday.",
    "killed": "A police officer was killed in the ambush.",
    "talks": "Serbia, Kosovo and the US held talks.",
}


def test_yes_no_shows_the_verdict_then_the_settling_span_and_its_marker():
    c = cite(SENT["killed"], "A police officer was killed")
    html = reply_html(composed("yes/no", [("A police officer was killed", [c])], verdict=True))
    answer = re.search(r'<p class="citeqa-answer citeqa-yesno">(.*?)</p>', html).group(1)
    assert answer.startswith('<strong class="citeqa-verdict citeqa-yes">Yes</strong> A police officer was killed<sup>')
    ((href, number),) = marker_links(answer)
    assert number == "1" and parse_cite_link(href) == ("a", c.start, c.end, c.answer_start, c.answer_end)
    no = reply_html(composed("yes/no", [("A police officer was killed", [c])], verdict=False))
    assert '<strong class="citeqa-verdict citeqa-no">No</strong>' in no and ">Yes<" not in no


def test_list_items_are_bullets_each_with_its_own_marker():
    cs = [cite(SENT["talks"], name) for name in ("Serbia", "Kosovo", "US")]
    html = reply_html(composed("list", [(c.quote[c.answer_start - c.start : c.answer_end - c.start], [c]) for c in cs]))
    items = re.findall(r"<li>(.*?)</li>", html)
    assert [re.sub(r"<sup>.*", "", i) for i in items] == ["Serbia", "Kosovo", "US"]
    for n, (item, c) in enumerate(zip(items, cs, strict=True), start=1):
        ((href, number),) = marker_links(item)
        assert number == str(n) and parse_cite_link(href)[3:] == (c.answer_start, c.answer_end)
    assert '<details class="citeqa-sources"><summary>Quotes (3)</summary>' in html


def test_summary_is_one_paragraph_with_markers_numbered_across_its_parts():
    troops, killed, talks = (cite(s) for s in SENT.values())
    html = reply_html(composed("summary", [(troops.quote, [troops]), (killed.quote, [killed, talks])]))
    paragraph = re.search(r'<p class="citeqa-answer citeqa-summary">(.*?)</p>', html).group(1)
    links = marker_links(paragraph)
    assert [n for _, n in links] == ["1", "2", "3"]
    assert [parse_cite_link(h)[1] for h, _ in links] == [troops.start, killed.start, talks.start]
    # Each marker follows its own part: the second part's text sits between markers 1 and 2.
    assert paragraph.index(SENT["troops"]) < paragraph.index("[1]") < paragraph.index(SENT["killed"])
    assert paragraph.index(SENT["killed"]) < paragraph.index("[2]")
    # The citations below are numbered as the markers are.
    assert re.findall(r'id="citeqa-cite-(\d+)"', html) == ["1", "2", "3"]
    explained = reply_html(composed("explanation", [(troops.quote, [troops])]))
    assert '<p class="citeqa-answer citeqa-explanation">' in explained and "<details class" not in explained


def test_time_aware_answers_date_each_marker_and_say_how_the_time_was_read():
    from qa.types import TimeScope

    old = cite(SENT["troops"], published=date(2023, 11, 2))
    new = cite(SENT["killed"], article_id="b", published=None)
    scope = TimeScope(phrase="the latest", today=date(2023, 11, 14), newest_first=True)
    html = reply_html(composed("summary", [(old.quote, [old]), (new.quote, [new])], time=scope))
    assert re.findall(r'\]</a> <span class="citeqa-date">([^<]+)</span></sup>', html) == ["2023-11-02", "undated"]
    assert "Time read as “the latest”: newest first, as of 2023-11-14" in html
    # A factoid with time words: dated markers too; one without keeps the factoid reply as it was.
    factoid = Answer(question="q", text="Monday", score=0.9, citations=(cite(SENT["troops"], "Monday"),))
    assert reply_html(factoid) == answer_html(factoid)
    timed = Answer(question="q", text="Monday", score=0.9, citations=factoid.citations, time=scope)
    assert '[1]</a> <span class="citeqa-date">2023-11-14</span>' in reply_html(timed)


def test_time_read_names_the_bounds():
    from qa.types import TimeScope

    day = date(2023, 11, 14)
    cases = {
        TimeScope(phrase="last week", today=day, since=date(2023, 11, 6), until=date(2023, 11, 12)): (
            "“last week”: 2023-11-06 to 2023-11-12, as of 2023-11-14"
        ),
        TimeScope(phrase="on 2 November", today=None, since=date(2023, 11, 2), until=date(2023, 11, 2)): (
            "“on 2 November”: 2023-11-02"
        ),
        TimeScope(phrase="before the vote", today=None, until=date(2023, 11, 1)): "“before the vote”: up to 2023-11-01",
        TimeScope(phrase="since 2009", today=None, since=date(2009, 1, 1)): "“since 2009”: from 2009-01-01",
        TimeScope(phrase="recently", today=None): "“recently”: no dates",
    }
    assert {time_read(Answer(question="q", text="x", score=1, time=s)): s for s in cases} == {
        v: s for s, v in cases.items()
    }
    assert time_read(Answer(question="q", text="x", score=1)) == ""


def test_article_markup_in_a_part_is_text_and_cannot_end_the_html_block():
    hostile = TEXT[TEXT.index("<img") :]
    c = Citation(article_id="a", title="T", published=None, start=TEXT.index("<img"), end=len(TEXT), quote=hostile)
    for kind, verdict in (("summary", None), ("list", None), ("yes/no", True)):
        html = reply_html(composed(kind, [(hostile, [c])], verdict=verdict))
        assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
        # A blank line would let Markdown read the image (the quotes below are render.highlight's to guard).
        shown = html.split('<div class="citeqa-citation"')[0]
        assert "\n" not in shown and "\r" not in shown and "![seen](http://198.51.100.7/a.png) here." in shown
        assert {t for t, _ in Tags(html).tags} <= SHAPE_TAGS


class FakePipeline:
    """What stream_answer uses of a Pipeline: it reports progress, then returns ``result``."""

    def __init__(self, result: Answer, streamed: list[str]):
        self.result, self.streamed = result, streamed

    def answer(self, question, *, where, history, progress):
        progress("searching", question)
        for text in self.streamed:
            progress("answer", text)
        return self.result

    def paragraph(self, citation):
        return 0, len(TEXT)

    def article(self, article_id):
        from types import SimpleNamespace

        return SimpleNamespace(text=TEXT)


def test_the_chat_streams_the_text_so_far_then_shows_the_composed_answer_in_its_shape():
    from ui.handlers import stream_answer

    c = cite(SENT["killed"], "A police officer was killed")
    result = composed("yes/no", [("A police officer was killed", [c])], verdict=True)
    steps = list(
        stream_answer(FakePipeline(result, ["A police", "A police officer <b>"]), "Was anyone killed?", [], None)
    )
    assert [answer for _, answer in steps] == [None, None, None, result]
    assert "Searching" in steps[0][0] and "<strong>A police officer &lt;b&gt;</strong>▍" in steps[2][0]
    assert steps[-1][0] == reply_html(result, [TEXT]) and "citeqa-verdict" in steps[-1][0]
