"""The embedded store: FAISS vectors, a BM25 matrix and the records of one index folder, in memory.

It is citeqa's default store (see :mod:`index.stores.generations` for how a folder is laid out and
swapped atomically). Hybrid search runs here: dense FAISS search and BM25, fused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.bm25 import BM25
from index.dedup import newest_key
from index.stores.base import DEFAULT_SEARCH, SearchSettings
from index.stores.fusion import reciprocal_rank_fusion, top_rows
from index.stores.manifest import Manifest
from index.types import Article, ArticleFilter, Chunk, Hit, Sentence

# From this many chunks on, vectors go into an approximate index (HNSW over 8-bit scalar-quantised
# vectors) instead of an exact flat one: exact search at 1M vectors costs ~145 ms a query on 2 cores,
# HNSW-SQ8 under 2 ms (docs/performance.md has the measurements and the HNSW parameters' sweep).
APPROXIMATE_FROM_CHUNKS = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 1024


def vector_index(vectors: np.ndarray, *, approximate_from: int = APPROXIMATE_FROM_CHUNKS) -> Any:
    """A FAISS inner-product index holding ``vectors``: exact below ``approximate_from`` rows, HNSW-SQ8 from there."""
    import faiss

    data = np.ascontiguousarray(vectors, dtype=np.float32)
    d = data.shape[1]
    index: Any
    if len(data) < approximate_from:
        index = faiss.IndexFlatIP(d)
    else:
        quantizer: Any = faiss.ScalarQuantizer.QT_8bit  # an enum value; the stubs say otherwise
        index = faiss.IndexHNSWSQ(d, quantizer, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.train(data)
        index.hnsw.efSearch = HNSW_EF_SEARCH
    index.add(data)
    return index


@dataclass(frozen=True, slots=True)
class CorpusIndex:
    """A loaded index, held in memory (implements :class:`index.stores.Store`).

    Attributes:
        directory: The index folder.
        generation: Name of the generation that was loaded.
        manifest: What built it.
        articles: Articles by id.
        sentences: Each article's sentences in order.
        chunks: Chunks in vector-row order: ``chunks[i]`` has vector row ``i``.
        vectors: The FAISS index (inner product over normalised vectors).
        bm25: BM25 over the chunk texts, rows aligned with ``chunks``.
        sentence_vectors: One normalised float16 vector per sentence (memory-mapped from disk).
        sentence_rows: Row in ``sentence_vectors`` of each article's first sentence; an
            article's sentences have consecutive rows.
        bm25_outdated: The stored BM25 was made by an older tokenizer and ``bm25`` was rebuilt
            in memory; the next :func:`index.build_index` writes it out.
    """

    directory: Path
    generation: str
    manifest: Manifest
    articles: Mapping[str, Article]
    sentences: Mapping[str, Sequence[Sentence]]
    chunks: Sequence[Chunk]
    vectors: Any
    bm25: BM25
    sentence_vectors: np.ndarray
    sentence_rows: Mapping[str, int]
    bm25_outdated: bool = False

    @property
    def embedding_model(self) -> str:
        return self.manifest.embedding_model

    def vectors_of_sentences(self, article_id: str, first: int, last: int) -> np.ndarray:
        """Vectors of sentences ``first``..``last - 1`` of an article, as float32."""
        row = self.sentence_rows[article_id]
        return np.asarray(self.sentence_vectors[row + first : row + last], dtype=np.float32)

    def lexical_overlap(self, question: str, texts: Sequence[str]) -> np.ndarray:
        return self.bm25.overlap(question, texts)

    def nearest(self, vector: np.ndarray, k: int) -> list[int]:
        """Rows of the ``k`` chunks whose vectors have the largest inner product with ``vector``.

        One query is searched on one thread: FAISS's OpenMP threads cost more than they save on
        a single query, most of all while onnxruntime's threads still spin after embedding it.
        """
        import faiss

        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)  # OpenMP keeps this per thread: other threads are not slowed
        try:
            _, rows = self.vectors.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        finally:
            faiss.omp_set_num_threads(threads)
        return [int(r) for r in rows[0] if r >= 0]

    def chunk_vectors(self, rows: Sequence[int] | None = None) -> np.ndarray:
        """Stored vectors of the given chunk rows (all rows when None)."""
        if rows is None:
            return self.vectors.reconstruct_n(0, self.vectors.ntotal)
        return (
            np.vstack([self.vectors.reconstruct(int(r)) for r in rows])
            if rows
            else np.zeros((0, self.manifest.dimension), dtype=np.float32)
        )

    def dense_scores(
        self, rows: Sequence[int], vector: np.ndarray, settings: SearchSettings = DEFAULT_SEARCH
    ) -> np.ndarray:
        """Each chunk row's dense score: its vector's cosine blended with its best sentence's."""
        if not rows:
            return np.zeros(0, dtype=np.float32)
        best = np.empty(len(rows), dtype=np.float32)
        for i, row in enumerate(rows):
            chunk = self.chunks[row]
            sentences = self.vectors_of_sentences(chunk.article_id, chunk.first_sentence, chunk.last_sentence)
            best[i] = (sentences @ vector).max()
        weight = settings.best_sentence_weight
        return weight * best + (1 - weight) * (self.chunk_vectors(rows) @ vector)

    def allowed_rows(self, where: ArticleFilter) -> list[int]:
        """Rows of the chunks of the articles ``where`` allows."""
        ok = {a.id for a in self.articles.values() if where.allows(a.id, a.published)}
        return [row for row, chunk in enumerate(self.chunks) if chunk.article_id in ok]

    def one_version_per_story(self, scores: dict[int, float]) -> dict[int, float]:
        """``scores`` (by chunk row) less the chunks of all but one article of each near-duplicate story.

        The article kept is the newest of the story's articles among the candidates (an updated
        version wins over the first report), so the same story is never returned twice. Rows of
        articles in no story pass through untouched.
        """
        members: dict[str, list[Article]] = {}
        for row in scores:
            article = self.articles[self.chunks[row].article_id]
            if article.story:
                members.setdefault(article.story, []).append(article)
        if not members:
            return scores
        chosen = {story: max(group, key=newest_key).id for story, group in members.items()}
        keep = set(chosen.values())
        return {
            row: score
            for row, score in scores.items()
            if not (article := self.articles[self.chunks[row].article_id]).story or article.id in keep
        }

    def search(
        self,
        question: str,
        vector: np.ndarray,
        top_k: int,
        *,
        where: ArticleFilter | None = None,
        settings: SearchSettings = DEFAULT_SEARCH,
    ) -> list[Hit]:
        """The ``top_k`` best chunks, best first. A filtered search scores every allowed chunk
        exactly, so a narrow filter loses nothing."""
        if top_k <= 0:
            raise ValueError(f"top_k must be greater than 0, got {top_k}")
        lexical = self.bm25.scores(question)
        if where is None or not where.active:
            depth = min(settings.candidates, len(self.chunks))
            dense_ranking = self.nearest(vector, depth)
        else:
            rows = np.asarray(sorted(set(self.allowed_rows(where))), dtype=np.int64)
            if rows.size == 0:
                return []
            depth = min(settings.candidates, rows.size)
            cosine_all = self.chunk_vectors(rows.tolist()) @ vector
            dense_ranking = [int(rows[i]) for i in top_rows(cosine_all, depth)]
            mask = np.zeros(len(lexical), dtype=bool)
            mask[rows] = True
            lexical = np.where(mask, lexical, 0.0)
        # Only chunks sharing a word with the question: most scores are 0, and selecting among
        # that many equal values is slow (184k chunks: 22 ms, against 0.3 ms for the positive ones).
        positive = np.flatnonzero(lexical > 0)
        lexical_ranking = positive[top_rows(lexical[positive], depth)].tolist()
        dense: dict[int, float] = {}
        if settings.mode == "hybrid":
            candidates = list(dict.fromkeys([*dense_ranking, *lexical_ranking]))
            dense = dict(zip(candidates, self.dense_scores(candidates, vector, settings).tolist(), strict=True))
            scale = settings.lexical_weight / max(float(lexical.max()), 1e-9)
            scores = {row: d + scale * float(lexical[row]) for row, d in dense.items()}
        else:
            rankings = {"rrf": [dense_ranking, lexical_ranking], "dense": [dense_ranking], "bm25": [lexical_ranking]}
            scores = reciprocal_rank_fusion(rankings[settings.mode], settings.rrf_k)
        scores = self.one_version_per_story(scores)
        best = sorted(scores, key=lambda r: (-scores[r], r))[:top_k]
        if not dense:
            dense = dict(zip(best, self.dense_scores(best, vector, settings).tolist(), strict=True))
        return [
            Hit(chunk=self.chunks[row], score=scores[row], dense=dense[row], lexical=float(lexical[row]))
            for row in best
        ]
