import json
import re

import pytest

from evals.nearmiss import RECIPES, figures, half, load_near_misses
from index.chunk import split_sentences
from tests.conftest import REPO

NEAR_MISSES = REPO / "evals" / "data" / "near_miss.jsonl"
SHARED = REPO.parent / "shared" / "data"
SQUAD = SHARED / "squad-v1.1" / "dev-v1.1.json"
STORIES = SHARED / "newsqa-dev" / "stories"
_WORD = re.compile(r"\w+")


def test_the_set_holds_150_near_misses_about_half_from_each_source():
    questions = load_near_misses(NEAR_MISSES)
    assert len(questions) >= 150
    assert len({q.id for q in questions}) == len(questions)
    assert len({q.question for q in questions}) == len(questions)
    for source in ("squad", "newsqa"):
        mine = [q for q in questions if q.source == source]
        assert 0.4 <= len(mine) / len(questions) <= 0.6
        for name in ("dev", "held-out"):  # both halves hold both sources
            assert sum(half(q.id) == name for q in mine) >= 0.4 * len(mine)
    assert {q.recipe for q in questions} == set(RECIPES)


def test_records_name_their_text_and_carry_none_of_it():
    for line in NEAR_MISSES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        place = {"title", "paragraph"} if row["source"] == "squad" else {"story"}
        assert set(row) == {"id", "source", "question", "recipe", "sentence"} | place


def _texts() -> dict[str, str]:
    data = json.loads(SQUAD.read_text(encoding="utf-8"))["data"]
    texts = {f"{a['title']}/{n:03d}": p["context"] for a in data for n, p in enumerate(a["paragraphs"])}
    texts.update({p.stem: p.read_text(encoding="utf-8") for p in STORIES.glob("*.txt")})
    return texts


@pytest.mark.skipif(not (SQUAD.exists() and STORIES.is_dir()), reason="needs ../shared/data (SQuAD and NewsQA dev)")
def test_each_offset_pair_is_a_sentence_of_its_text_and_no_question_copies_it():
    texts = _texts()
    for q in load_near_misses(NEAR_MISSES):
        text = texts[q.article_id]
        assert q.sentence in {(s.start, s.end) for s in split_sentences(text)}, q.id
        words, written = _WORD.findall(q.question.lower()), " " + " ".join(_WORD.findall(text.lower())) + " "
        runs = (" " + " ".join(words[i : i + 12]) + " " for i in range(len(words) - 11))
        assert not any(run in written for run in runs), q.id  # an edited question, not a copied one


def test_a_line_with_an_unknown_recipe_or_source_is_refused(tmp_path):
    row = {"id": "x", "source": "squad", "title": "T", "paragraph": 0, "question": "?", "sentence": [0, 1]}
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({**row, "recipe": "paraphrase"}) + "\n")
    with pytest.raises(ValueError, match="recipe must be one of"):
        load_near_misses(path)
    path.write_text(json.dumps({**row, "recipe": "negation", "source": "wiki"}) + "\n")
    with pytest.raises(ValueError, match="source must be one of"):
        load_near_misses(path)


def test_figures_count_abstentions_by_source_half_and_recipe():
    def record(source, recipe, name, abstained, seconds):
        return {"source": source, "recipe": recipe, "half": name, "abstained": abstained, "seconds": seconds,
                "own_text_read": True, "cited_own_text": not abstained}  # fmt: skip

    records = [
        record("squad", "negation", "dev", True, 1.0),
        record("squad", "antonym", "dev", False, 3.0),
        record("newsqa", "negation", "held-out", False, 2.0),
        record("newsqa", "negation", "held-out", True, 10.0),
    ]
    out = figures(records)
    assert out["overall"]["abstention_rate"] == 0.5
    assert out["overall"]["answers_citing_own_text"] == 2
    assert out["overall"]["seconds_per_question_median"] == 2.5
    assert out["by_recipe"]["negation"] == {"questions": 3, "abstention_rate": round(2 / 3, 4)}
    assert out["by_recipe"]["antonym"]["abstention_rate"] == 0.0
    assert out["by_half"]["dev"]["abstention_rate"] == 0.5
    assert out["by_source"]["newsqa"] == {"questions": 2, "abstention_rate": 0.5}


@pytest.mark.models
@pytest.mark.skipif(not (SQUAD.exists() and STORIES.is_dir()), reason="needs ../shared/data (SQuAD and NewsQA dev)")
def test_eval_command_asks_both_sources_and_records_every_answer(tmp_path, capsys):
    from citeqa.cli import main

    lines = NEAR_MISSES.read_text(encoding="utf-8").splitlines()
    few = tmp_path / "few.jsonl"
    few.write_text("\n".join([*lines[:2], *lines[-2:]]) + "\n")
    out = tmp_path / "nearmiss.json"
    assert main(["eval", "nearmiss", str(few), "--reader", "sentence", "--out", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["by_source"]["squad"]["questions"] == 2 and summary["by_source"]["newsqa"]["questions"] == 2
    assert summary["corpora"]["squad"]["articles"] == 2067
    records = summary["questions"]
    assert sum(r["abstained"] for r in records) / 4 == summary["overall"]["abstention_rate"]
    for r in records:
        assert (r["answer"] is None) == r["abstained"] and (r["citation"] is None) == r["abstained"]
    assert "questions" not in json.loads(capsys.readouterr().out)
    assert main(["eval", "nearmiss", str(few), "--setting", "closed"]) == 2
