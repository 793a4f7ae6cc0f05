"""Answer shapes in a real browser: a yes/no verdict, a summary whose markers open their spans,
a list of bullets. Debian's headless Chromium on a real chat server over the seed article.

The server reads with the sentence reader and its FAQ is stored empty before it starts, so no
LLM runs and the answers are quick. What each answer should be comes from the same index read
in this process through qa's public API; the page must show that answer in its shape.
"""

import re

import pytest

from tests.conftest import SEEDS
from tests.ui.conftest import chat_server

pytestmark = [pytest.mark.models, pytest.mark.ui]

ANSWER_TIMEOUT_MS = 60_000


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def shapes_server(tmp_path_factory):
    """``(url, pipeline)``: a sentence-reader chat server, and a pipeline over the same index."""
    from index import build_index
    from qa import Pipeline
    from qa.faq import FaqStore

    index_dir = tmp_path_factory.mktemp("shapes-index")
    build_index([SEEDS], index_dir)
    pipeline = Pipeline(index_dir, reader="sentence")
    store = FaqStore(pipeline.index_dir)
    for article in pipeline.articles():  # no FAQ to write, so the server's LLM stays unloaded
        store.put(article.id, article.sha256, f"{pipeline.chat_model.model}|{pipeline.reader.name}", [])
    with chat_server(index_dir, tmp_path_factory.mktemp("shapes-log") / "server.log", "--reader", "sentence") as url:
        yield url, pipeline


@pytest.fixture(scope="module")
def page(browser, shapes_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(shapes_server[0])
    page.locator("#citeqa-question textarea").wait_for()
    yield page
    page.close()


def ask(page, question):
    """Ask in the chat and wait for the reply; returns the last reply's ``.citeqa-answer``."""
    answers = page.locator("#citeqa-chat .citeqa-answer, #citeqa-chat .citeqa-abstained")
    before = answers.count()
    box = page.locator("#citeqa-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#citeqa-chat .citeqa-answer, #citeqa-chat .citeqa-abstained').length > n",
        arg=before,
        timeout=ANSWER_TIMEOUT_MS,
    )
    return answers.last


def expected(shapes_server, question, kind):
    answer = shapes_server[1].answer(question)
    assert answer.kind == kind, f"qa answers {question!r} as a {answer.kind}, not a {kind}: {answer}"
    return answer


def open_marker(page, marker, citation, pipeline):
    """Click ``marker``; the article panel must open with ``citation``'s quote marked and its answer span bold."""
    from playwright.sync_api import expect

    marker.click()
    target = page.locator("#citeqa-article #citeqa-target")
    # The panel may still show the span a previous marker opened: wait for this one.
    expect(target).to_have_text(re.compile(r"\s*" + r"\s+".join(map(re.escape, citation.quote.split())) + r"\s*"))
    span = pipeline.article(citation.article_id).text[citation.answer_start : citation.answer_end]
    assert flat(target.locator("strong").inner_text()) == flat(span)


def test_yes_no_shows_the_verdict_and_a_marker_that_opens_the_settling_span(page, shapes_server):
    truth = expected(shapes_server, "Was anyone killed?", "yes/no")
    assert truth.verdict is True  # the seed article: a police officer and three Serb gunmen died
    reply = ask(page, "Was anyone killed?")
    assert reply.locator(".citeqa-verdict").inner_text() == "Yes"
    assert flat(reply.inner_text()).startswith(f"Yes {flat(truth.parts[0].text)}")
    markers = reply.locator("sup a.citeqa-open")
    assert markers.count() == len(truth.citations) >= 1
    open_marker(page, markers.first, truth.citations[0], shapes_server[1])


def test_summary_marks_each_sentence_and_its_second_marker_opens_that_span(page, shapes_server):
    truth = expected(shapes_server, "What happened?", "summary")
    assert len(truth.parts) >= 2 and truth.citations[0].quote != truth.citations[1].quote
    reply = ask(page, "What happened?")
    markers = reply.locator("sup a.citeqa-open")
    assert markers.count() == len(truth.citations) >= 2
    assert [flat(m) for m in markers.all_inner_texts()] == [f"[{i}]" for i in range(1, len(truth.citations) + 1)]
    shown = flat(reply.inner_text())
    for part in truth.parts:
        assert flat(part.text) in shown
    open_marker(page, markers.nth(1), truth.citations[1], shapes_server[1])


def test_list_shows_one_bullet_per_item_each_with_its_marker(page, shapes_server):
    truth = expected(shapes_server, "Which countries were involved?", "list")
    assert {"Serbia", "Kosovo"} <= {p.text for p in truth.parts}
    reply = ask(page, "Which countries were involved?")
    bullets = reply.locator("ul > li")
    assert bullets.count() == len(truth.parts) >= 2
    for i, (bullet, part) in enumerate(zip(bullets.all(), truth.parts, strict=True)):
        numbers = [int(n.strip("[]")) for n in bullet.locator("sup a.citeqa-open").all_inner_texts()]
        assert numbers, f"bullet {i + 1} has no marker"
        assert flat(re.sub(r"\[\d+\]", "", bullet.inner_text())) == flat(part.text)
    last = bullets.last.locator("sup a.citeqa-open").last
    open_marker(page, last, truth.citations[-1], shapes_server[1])


def test_a_time_aware_answer_dates_each_marker_and_says_how_the_time_was_read(page, shapes_server):
    truth = shapes_server[1].answer("What is the latest news about Kosovo?")
    assert truth.time is not None and truth.time.newest_first and truth.citations
    reply = ask(page, "What is the latest news about Kosovo?")
    dates = reply.locator("sup .citeqa-date").all_inner_texts()
    assert dates == [c.published.isoformat() for c in truth.citations]
    time_line = page.locator("#citeqa-chat .citeqa-time").last.inner_text()
    assert f"newest first, as of {truth.time.today.isoformat()}" in time_line
