import json

import pytest

from citeqa.cli import main
from evals.scoring import best_over, exact_match, f1, normalize_answer
from evals.squad import Question, load_squad, sample
from tests.conftest import REPO

SQUAD = REPO.parent / "shared" / "data" / "squad-v1.1" / "dev-v1.1.json"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("The Broncos", "broncos"),
        ("  an  Apple, a day!", "apple day"),
        ("Denver's", "denvers"),
        ("theory of THE universe.", "theory of universe"),
        ("A-B (C)", "ab c"),
        ("then", "then"),  # 'the' only as a word
    ],
)
def test_normalisation_matches_the_official_script(raw, normal):
    assert normalize_answer(raw) == normal


def test_exact_match_and_f1_worked_by_hand():
    assert exact_match("the Denver Broncos", "Denver Broncos") == 1.0
    assert exact_match("Denver", "Denver Broncos") == 0.0
    # pred: denver broncos won; gold: denver broncos -> p=2/3, r=1 -> f1=0.8
    assert f1("Denver Broncos won", "Denver Broncos") == pytest.approx(0.8)
    assert f1("Carolina", "Denver Broncos") == 0.0
    assert f1("", "Denver") == 0.0
    assert best_over(f1, "Santa Clara", ["Levi's Stadium", "Santa Clara, California"]) == pytest.approx(0.8)


def test_sample_is_stratified_and_repeatable():
    questions = [Question(f"q{i}", "?", ("a",), f"{'AB'[i % 4 == 0]}/{i:03d}") for i in range(100)]
    first = sample(questions, 20, seed=3)
    assert first == sample(questions, 20, seed=3)
    assert len(first) == 20 and len({q.id for q in first}) == 20
    assert sum(q.article_id.startswith("B") for q in first) == 5  # B holds a quarter of the questions
    assert sample(questions, 20, seed=4) != first


@pytest.mark.skipif(not SQUAD.exists(), reason="needs ../shared/data/squad-v1.1")
def test_loads_the_dev_set():
    paragraphs, questions = load_squad(SQUAD)
    assert len(paragraphs) == 2067 and len(questions) == 10570
    title, context = paragraphs[questions[0].article_id]
    assert title == "Super Bowl 50"
    assert any(a in context for a in questions[0].answers)


@pytest.mark.models
@pytest.mark.skipif(not SQUAD.exists(), reason="needs ../shared/data/squad-v1.1")
def test_eval_command_runs_the_real_pipeline(tmp_path, capsys):
    out = tmp_path / "summary.json"
    argv = ["eval", "squad", str(SQUAD), "--limit", "4", "--reader", "sentence", "--setting", "all", "--out", str(out)]
    assert main(argv) == 0
    summary = json.loads(out.read_text())
    assert summary["sample"]["questions"] == 4
    assert summary["index"]["articles"] == 2067
    for setting in ("open", "closed", "unanswerable"):
        assert summary[setting]["questions"] == 4
        assert 0 <= summary[setting]["f1"] <= 100
    assert 0 <= summary["open"]["recall@5"] <= summary["open"]["recall@20"] <= 1
    records = summary["questions"]
    assert len(records) == 12 and {r["setting"] for r in records} == {"open", "closed", "unanswerable"}
    for setting in ("open", "closed", "unanswerable"):
        mine = [r for r in records if r["setting"] == setting]
        assert sum(r["answer"] is None for r in mine) / 4 == summary[setting]["abstention_rate"]
    assert "questions" not in json.loads(capsys.readouterr().out)


def test_unanswerable_setting_never_reads_the_questions_own_article(tmp_path):
    from evals.squad import own_passages, passages_for
    from index import build_index
    from qa import Pipeline, SentenceReader
    from tests.fakes import HashEmbedder

    corpus = tmp_path / "corpus"
    texts = {
        "Bridge/000": "The harbour bridge reopened on Monday after repairs.",
        "Bridge/001": "The harbour bridge repairs were led by Maria Olsen.",
        "Ferry/000": "The harbour ferry runs to Brackwater every hour.",
    }
    for article_id, text in texts.items():
        (corpus / article_id).parent.mkdir(parents=True, exist_ok=True)
        (corpus / f"{article_id}.md").write_text(f"# {article_id}\n\n{text}\n")
    embedder = HashEmbedder()
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    pipeline = Pipeline(tmp_path / "ix", reader=SentenceReader(), embedder=embedder)
    q = Question("q1", "Who led the harbour bridge repairs?", ("Maria Olsen",), "Bridge/001")
    vector = pipeline.retriever.embed_query(q.question)
    own = own_passages(pipeline.store)
    opened = passages_for("open", q, pipeline.retriever, vector, own, 4)
    assert {h.chunk.article_id for h in opened} == set(texts)
    unanswerable = passages_for("unanswerable", q, pipeline.retriever, vector, own, 4)
    assert [h.chunk.article_id for h in unanswerable] == ["Ferry/000"]
    closed = passages_for("closed", q, pipeline.retriever, vector, own, 4)
    assert [h.chunk.article_id for h in closed] == ["Bridge/001"]
