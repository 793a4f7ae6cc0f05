"""End to end on seeds/ with the real models: the same questions get the same answers and citations
from the Milvus store (Milvus Lite) as from the embedded index folder.

Tolerance: answer texts, citations (article, offsets, quote) and abstentions must be identical;
scores may differ by SCORE_TOLERANCE, since Milvus computes BM25's statistics itself.
"""

from __future__ import annotations

import pytest

from index import build_index
from index.stores.milvus_build import build_milvus
from qa import answer
from tests.conftest import SEEDS
from tests.qa.test_seeds_integration import ANSWERABLE, UNANSWERABLE

pytestmark = pytest.mark.models
SCORE_TOLERANCE = 0.02


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("seeds-both")
    build_index([SEEDS], root / "index")
    build_milvus([SEEDS], f"milvus:{root / 'archive.db'}")
    return root / "index", f"milvus:{root / 'archive.db'}"


def same(a, b):
    assert (b.text, b.abstained, b.citations) == (a.text, a.abstained, a.citations)
    assert b.score == pytest.approx(a.score, abs=SCORE_TOLERANCE)


@pytest.mark.parametrize("question", [q for q, _, _ in ANSWERABLE] + UNANSWERABLE)
def test_the_sentence_reader_answers_alike_from_both_stores(both, question):
    index_dir, store = both
    same(answer(question, index_dir=index_dir, reader="sentence"), answer(question, store=store, reader="sentence"))


def test_the_llm_reader_gives_the_same_answer_and_citation(both):
    index_dir, store = both
    question, expected, evidence = ANSWERABLE[0]  # "Who led the armed group?"
    from_milvus = answer(question, store=store)
    same(answer(question, index_dir=index_dir), from_milvus)
    assert from_milvus.text == expected and evidence in from_milvus.citations[0].quote
