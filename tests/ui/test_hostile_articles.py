"""Hostile article text in a real browser: markup, scripts, links and math from an article are shown
as text, never run. Headless Chromium (Debian's) on a real chat server over an index holding an
article made of attacks; every dialog is caught and every request that would leave 127.0.0.1 is
recorded and refused.

The server reads with the sentence reader, so each answer is a whole sentence of the hostile
article (the attack reaches the answer, not only the quote), and the FAQ is stored here before the
server starts, with questions that carry attacks too: no LLM runs, so the test is fast and its
answers fixed. The HTML is the same for every reader.
"""

import os
import re
import shutil
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from tests.conftest import SEEDS
from tests.ui.conftest import free_port, wait_for
from tests.ui.test_browser import ARGS, CHROMIUM

pytestmark = [pytest.mark.models, pytest.mark.ui]

# TEST-NET-2: an address no test machine serves; a request to it means article markup became an element.
OUTSIDE = "http://198.51.100.7"
TITLE = f"Pier vote <script>alert('title')</script><img src={OUTSIDE}/t.png onerror=alert('title')>"
SITE = "Port <b onmouseover=alert('site')>Gazette</b>"
PAYLOADS = {
    "img": f"The new harbour master is Ines <img src={OUTSIDE}/a.png onerror=\"alert('img')\">Varga.",
    "script": "Residents were told <script>alert('script')</script> that the pier work starts in June.",
    "links": (
        "The pier contract went to [Keel and Sons](javascript:alert('md-link')) and the plan is "
        f"![the plan]({OUTSIDE}/plan.png) at the town hall <a href=\"javascript:alert('a')\">here</a>."
    ),
    "entities": (
        "The pier fund is called &lt;b&gt;Harbour Trust&lt;/b&gt; &amp; it holds &#60;i&#62;grants&#60;/i&#62;."
    ),
    "math": "The pier will cost $$5 million to 7 million$$ and $x^2$ more in fees.",
    # Old Mac line ends: one sentence to citeqa, a blank line to the chat's Markdown (it reads \r as \n),
    # which ends the HTML block around the quote so that Markdown is read after it.
    "blank-line": (f"The ferry timetable\r\r![the timetable]({OUTSIDE}/cr.png) is posted on *the* quay every morning."),
}
ARTICLE = (
    f"---\ntitle: {TITLE!r}\nsite: {SITE!r}\nurl: \"javascript:alert('url')\"\n---\n"
    "date 2024-05-02\n\n"
    f"{PAYLOADS['img']}\n\n"
    # One payload a paragraph, so each is a sentence of its own and the sentence reader's whole answer.
    f"{PAYLOADS['links']}\n\n{PAYLOADS['entities']}\n\n{PAYLOADS['math']}\n\n{PAYLOADS['script']}\n\n"
    f"{PAYLOADS['blank-line']}\n"
)
QUESTIONS = {
    "img": "Who is the new harbour master?",
    "script": "When does the pier work start?",
    "links": "Who got the pier contract?",
    "entities": "What is the pier fund called?",
    "math": "How much will the pier cost?",
    "blank-line": "Where is the ferry timetable posted every morning?",
}
FAQ_QUESTIONS = [
    f"Who is <img src={OUTSIDE}/q.png onerror=alert('faq')> the harbour master?",
    "Who got the [pier contract](javascript:alert('faq-link'))?",
]
# What the page may show of an article: text. No element from its markup may appear in these regions.
# (Gradio's own buttons draw SVG icons in the chat, so SVG is caught by its requests and handlers instead.)
REGIONS = "#citeqa-chat .message, #citeqa-article, #citeqa-library table, #citeqa-faq .gallery-item"
FOREIGN = "script, img, iframe, object, embed, math, .katex, [onerror], [onmouseover], a[href^='javascript']"


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from index import build_index
    from qa import Pipeline
    from qa.faq import FaqItem, FaqStore

    corpus = tmp_path_factory.mktemp("hostile-corpus")
    shutil.copytree(SEEDS, corpus, dirs_exist_ok=True)
    (corpus / "pier.txt").write_text(ARTICLE, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("hostile-index")
    build_index([corpus], index_dir)
    # The FAQ as faq() stores it, so the page suggests questions carrying attacks (and no LLM writes one).
    pipeline = Pipeline(index_dir, reader="sentence")
    key = f"{pipeline.chat_model.model}|{pipeline.reader.name}"
    store = FaqStore(pipeline.index_dir)
    for article in pipeline.articles():
        asked = FAQ_QUESTIONS if article.title == TITLE else []
        store.put(article.id, article.sha256, key, [FaqItem(q, pipeline.answer(q)) for q in asked])
    port = free_port()
    log_path = tmp_path_factory.mktemp("hostile-log") / "server.log"
    with open(log_path, "w+") as log:
        command = [sys.executable, "-m", "citeqa", "chat", "--index-dir", str(index_dir), "--port", str(port)]
        proc = subprocess.Popen(
            [*command, "--reader", "sentence"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
        )
        wait_for(port, proc, log)
        yield f"http://127.0.0.1:{port}/"
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def guarded_page(hostile_server):
    """A page whose dialogs and outside requests are recorded (and refused), with the lists to read."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's chromium package (make browser)")
    dialogs: list[str] = []
    outside: list[str] = []

    def route(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", route)
        page.on("dialog", on_dialog)
        page.goto(hostile_server)
        page.locator("#citeqa-question textarea").wait_for()
        yield page, dialogs, outside
        browser.close()


def assert_inert(page, dialogs, outside):
    page.wait_for_timeout(1_500)  # an image or handler that got through would have fired by now
    assert dialogs == [], f"article markup ran a script: {dialogs}"
    assert outside == [], f"article markup made the page fetch from outside: {outside}"
    found = page.evaluate(
        "([regions, foreign]) => [...document.querySelectorAll(regions)]"
        ".flatMap(r => [...r.querySelectorAll(foreign)]).map(e => e.outerHTML.slice(0, 120))",
        [REGIONS, FOREIGN],
    )
    assert found == [], f"article markup became elements: {found}"


def ask(page, question):
    box = page.locator("#citeqa-question textarea")
    before = page.locator("#citeqa-chat .citeqa-answer, #citeqa-chat .citeqa-abstained").count()
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#citeqa-chat .citeqa-answer, #citeqa-chat .citeqa-abstained').length > n",
        arg=before,
        timeout=60_000,
    )


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_hostile_text_is_shown_as_text_in_the_answer_citation_and_article_panel(guarded_page, name):
    from playwright.sync_api import expect

    page, dialogs, outside = guarded_page
    ask(page, QUESTIONS[name])
    chat = page.locator("#citeqa-chat")
    payload = flat(PAYLOADS[name])
    answer = flat(chat.locator(".citeqa-answer strong").last.inner_text())
    assert answer == payload, "the answer is not the article's sentence, character for character"
    citation = chat.locator(".citeqa-citation").last
    assert payload in flat(citation.locator("blockquote").inner_text())
    assert flat(TITLE) in flat(citation.inner_text())
    assert_inert(page, dialogs, outside)

    citation.locator("a.citeqa-open").first.click()
    # The panel may still show the article opened by the previous question: wait for this quote.
    expect(page.locator("#citeqa-article #citeqa-target")).to_contain_text(payload, timeout=20_000)
    panel = flat(page.locator("#citeqa-article").inner_text())
    assert flat(TITLE) in panel and flat(SITE) in panel
    assert "open original" not in panel  # a javascript: URL is never linked
    assert all(flat(p) in panel for p in PAYLOADS.values())
    assert_inert(page, dialogs, outside)


def test_hostile_title_is_text_in_the_library(guarded_page):
    page, dialogs, outside = guarded_page
    page.locator("button[role=tab]", has_text="Library").click()
    from playwright.sync_api import expect

    expect(page.locator("#citeqa-library")).to_contain_text(TITLE, timeout=20_000)
    assert_inert(page, dialogs, outside)


def test_hostile_faq_suggestions_are_text_and_ask_as_written(guarded_page):
    page, dialogs, outside = guarded_page
    suggestions = page.locator("#citeqa-faq button.gallery-item")
    suggestions.first.wait_for(timeout=60_000)
    shown = [flat(s) for s in suggestions.all_inner_texts()]
    # Gradio cuts a long sample to its first characters and "...": each is the start of its question, as written.
    assert len(shown) == len(FAQ_QUESTIONS)
    assert all(flat(q).startswith(s.removesuffix("...")) for s, q in zip(shown, FAQ_QUESTIONS, strict=True)), shown
    assert "<img src=" in shown[0] and "[pier contract](javascript:" in shown[1]
    assert_inert(page, dialogs, outside)
    before = page.locator("#citeqa-chat .citeqa-answer").count()
    suggestions.first.click()
    page.wait_for_function(
        "n => document.querySelectorAll('#citeqa-chat .citeqa-answer').length > n", arg=before, timeout=60_000
    )
    user_turns = page.locator("#citeqa-chat .user-row, #citeqa-chat .message.user").all_inner_texts()
    assert any(re.sub(r"\s+", " ", t).strip() == flat(FAQ_QUESTIONS[0]) for t in user_turns), user_turns
    assert_inert(page, dialogs, outside)
