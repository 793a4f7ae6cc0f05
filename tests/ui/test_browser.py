"""The chat window in a real browser: Debian's headless Chromium driven by Playwright, on the real server and models."""

import json
from pathlib import Path

import pytest

from tests.ui.conftest import ARGS, CHROMIUM  # noqa: F401  (test_hostile_articles reads them here)

pytestmark = [pytest.mark.models, pytest.mark.ui]

DOCS = Path(__file__).resolve().parents[2] / "docs"
ANSWER_TIMEOUT_MS = 120_000


@pytest.fixture
def page(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url)
    page.locator("#citeqa-question textarea").wait_for()
    yield page
    page.close()


def ask(page, question):
    box = page.locator("#citeqa-question textarea")
    box.fill(question)
    box.press("Enter")  # keyboard submit
    before = page.locator("#citeqa-chat .citeqa-answer, #citeqa-chat .citeqa-abstained").count()
    page.wait_for_function(
        "n => document.querySelectorAll('#citeqa-chat .citeqa-answer, #citeqa-chat .citeqa-abstained').length > n",
        arg=before,
        timeout=ANSWER_TIMEOUT_MS,
    )
    return page.locator("#citeqa-chat .message-row, #citeqa-chat .message").last


def test_answer_shows_highlighted_citation_and_opens_the_article_at_it(page, server):
    ask(page, "Who led the armed group?")
    chat = page.locator("#citeqa-chat")
    assert chat.locator(".citeqa-answer strong").last.inner_text() == "Milan Radoičić"
    assert chat.locator(".citeqa-citation mark").last.inner_text() == "Milan Radoičić"
    assert "2023-11-14" in chat.locator(".citeqa-citation").last.inner_text()
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "chat-answer.png"))

    chat.locator(".citeqa-citation a.citeqa-open").last.click()
    target = page.locator("#citeqa-article #citeqa-target")
    target.wait_for(timeout=20_000)
    assert "The armed group was led by Milan Radoičić" in target.inner_text()
    assert target.locator("strong").inner_text() == "Milan Radoičić"
    # The panel scrolled to the highlight: it is inside the panel's visible area, and the panel moved.
    page.wait_for_function(
        """() => {
            const body = document.querySelector('#citeqa-article .citeqa-article-body');
            const mark = document.getElementById('citeqa-target');
            const b = body.getBoundingClientRect(), m = mark.getBoundingClientRect();
            return body.scrollTop > 0 && m.top >= b.top && m.bottom <= b.bottom;
        }""",
        timeout=10_000,
    )
    page.screenshot(path=str(DOCS / "article-panel.png"))

    # Thumbs up goes to the feedback file with the answer and its citation.
    before = server.feedback.read_text().count("\n") if server.feedback.exists() else 0
    page.locator("#citeqa-chat button[aria-label='Like']").last.click()
    page.wait_for_function("() => true")
    for _ in range(50):
        if server.feedback.exists() and server.feedback.read_text().count("\n") > before:
            break
        page.wait_for_timeout(100)
    line = json.loads(server.feedback.read_text().splitlines()[-1])
    assert line["liked"] is True and line["answer"]["text"] == "Milan Radoičić"


def test_follow_up_is_rewritten_and_answered(page):
    ask(page, "Who led the armed group?")
    ask(page, "What party is he the deputy leader of?")
    chat = page.locator("#citeqa-chat")
    rewritten = chat.locator(".citeqa-rewritten").last.inner_text()
    assert "Radoičić" in rewritten and "he" not in rewritten.split()
    assert chat.locator(".citeqa-answer strong").last.inner_text() == "Serb List"
    page.get_by_text("Last answer as Markdown").click()
    markdown = page.locator("#citeqa-markdown")
    markdown.get_by_text("Serb List").first.wait_for(timeout=10_000)
    assert "**A:** Serb List[^1]" in markdown.inner_text()
    page.screenshot(path=str(DOCS / "follow-up.png"))

    page.locator("#citeqa-clear").click()
    page.wait_for_function("() => !document.querySelector('#citeqa-chat .citeqa-answer')")


def test_abstention_says_so_and_shows_the_closest_passages(page):
    ask(page, "When did the Serbian army invade Kosovo?")
    last = page.locator("#citeqa-chat .citeqa-abstained").last
    assert "do not say" in last.inner_text()
    assert page.locator("#citeqa-chat .citeqa-citation").count() >= 1


def test_upload_an_article_then_ask_about_it_and_a_bad_file_is_explained(page, tmp_path):
    story = tmp_path / "ferry-returns.md"
    story.write_text(
        "date 2024-06-03\n# Ferry returns to Inishmore\n\n"
        "The ferry service between Rossaveal and Inishmore resumed on Monday after a three-week strike. "
        "The captain, Nora Keane, said the crossing was calm.",
        encoding="utf-8",
    )
    page.locator("button[role=tab]", has_text="Library").click()
    page.locator("#citeqa-upload input[type=file]").set_input_files(str(story))
    status = page.locator("#citeqa-upload-status")
    status.get_by_text("Added and indexed").wait_for(timeout=60_000)
    assert "ferry-returns" in status.inner_text()
    ask(page, "Who is the captain of the ferry to Inishmore?")
    chat = page.locator("#citeqa-chat")
    assert chat.locator(".citeqa-answer strong").last.inner_text() == "Nora Keane"
    assert "Ferry returns to Inishmore" in chat.locator(".citeqa-citation").last.inner_text()

    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    page.locator("#citeqa-upload input[type=file]").set_input_files(str(bad))
    status.get_by_text("Not added").wait_for(timeout=30_000)
    assert "scan.txt" in status.inner_text() and "binary" in status.inner_text()
    # Nothing indexed was lost: the seed article still answers.
    ask(page, "Who is Germany's ambassador to the US?")
    assert chat.locator(".citeqa-answer strong").last.inner_text() == "Andreas Michaelis"
    assert "Ferry returns to Inishmore" in page.locator("#citeqa-library").inner_text()
    page.screenshot(path=str(DOCS / "library.png"))


def test_faq_suggestions_are_shown_and_clicking_one_asks_it(page):
    suggestion = page.locator("#citeqa-faq button.gallery-item").first
    # On a fresh index the FAQ is made when first asked for (about a minute on 2 cores); the page fills it in then.
    suggestion.wait_for(timeout=300_000)
    # The newest article is suggested first (here the story uploaded above, when that test ran).
    assert page.locator("#citeqa-faq button.gallery-item").count() >= 1
    question = suggestion.inner_text().strip()
    assert question.endswith("?")
    suggestion.click()
    page.wait_for_function(
        "() => document.querySelectorAll('#citeqa-chat .citeqa-answer').length > 0", timeout=ANSWER_TIMEOUT_MS
    )
    assert question in page.locator("#citeqa-chat").inner_text()
    page.screenshot(path=str(DOCS / "faq-suggestions.png"))


def test_phone_width_layout_keeps_the_question_box_usable(browser, server):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(server.url)
    box = page.locator("#citeqa-question textarea")
    box.wait_for()
    page.wait_for_timeout(2_000)
    assert not page.get_by_text("Error", exact=True).count(), "the page shows an error after loading"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width} px wide)"
    ask(page, "Who led the armed group?")
    chat = page.locator("#citeqa-chat .citeqa-answer").last
    assert chat.bounding_box()["width"] <= 390
    page.screenshot(path=str(DOCS / "phone.png"))
    page.close()
