"""Hybrid retrieval: dense FAISS search and BM25, fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.embed import Embedder
from index.store import CorpusIndex
from qa.types import Hit

DEFAULT_TOP_K = 4
RRF_K = 60
CANDIDATES = 50


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """Fuse ranked lists of ids: ``score(id) = sum over lists of 1 / (k + rank)``, rank from 1.

    Returns:
        Fused score by id, for every id that appears in any list.
    """
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


class HybridRetriever:
    """Finds the chunks most relevant to a question.

    Args:
        index: A loaded index.
        embedder: The model the index was built with.
        candidates: How deep each of the dense and BM25 lists goes before fusion.
    """

    def __init__(self, index: CorpusIndex, embedder: Embedder, *, candidates: int = CANDIDATES):
        self.index = index
        self.embedder = embedder
        self.candidates = candidates

    def embed_query(self, question: str) -> np.ndarray:
        return self.embedder.embed([question])[0]

    def search(self, question: str, top_k: int = DEFAULT_TOP_K, *, query_vector: np.ndarray | None = None) -> list[Hit]:
        """The ``top_k`` best chunks for ``question``, best first."""
        if top_k <= 0:
            raise ValueError(f"top_k must be greater than 0, got {top_k}")
        total = len(self.index.chunks)
        depth = min(self.candidates, total)
        vector = self.embed_query(question) if query_vector is None else query_vector
        _, dense_rows = self.index.vectors.search(vector[None, :].astype(np.float32), depth)
        dense_ranking = [int(r) for r in dense_rows[0] if r >= 0]
        lexical = self.index.bm25.scores(question)
        lexical_ranking = [int(r) for r in np.argsort(-lexical, kind="stable")[:depth] if lexical[r] > 0]
        fused = reciprocal_rank_fusion([dense_ranking, lexical_ranking])
        best = sorted(fused, key=lambda r: (-fused[r], r))[:top_k]
        dense = self.index.chunk_vectors(best) @ vector
        return [
            Hit(self.index.chunks[row], fused[row], float(d), float(lexical[row]))
            for row, d in zip(best, dense, strict=True)
        ]
