"""The news-FAQ evaluation: its scoring rules on hand-built answers, the labelled set itself, and a
small run of ``citeqa eval faq`` with the real models."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from citeqa.cli import main
from evals.faq import DEFAULT_STORIES, choose, dated_dir_for, source_files, summarize, table
from evals.faq_scoring import (
    DATED,
    SEED_PREFIX,
    FaqQuestion,
    evidence_hit,
    is_right,
    items_named,
    load_faq,
    parse_record,
)
from index.chunk import split_sentences
from index.sources.text import parse_article
from qa import Answer, Citation
from qa.types import KINDS, AnswerPart
from tests.conftest import REPO, SEEDS

LABELLED = REPO / "evals" / "data" / "news_faq.jsonl"
DATED_DIR = dated_dir_for(LABELLED)
GOLD = (("a", 100, 150), ("a", 200, 260))


def _cite(start: int, end: int, article: str = "a") -> Citation:
    return Citation(article_id=article, title="t", published=None, start=start, end=end, quote="x" * (end - start))


def _answer(text: str | None = "x", *, parts=(), citations=(), verdict=None, kind="factoid") -> Answer:
    cited = tuple(citations) or tuple(c for p in parts for c in p.citations)
    return Answer(question="q", text=text, score=0.9, citations=cited, parts=tuple(parts), verdict=verdict, kind=kind)


def _part(text: str, *spans: tuple[int, int], article: str = "a") -> AnswerPart:
    return AnswerPart(text=text, citations=tuple(_cite(s, e, article) for s, e in spans))


def _q(kind: str, answerable: bool = True, **kw) -> FaqQuestion:
    return FaqQuestion("a#1", "a", "q", kind, answerable, GOLD if answerable else (), **kw)


ABSTAINED = Answer(question="q", text=None, score=0.1, reason="the articles do not say")


def test_an_unanswerable_question_is_right_only_when_it_abstains_and_an_answerable_one_only_when_not():
    assert is_right(_q("summary", answerable=False), ABSTAINED)
    assert not is_right(
        _q("summary", answerable=False), _answer(parts=[_part("a", (100, 150)), _part("b", (200, 260))])
    )
    assert not is_right(_q("factoid", answers=("Maria Olsen",)), ABSTAINED)


def test_evidence_hit_needs_an_overlap_in_the_gold_article():
    assert evidence_hit(_answer(citations=[_cite(140, 170)]), GOLD)
    assert not evidence_hit(_answer(citations=[_cite(150, 200)]), GOLD)  # half-open: touching is not overlapping
    assert not evidence_hit(_answer(citations=[_cite(100, 150, article="b")]), GOLD)


def test_a_factoid_is_right_by_token_f1_against_the_gold_answers():
    q = _q("factoid", answers=("Maria Olsen", "Olsen"))
    assert is_right(q, _answer("engineer Maria Olsen", citations=[_cite(0, 10)]))  # F1 0.8, even off evidence
    assert not is_right(q, _answer("the repair crew led by a senior engineer", citations=[_cite(100, 150)]))


def test_a_yes_no_answer_needs_the_gold_verdict_and_an_evidence_hit():
    q = _q("yes/no", verdict=False)
    assert is_right(q, _answer("No", parts=[_part("no one", (210, 230))], verdict=False))
    assert not is_right(q, _answer("Yes", parts=[_part("some", (210, 230))], verdict=True))
    assert not is_right(q, _answer("No", parts=[_part("elsewhere", (0, 50))], verdict=False))
    assert not is_right(q, _answer("No", parts=[_part("no one", (210, 230))], verdict=None))


def test_an_explanation_is_right_when_the_reason_shown_first_is_a_gold_sentence():
    q = _q("explanation")
    assert is_right(q, _answer(parts=[_part("because", (100, 150)), _part("aside", (0, 50))]))
    assert not is_right(q, _answer(parts=[_part("aside", (0, 50)), _part("because", (100, 150))]))
    assert is_right(q, _answer("because", citations=[_cite(120, 140)]))  # no parts: its first citation


def test_a_summary_needs_two_parts_and_most_of_them_on_gold_sentences():
    q = _q("summary")
    assert is_right(q, _answer(parts=[_part("a", (100, 150)), _part("b", (200, 260))]))
    assert is_right(q, _answer(parts=[_part("a", (100, 150)), _part("b", (200, 260)), _part("c", (0, 50))]))
    assert not is_right(q, _answer(parts=[_part("a", (100, 150))]))
    assert not is_right(q, _answer(parts=[_part("a", (100, 150)), _part("c", (0, 50))]))


def test_a_list_names_most_gold_items_with_an_evidence_hit():
    q = _q("list", items=(("United States", "US"), ("Serbia",), ("Kosovo",)))
    named = [_part("the US", (100, 150)), _part("Serbia", (200, 260))]
    assert items_named(_answer(parts=named), q.items) == 2 and is_right(q, _answer(parts=named))
    assert not is_right(q, _answer(parts=[_part("the US", (100, 150))]))  # 1 of 3
    assert not is_right(q, _answer(parts=[_part("the US", (0, 50)), _part("Serbia", (0, 50))]))  # no hit
    pair = _q("list", items=(("Ana",), ("Bill",)))
    assert not is_right(pair, _answer(parts=[_part("Ana", (100, 150))]))  # half is not most
    # Names match as whole words in any case: "thus" does not name the US.
    assert items_named(_answer(parts=[_part("thus SERBIA", (100, 150))]), q.items) == 1


def _row(**fields):
    return {
        "id": "a#1",
        "story": "a",
        "question": "Was it?",
        "kind": "yes/no",
        "answerable": True,
        "verdict": True,
        "evidence": [[0, 10]],
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "opinion"}, "kind 'opinion'"),
        ({"verdict": None}, "verdict"),
        ({"kind": "summary"}, "verdict"),
        ({"evidence": []}, "needs evidence"),
        ({"evidence": [[10, 5]]}, "0 <= start < end"),
        ({"kind": "list", "verdict": None}, "gold items"),
        ({"kind": "list", "verdict": None, "items": ["a name of six words long"]}, "5 words"),
        ({"story": DATED, "evidence": [[0, 10]]}, "[stem, start, end]"),
        ({"extra": 1}, "unknown fields"),
    ],
)
def test_a_malformed_record_is_refused_with_what_was_wrong(fields, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_record(_row(**fields))


def test_the_figures_of_each_row_and_the_table():
    base = {"answerable": True, "abstained": False, "right": True, "evidence_hit": True, "time": False}
    records = [
        {**base, "kind": "yes/no", "detected": "yes/no", "seconds": 1.0},
        {**base, "kind": "yes/no", "detected": "factoid", "right": False, "evidence_hit": False, "seconds": 3.0},
        {**base, "kind": "yes/no", "detected": "yes/no", "answerable": False, "abstained": True, "seconds": 2.0,
         "evidence_hit": None, "time": True},
        {**base, "kind": "list", "detected": "list", "abstained": True, "right": False, "evidence_hit": None,
         "seconds": 5.0},
    ]  # fmt: skip
    rows = summarize(records)
    assert list(rows) == ["yes/no", "list", "time-aware", "all"]
    assert rows["yes/no"] == {
        "questions": 3,
        "answerable": 2,
        "right": 0.667,
        "evidence_hit": 0.5,
        "abstained_unanswerable": 1.0,
        "abstained_answerable": 0.0,
        "kind_detected": 0.667,
        "seconds_p50": 2.0,
    }
    assert rows["list"]["evidence_hit"] is None and rows["list"]["abstained_answerable"] == 1.0
    assert rows["all"]["questions"] == 4 and rows["time-aware"]["questions"] == 1
    shown = table({"kinds": rows}).splitlines()
    assert shown[2].startswith("| yes/no | 3 | 0.667 | 0.5 | 1.0 | 0.0 | 0.667 | 2.0 |")
    assert "| list | 1 | 0.0 | – | – | 1.0 |" in shown[3]


def test_a_sample_keeps_file_order_and_is_repeatable():
    questions = [FaqQuestion(f"a#{n}", "a", "q", KINDS[n % 5], False, ()) for n in range(40)]
    picked = choose(questions, ["yes/no", "list"], 5)
    assert picked == choose(questions, ["yes/no", "list"], 5) and len(picked) == 5
    assert [q.id for q in picked] == sorted((q.id for q in picked), key=lambda i: int(i.split("#")[1]))
    assert {q.kind for q in picked} <= {"yes/no", "list"}
    with pytest.raises(ValueError, match="valid: factoid"):
        choose(questions, ["opinion"], None)


# The labelled set.


def test_the_labelled_set_covers_every_kind_answerable_and_not():
    questions = load_faq(LABELLED)
    assert len(questions) >= 150
    for kind in KINDS:
        of_kind = [q for q in questions if q.kind == kind]
        assert any(q.answerable for q in of_kind) and any(not q.answerable for q in of_kind), kind
    assert 0.15 <= sum(not q.answerable for q in questions) / len(questions) <= 0.3
    verdicts = [q.verdict for q in questions if q.kind == "yes/no" and q.answerable]
    assert verdicts.count(True) >= 10 and verdicts.count(False) >= 10
    timed = [q for q in questions if q.time]
    assert len(timed) >= 20 and all(q.today is not None and q.story == DATED for q in timed)


def test_no_newsqa_text_is_stored_beyond_short_names_and_phrases():
    for q in load_faq(LABELLED):
        if q.story != DATED and not q.story.startswith(SEED_PREFIX):
            assert all(len(a.split()) <= 8 for a in q.answers), q.id


def _sentences(path: Path) -> tuple[str, set[tuple[int, int]]]:
    article = parse_article(path.stem, path.read_text(encoding="utf-8"))
    return article.text, {(s.start, s.end) for s in split_sentences(article.text, article.body_start)}


def _check_offsets(questions: list[FaqQuestion], files: dict[str, Path]) -> None:
    boundaries = {stem: _sentences(path)[1] for stem, path in files.items()}
    for q in questions:
        for article, start, end in q.evidence:
            assert (start, end) in boundaries[article], f"{q.id}: {start}-{end} is not a sentence of {article}"


def test_every_seed_and_dated_offset_is_a_sentence_of_its_article():
    questions = [q for q in load_faq(LABELLED) if q.story == DATED or q.story.startswith(SEED_PREFIX)]
    _check_offsets(questions, source_files(questions, DEFAULT_STORIES, DATED_DIR))
    text, _ = _sentences(SEEDS / "000_76627542eb0685f5.txt")
    killed = next(q for q in questions if q.question == "Was anyone killed?")
    assert "death of a police officer" in text[killed.evidence[0][1] : killed.evidence[0][2]]


@pytest.mark.skipif(not DEFAULT_STORIES.is_dir(), reason=f"the NewsQA stories are not at {DEFAULT_STORIES}")
def test_every_newsqa_offset_is_a_sentence_of_its_story():
    questions = [q for q in load_faq(LABELLED) if q.story != DATED and not q.story.startswith(SEED_PREFIX)]
    _check_offsets(questions, source_files(questions, DEFAULT_STORIES, DATED_DIR))


def test_the_dated_stories_are_short_dated_articles():
    stories = sorted(DATED_DIR.glob("*.txt"))
    assert 6 <= len(stories) <= 10
    for path in stories:
        text = path.read_text(encoding="utf-8")
        article = parse_article(path.stem, text)
        assert article.published == date.fromisoformat(path.stem.split("-", 1)[1]), path.name
        assert 150 <= len(text.split()) <= 300, path.name


# The command, with the real models.


@pytest.mark.models
def test_citeqa_eval_faq_asks_each_question_of_its_article_and_reports_each_kind(tmp_path, capsys):
    seed = f"{SEED_PREFIX}000_76627542eb0685f5"
    chosen = {"Was anyone killed?", "Who led the armed group?", "How many troops did Serbia withdraw?"}
    rows = [
        line for line in LABELLED.read_text(encoding="utf-8").splitlines() if json.loads(line)["question"] in chosen
    ]
    labelled = tmp_path / "faq.jsonl"
    labelled.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["eval", "faq", str(labelled), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["index"]["articles"] == 1 and summary["kinds"]["all"]["questions"] == 3
    assert set(summary["kinds"]) == {"yes/no", "factoid", "all"}
    records = {r["question"]: r for r in summary["questions"]}
    assert set(records) == chosen
    for r in records.values():
        assert all(c[0] == seed.removeprefix(SEED_PREFIX) for c in r["citations"])
        assert r["detected"] == r["kind"] and r["seconds"] > 0
        assert (r["evidence_hit"] is None) == (r["abstained"] or not r["answerable"])


@pytest.mark.models
def test_citeqa_eval_faq_on_a_milvus_store_gives_the_embedded_stores_answers(tmp_path, capsys):
    # Questions the rules answer (yes/no, summary, list) with the sentence reader: no LLM, so any
    # difference is the store's.
    rows = [
        line
        for line in LABELLED.read_text(encoding="utf-8").splitlines()
        if json.loads(line)["story"].startswith(SEED_PREFIX)
        and json.loads(line)["kind"] in {"yes/no", "summary", "list"}
    ]
    labelled = tmp_path / "faq.jsonl"
    labelled.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summaries = {}
    for name, extra in {"embedded": [], "milvus": ["--store", f"milvus:{tmp_path / 'faq.db'}"]}.items():
        assert main(["eval", "faq", str(labelled), "--reader", "sentence", "--json", *extra]) == 0
        summaries[name] = json.loads(capsys.readouterr().out)
    assert summaries["embedded"]["index"]["store"] == "embedded"
    assert summaries["milvus"]["index"]["store"].startswith("milvus:")
    assert summaries["milvus"]["index"]["articles"] == 1

    def outcome(summary):
        keys = ("question", "abstained", "right", "verdict", "parts", "citations")
        return [{k: r[k] for k in keys} for r in summary["questions"]]

    assert len(rows) >= 8 and any(r["citations"] for r in summaries["milvus"]["questions"])
    assert outcome(summaries["milvus"]) == outcome(summaries["embedded"])
