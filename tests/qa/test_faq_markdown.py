"""The article with its FAQ section filled, as Markdown: under its FAQ heading, footnotes numbered
across the whole section, every quote the article's text."""

import re
from datetime import date

import pytest

from index.types import Article
from qa import Answer, AnswerPart, Citation, FaqItem, faq_markdown

TEXT = "Storm hits Marlow\n\nA storm hit Marlow. Two people died.\n\nFrequently Asked Questions (FAQ)\n\nMore text."


def _citation(start, end):
    return Citation(
        article_id="m",
        title="Storm hits Marlow",
        published=date(2024, 3, 1),
        start=start,
        end=end,
        quote=TEXT[start:end],
        answer_start=start,
        answer_end=end,
    )


def _items():
    first, second = _citation(19, 38), _citation(39, 55)
    summary = Answer(
        question="What happened?",
        text="x",
        score=1.0,
        citations=(first, second),
        kind="summary",
        parts=(AnswerPart(text=first.quote, citations=(first,)), AnswerPart(text=second.quote, citations=(second,))),
    )
    toll = Answer(
        question="Was anyone killed?",
        text="Yes",
        score=1.0,
        citations=(second,),
        kind="yes/no",
        verdict=True,
        parts=(AnswerPart(text=second.quote, citations=(second,)),),
    )
    return [FaqItem("What happened?", summary), FaqItem("Was anyone <b>killed</b>?", toll)]


def _article(text=TEXT):
    return Article(
        id="m", title="Storm hits Marlow", text=text, sha256="0", body_start=0, published=date(2024, 3, 1), source="m"
    )


def test_the_faq_fills_the_articles_own_heading_with_footnotes_numbered_across_it():
    out = faq_markdown(_article(), _items())
    before, after = out.split("Frequently Asked Questions (FAQ)")
    assert before == TEXT.split("Frequently Asked Questions (FAQ)")[0]
    assert after.rstrip().endswith("More text.")
    assert after.index("### What happened?") < after.index("### Was anyone &lt;b&gt;killed&lt;/b&gt;?")
    assert re.findall(r"^\[\^(\d+)\]:", after, re.M) == ["1", "2", "3"]
    assert "**A:** Yes. Two people died.[^3]" in after
    for quote in ("A storm hit Marlow.", "Two people died."):
        assert f"“{quote}”" in after


def test_an_article_without_a_faq_heading_gets_a_section_at_the_end():
    text = "A storm hit Marlow. Two people died."
    out = faq_markdown(_article(text), [])
    assert out.startswith(text) and out.rstrip().endswith("(No question held up: none was answered from this article.)")
    assert "## Frequently Asked Questions (FAQ)" in out


@pytest.mark.models
def test_citeqa_faq_markdown_fills_the_seed_articles_faq(tmp_path, capsys):
    from citeqa.cli import main
    from index import build_index
    from tests.conftest import SEEDS

    build_index([SEEDS], tmp_path / "ix")
    article_id = next(p.stem for p in SEEDS.glob("*.txt"))
    assert main(["faq", article_id, "--index-dir", str(tmp_path / "ix"), "--markdown"]) == 0
    out = capsys.readouterr().out
    section = out.split("Frequently Asked Questions (FAQ)", 1)[1]
    questions = re.findall(r"^### (.+)$", section, re.M)
    assert questions[0] == "What happened?" and len(questions) >= 5, questions
    text = (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")
    quotes = re.findall(r"characters \d+–\d+: “(.+?)”", section)
    assert len(quotes) >= len(questions)
    assert all(" ".join(q.split()) in " ".join(text.split()) for q in quotes)
