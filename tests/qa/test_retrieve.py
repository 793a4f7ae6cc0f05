import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from index import build_index, load_index
from qa.retrieve import HybridRetriever, reciprocal_rank_fusion, top_rows


def test_reciprocal_rank_fusion_by_hand():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2] == pytest.approx(1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert sorted(fused, key=lambda i: -fused[i]) == [1, 3, 2]


@given(st.lists(st.integers(0, 4), max_size=40), st.integers(0, 45))
def test_top_rows_is_a_stable_descending_sort_cut_at_k(values, k):
    scores = np.asarray(values, dtype=np.float32)  # few distinct values: many ties at the cut
    assert top_rows(scores, k).tolist() == np.argsort(-scores, kind="stable")[:k].tolist()


def test_hybrid_search_finds_the_right_article(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    retriever = HybridRetriever(load_index(tmp_path / "ix"), embedder)
    hits = retriever.search("How many residents were evacuated in Brackwater?", top_k=2)
    assert hits[0].chunk.article_id == "sub/floods"
    assert hits[0].score >= hits[1].score
    assert hits[0].lexical > 0
    with pytest.raises(ValueError, match="top_k must be greater than 0, got 0"):
        retriever.search("x", top_k=0)


def test_modes_use_one_list_or_both(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    index = load_index(tmp_path / "ix")
    question = "How many residents were evacuated in Brackwater?"
    bm25_only = HybridRetriever(index, embedder, mode="bm25").search(question, top_k=10)
    # BM25 alone returns only chunks sharing a word with the question.
    assert bm25_only and all(h.lexical > 0 for h in bm25_only)
    dense_only = HybridRetriever(index, embedder, mode="dense").search(question, top_k=10)
    assert len(dense_only) == len(index.chunks)
    with pytest.raises(ValueError, match="mode must be one of"):
        HybridRetriever(index, embedder, mode="sparse")


def test_hybrid_score_is_cosine_plus_scaled_bm25(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    index = load_index(tmp_path / "ix")
    question = "Who led the repair crew on the harbour bridge?"
    hits = HybridRetriever(index, embedder, lexical_weight=0.5).search(question, top_k=3)
    best_bm25 = index.bm25.scores(question).max()
    for hit in hits:
        assert hit.score == pytest.approx(hit.dense + 0.5 * hit.lexical / best_bm25, rel=1e-5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
