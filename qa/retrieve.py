"""Hybrid retrieval: dense FAISS search and BM25, fused.

The default fusion adds the dense score and the BM25 score scaled by the query's best BM25 score
(``dense + LEXICAL_WEIGHT * bm25 / max_bm25``) over the union of both candidate lists. A chunk's
dense score blends the cosine of its vector (the mean of its sentences') with that of its best
sentence, since a question is usually answered by one sentence (benchmarks/sentence_vectors.py). Measured on
SQuAD v1.1 dev (docs/quality.md), it beats reciprocal rank fusion, which is kept as ``mode="rrf"``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.embed import Embedder
from index.store import CorpusIndex
from qa.types import Hit

DEFAULT_TOP_K = 4
RRF_K = 60
CANDIDATES = 50
LEXICAL_WEIGHT = 0.5
# Share of a chunk's dense score that comes from its best sentence; the rest from its vector.
BEST_SENTENCE_WEIGHT = 0.5
MODES = ("hybrid", "rrf", "dense", "bm25")


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


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, highest first, ties in index order.

    The same as ``np.argsort(-scores, kind="stable")[:k]`` without sorting every score: a
    100k-article index has ~184k chunks, for a top 50. Selection is slow when most scores are
    equal, so leave out the zeros of sparse scores first.
    """
    n = scores.size
    if k >= n:
        return np.argsort(-scores, kind="stable")
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    kth = np.partition(scores, n - k)[n - k]  # the k-th highest score
    above = np.flatnonzero(scores > kth)
    rows = np.concatenate([above, np.flatnonzero(scores == kth)[: k - above.size]])
    return rows[np.lexsort((rows, -scores[rows]))]


class HybridRetriever:
    """Finds the chunks most relevant to a question.

    Args:
        index: A loaded index.
        embedder: The model the index was built with.
        candidates: How deep each of the dense and BM25 lists goes before fusion.
        mode: ``"hybrid"`` (cosine + scaled BM25), ``"rrf"`` (reciprocal rank fusion of the two
            lists), ``"dense"`` or ``"bm25"`` alone.
        lexical_weight: Weight of the scaled BM25 score in ``"hybrid"``.
    """

    def __init__(
        self,
        index: CorpusIndex,
        embedder: Embedder,
        *,
        candidates: int = CANDIDATES,
        mode: str = "hybrid",
        lexical_weight: float = LEXICAL_WEIGHT,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.index = index
        self.embedder = embedder
        self.candidates = candidates
        self.mode = mode
        self.lexical_weight = lexical_weight

    def dense_scores(self, rows: Sequence[int], vector: np.ndarray) -> np.ndarray:
        """Each chunk row's dense score: its vector's cosine blended with its best sentence's."""
        if not rows:
            return np.zeros(0, dtype=np.float32)
        index = self.index
        best = np.empty(len(rows), dtype=np.float32)
        for i, row in enumerate(rows):
            chunk = index.chunks[row]
            sentences = index.vectors_of_sentences(chunk.article_id, chunk.first_sentence, chunk.last_sentence)
            best[i] = (sentences @ vector).max()
        return BEST_SENTENCE_WEIGHT * best + (1 - BEST_SENTENCE_WEIGHT) * (index.chunk_vectors(rows) @ vector)

    def embed_query(self, question: str) -> np.ndarray:
        return self.embedder.embed([question])[0]

    def search(
        self,
        question: str,
        top_k: int = DEFAULT_TOP_K,
        *,
        query_vector: np.ndarray | None = None,
        allowed: Sequence[int] | None = None,
    ) -> list[Hit]:
        """The ``top_k`` best chunks for ``question``, best first.

        Args:
            question: The question.
            top_k: How many chunks to return.
            query_vector: The question's embedding, when already computed.
            allowed: Only these chunk rows may be returned (a filter); None allows all. Filtered
                searches score every allowed chunk exactly, so a narrow filter loses nothing.
        """
        if top_k <= 0:
            raise ValueError(f"top_k must be greater than 0, got {top_k}")
        vector = self.embed_query(question) if query_vector is None else query_vector
        lexical = self.index.bm25.scores(question)
        if allowed is None:
            depth = min(self.candidates, len(self.index.chunks))
            dense_ranking = self.index.nearest(vector, depth)
        else:
            rows = np.asarray(sorted(set(allowed)), dtype=np.int64)
            if rows.size == 0:
                return []
            depth = min(self.candidates, rows.size)
            cosine_all = self.index.chunk_vectors(rows.tolist()) @ vector
            dense_ranking = [int(rows[i]) for i in top_rows(cosine_all, depth)]
            mask = np.zeros(len(lexical), dtype=bool)
            mask[rows] = True
            lexical = np.where(mask, lexical, 0.0)
        # Only chunks sharing a word with the question: most scores are 0, and selecting among
        # that many equal values is slow (184k chunks: 22 ms, against 0.3 ms for the positive ones).
        positive = np.flatnonzero(lexical > 0)
        lexical_ranking = positive[top_rows(lexical[positive], depth)].tolist()
        dense: dict[int, float] = {}
        if self.mode == "hybrid":
            candidates = list(dict.fromkeys([*dense_ranking, *lexical_ranking]))
            dense = dict(zip(candidates, self.dense_scores(candidates, vector).tolist(), strict=True))
            scale = self.lexical_weight / max(float(lexical.max()), 1e-9)
            scores = {row: d + scale * float(lexical[row]) for row, d in dense.items()}
        else:
            rankings = {"rrf": [dense_ranking, lexical_ranking], "dense": [dense_ranking], "bm25": [lexical_ranking]}
            scores = reciprocal_rank_fusion(rankings[self.mode])
        best = sorted(scores, key=lambda r: (-scores[r], r))[:top_k]
        if not dense:
            dense = dict(zip(best, self.dense_scores(best, vector).tolist(), strict=True))
        return [Hit(self.index.chunks[row], scores[row], dense[row], float(lexical[row])) for row in best]
