"""The NewsQA evaluation over a tiny corpus of stories written here (the real set stays in ../shared)."""

import json

import pytest

from evals.newsqa import STAGES, evaluate, load_newsqa, lost_at, sample
from qa import Answer, Citation

STORIES = {
    "cnn_bridge": "The harbour bridge in Port Ellis reopened on Monday after eight months of repairs. "
    "Engineer Maria Olsen led the repair crew. The work cost 12 million euros.",
    "cnn_flood": "Heavy rain flooded the lower town of Brackwater overnight. About 300 residents were "
    "evacuated to the school gym. The river peaked at 4.2 metres on Tuesday.",
    "cnn_vote": "Sarah Quinn won a second term as mayor of Dunmore on Sunday. She received 54 percent "
    "of the vote. Turnout was the highest since 1998.",
}
QUESTIONS = [
    ("cnn_bridge", "Who led the repair crew?", ["Maria Olsen"]),
    ("cnn_flood", "Where were the residents evacuated to?", ["the school gym"]),
    ("cnn_vote", "What share of the vote did Sarah Quinn receive?", ["54 percent"]),
]


@pytest.fixture
def newsqa(tmp_path):
    (tmp_path / "stories").mkdir()
    for story, text in STORIES.items():
        (tmp_path / "stories" / f"{story}.txt").write_text(text, encoding="utf-8")
    rows = [{"story": s, "question": q, "answers": a} for s, q, a in QUESTIONS]
    (tmp_path / "questions.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return tmp_path


def test_questions_load_with_their_story_and_sample_repeatably(newsqa):
    stories, questions = load_newsqa(newsqa)
    assert stories == newsqa / "stories" and [q.article_id for q in questions] == [s for s, _, _ in QUESTIONS]
    assert sample(questions, 2, seed=3) == sample(questions, 2, seed=3) and len(sample(questions, 2)) == 2


def _answer(text=None, reason=""):
    citation = Citation(article_id="a", title="t", published=None, start=0, end=11, quote="Maria Olsen")
    return Answer(question="q", text=text, score=0.5, reason=reason, citations=(citation,) if text else ())


@pytest.mark.parametrize(
    ("answer", "story_read", "shown", "stage"),
    [
        (_answer("Maria Olsen"), True, True, "right"),
        (_answer("Engineer Maria Olsen led"), True, True, "partial span"),
        (_answer("the crew"), False, False, "wrong span"),
        (_answer(reason="the model found no answer in the passages"), False, False, "retrieval"),
        (_answer(reason="the model found no answer in the passages"), True, False, "evidence"),
        (_answer(reason="the model found no answer in the passages"), True, True, "reader refused"),
        (
            _answer(reason="the closest passage does not appear to answer the question (support 0.1)"),
            True,
            True,
            "support check",
        ),
        (_answer(reason="no passage in the articles is close enough to the question"), True, True, "relevance gate"),
    ],
)
def test_each_question_is_lost_at_the_first_stage_that_dropped_it(answer, story_read, shown, stage):
    assert lost_at(answer, story_read, shown, ["Maria Olsen"]) == stage


@pytest.mark.models
def test_open_and_closed_settings_are_scored_and_every_question_has_a_stage(newsqa):
    summary = evaluate(newsqa, reader="sentence", repack=None)
    for setting in ("open", "closed"):
        figures = summary[setting]
        assert figures["questions"] == 3 and sum(figures["lost_at"].values()) == 3
        assert set(figures["lost_at"]) == set(STAGES)
        # The sentence reader answers with the whole best sentence: each gold answer lies inside it.
        assert figures["citation_hit_rate"] == 1.0 and 0 < figures["f1"] < 100
    assert summary["open"]["recall@1"] == 1.0
    assert {r["stage"] for r in summary["questions"]} <= {"partial span", "right"}


def test_eval_newsqa_has_no_unanswerable_setting(newsqa, capsys):
    from citeqa.cli import main

    assert main(["eval", "newsqa", str(newsqa), "--setting", "unanswerable"]) == 2
    assert "newsqa has no unanswerable setting; valid: open, closed" in capsys.readouterr().err


@pytest.mark.models
def test_citeqa_eval_newsqa_prints_both_settings(newsqa, capsys):
    from citeqa.cli import main

    assert main(["eval", "newsqa", str(newsqa), "--reader", "sentence", "--limit", "2"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["sample"] == {"questions": 2, "of": 3, "seed": 7}
    assert summary["open"]["questions"] == summary["closed"]["questions"] == 2


@pytest.mark.models
def test_a_question_about_a_story_indexed_once_as_an_exact_copy_is_read_from_the_copy(newsqa):
    # Two files with one text: the index keeps one, and the other's question reads the one kept.
    (newsqa / "stories" / "cnn_bridge_copy.txt").write_text(STORIES["cnn_bridge"], encoding="utf-8")
    row = {"story": "cnn_bridge_copy", "question": "Who led the repair crew?", "answers": ["Maria Olsen"]}
    with open(newsqa / "questions.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
    summary = evaluate(newsqa, reader="sentence", repack=None)
    assert summary["index"]["articles"] == 3
    assert summary["open"]["recall@1"] == 1.0 and summary["closed"]["citation_hit_rate"] == 1.0
