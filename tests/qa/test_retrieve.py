import pytest

from index import build_index, load_index
from qa.retrieve import HybridRetriever, reciprocal_rank_fusion


def test_reciprocal_rank_fusion_by_hand():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2] == pytest.approx(1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert sorted(fused, key=lambda i: -fused[i]) == [1, 3, 2]


def test_hybrid_search_finds_the_right_article(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    retriever = HybridRetriever(load_index(tmp_path / "ix"), embedder)
    hits = retriever.search("How many residents were evacuated in Brackwater?", top_k=2)
    assert hits[0].chunk.article_id == "sub/floods"
    assert hits[0].score >= hits[1].score
    assert hits[0].lexical > 0
    with pytest.raises(ValueError, match="top_k must be greater than 0, got 0"):
        retriever.search("x", top_k=0)
