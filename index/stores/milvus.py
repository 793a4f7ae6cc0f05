"""The Milvus store: citeqa's index in Milvus Lite, Standalone or Distributed (implements :class:`Store`).

Searching runs in the engine: the dense list (HNSW over the chunk vectors), the BM25 list (Milvus's
BM25 function over citeqa's terms) and every date and article filter (Milvus filter expressions).
Only the fusion of the two lists runs here, as in the embedded store (``dense + lexical_weight *
bm25 / max_bm25`` over their union, a chunk's dense score blended with its best sentence's), so
both stores rank alike; ``mode="rrf"`` is Milvus's own ``hybrid_search`` with an ``RRFRanker``.
Records are read on demand and cached per loaded generation. The layout is in
:mod:`index.stores.milvus_schema`.

Example:
    >>> store = open_milvus("milvus:./archive.db")  # doctest: +SKIP
    >>> store.search("Who led the armed group?", vector, 4)[0].chunk.article_id  # doctest: +SKIP
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.bm25 import tokenize
from index.dedup import newest_key
from index.stores.base import DEFAULT_SEARCH, SearchSettings
from index.stores.milvus_lazy import LazyArticles, LazyChunks, LazySentences, Records
from index.stores.milvus_rows import CHUNK_FIELDS, chunk_from, filter_expression, in_batches, render, row_id
from index.stores.milvus_schema import (
    GENERATION_KEY,
    HNSW_EF_SEARCH,
    WRITING_KEY,
    MilvusLocation,
    MilvusManifest,
    check_collections,
    check_manifest,
    connect,
    parse_location,
    read_properties,
)
from index.types import ArticleFilter, Hit

_Candidate = tuple[str, int]  # (article id, chunk index)


class MilvusStore:
    """A citeqa index held in Milvus, opened at one generation (see :func:`open_milvus`).

    Attributes:
        location: Where it is.
        manifest: What built it.
        generation: The generation opened; a new one (after a write) means reopen.
        interrupted: A write was killed part-way: what it finished is here, the rest is not yet;
            the next ``citeqa index`` completes it.
    """

    def __init__(self, client: Any, location: MilvusLocation, manifest: MilvusManifest, properties: dict[str, str]):
        self.client = client
        self.location = location
        self.manifest = manifest
        self.generation = f"milvus-{properties.get(GENERATION_KEY, '0')}"
        self.interrupted = bool(properties.get(WRITING_KEY))
        self.records = Records(client, location)
        self.articles = LazyArticles(self.records)
        self.sentences = LazySentences(self.records)
        self.chunks = LazyChunks(self.records)
        self._df: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def embedding_model(self) -> str:
        return self.manifest.embedding_model

    def vectors_of_sentences(self, article_id: str, first: int, last: int) -> np.ndarray:
        found = self.records.sentence_vector_rows([(article_id, first, last)])
        if any((article_id, i) not in found for i in range(first, last)):
            raise KeyError(f"{article_id!r} has no sentences {first}..{last - 1} in {self.location}")
        return np.vstack([found[(article_id, i)] for i in range(first, last)]).reshape(last - first, -1)

    def lexical_overlap(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """As :meth:`index.bm25.BM25.overlap`, with each term's document frequency counted by Milvus."""
        terms = sorted(set(tokenize(question)))
        if not terms:
            return np.zeros(len(texts), dtype=np.float32)
        n_docs = self.records.chunk_count
        idf = {t: math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)) for t, df in self._doc_freq(terms).items()}
        total = sum(idf.values())
        return np.asarray(
            [sum(idf[t] for t in idf.keys() & set(tokenize(text))) / total for text in texts], dtype=np.float32
        )

    def _doc_freq(self, terms: Sequence[str]) -> dict[str, int]:
        missing = [t for t in terms if t not in self._df]
        for term in missing:  # a term is \w+: no quote can end the literal early
            self._df[term] = self.records.count("chunks", f"TEXT_MATCH(terms, '{term}')")
        return {t: self._df[t] for t in terms}

    def search(
        self,
        question: str,
        vector: np.ndarray,
        top_k: int,
        *,
        where: ArticleFilter | None = None,
        settings: SearchSettings = DEFAULT_SEARCH,
    ) -> list[Hit]:
        """The ``top_k`` best chunks, best first, of the articles ``where`` allows (filtered in Milvus)."""
        if top_k <= 0:
            raise ValueError(f"top_k must be greater than 0, got {top_k}")
        expr = filter_expression(where)
        depth = min(settings.candidates, self.records.chunk_count)
        if depth == 0:
            return []
        query = np.asarray(vector, dtype=np.float32).ravel()
        terms = " ".join(tokenize(question))
        rows: dict[_Candidate, dict] = {}  # chunk rows the searches returned, vectors included
        if settings.mode == "rrf":
            fused = self._engine_rrf(query, terms, depth, expr, settings.rrf_k, rows)
            lexical = self._bm25(terms, list(fused), depth, expr, rows) if terms else {}
            return self._hits(self._one_version_per_story(fused), top_k, query, settings, lexical, {}, rows)
        dense_list = self._ann(query, depth, expr, rows)
        lexical = self._bm25(terms, [], depth, expr, rows) if terms else {}
        lexical_list = sorted(lexical, key=lambda c: (-lexical[c], c))
        dense: dict[_Candidate, float] = {}
        if settings.mode == "hybrid":
            candidates = list(dict.fromkeys([*dense_list, *lexical_list]))
            top_lexical = max(lexical.values(), default=0.0)
            if terms:
                lexical |= self._bm25(terms, [c for c in candidates if c not in lexical], depth, expr, rows)
            dense = self._dense_scores(candidates, query, settings, rows)
            scale = settings.lexical_weight / max(top_lexical, 1e-9)
            scores = {c: d + scale * lexical.get(c, 0.0) for c, d in dense.items()}
        else:
            ranking = dense_list if settings.mode == "dense" else lexical_list
            # One list: its reciprocal-rank score, as the embedded store gives (fusion.reciprocal_rank_fusion).
            scores = {c: 1.0 / (settings.rrf_k + rank) for rank, c in enumerate(ranking, start=1)}
        return self._hits(self._one_version_per_story(scores), top_k, query, settings, lexical, dense, rows)

    def _hits(
        self,
        scores: dict[_Candidate, float],
        top_k: int,
        query: np.ndarray,
        settings: SearchSettings,
        lexical: dict[_Candidate, float],
        dense: dict[_Candidate, float],
        rows: dict[_Candidate, dict],
    ) -> list[Hit]:
        best = sorted(scores, key=lambda c: (-scores[c], c))[:top_k]
        if not dense:
            dense = self._dense_scores(best, query, settings, rows)
        texts = self.records.texts(sorted({a for a, _ in best}))
        return [
            Hit(chunk=chunk_from(rows[c], texts[c[0]]), score=scores[c], dense=dense[c], lexical=lexical.get(c, 0.0))
            for c in best
        ]

    def _ann(self, query: np.ndarray, depth: int, expr: str, rows: dict[_Candidate, dict]) -> list[_Candidate]:
        found = self.client.search(
            self.location.name("chunks"),
            data=[query.tolist()],
            anns_field="vector",
            limit=depth,
            filter=expr,
            output_fields=ROW_FIELDS,
            search_params={"metric_type": "IP", "params": {"ef": max(HNSW_EF_SEARCH, depth)}},
        )[0]
        return _keep(found, rows)

    def _bm25(
        self, terms: str, only: list[_Candidate], depth: int, expr: str, rows: dict[_Candidate, dict]
    ) -> dict[_Candidate, float]:
        """BM25 scores from Milvus: of the best ``depth`` chunks, or of the chunks ``only`` names."""
        scored: dict[_Candidate, float] = {}
        batches = list(in_batches([row_id(a, i) for a, i in only])) if only else [[]]
        for pks in batches:
            where = render("pk in {pks}", {"pks": pks}) if only else expr
            found = self.client.search(
                self.location.name("chunks"),
                data=[terms],
                anns_field="sparse",
                limit=len(pks) if only else depth,
                filter=where,
                output_fields=ROW_FIELDS,
                search_params={"metric_type": "BM25"},
            )[0]
            # Milvus Lite reports BM25 scores negated (still best first); a server, positive.
            scored |= dict(zip(_keep(found, rows), (abs(float(r["distance"])) for r in found), strict=True))
        return scored

    def _engine_rrf(
        self, query: np.ndarray, terms: str, depth: int, expr: str, k: int, rows: dict[_Candidate, dict]
    ) -> dict[_Candidate, float]:
        from pymilvus import AnnSearchRequest, RRFRanker

        requests = [AnnSearchRequest(data=[query.tolist()], anns_field="vector", param={}, limit=depth, expr=expr)]
        if terms:
            requests.append(AnnSearchRequest(data=[terms], anns_field="sparse", param={}, limit=depth, expr=expr))
        found = self.client.hybrid_search(
            self.location.name("chunks"), requests, RRFRanker(k), limit=2 * depth, output_fields=ROW_FIELDS
        )[0]
        return dict(zip(_keep(found, rows), (float(r["distance"]) for r in found), strict=True))

    def _dense_scores(
        self,
        candidates: Sequence[_Candidate],
        query: np.ndarray,
        settings: SearchSettings,
        rows: dict[_Candidate, dict],
    ) -> dict[_Candidate, float]:
        """Each chunk's vector's cosine blended with its best sentence's, as the embedded store scores."""
        if not candidates:
            return {}
        rows |= self.records.chunk_rows([c for c in candidates if c not in rows], with_vectors=True)
        spans = [(a, int(rows[(a, i)]["first_sentence"]), int(rows[(a, i)]["last_sentence"])) for a, i in candidates]
        sentences = self.records.sentence_vector_rows(spans)
        weight = settings.best_sentence_weight
        scores = {}
        for key, (article_id, first, last) in zip(candidates, spans, strict=True):
            row = rows[key]
            best = max(float(sentences[(article_id, i)] @ query) for i in range(first, last))
            cosine = float(np.asarray(row["vector"], dtype=np.float32) @ query)
            scores[key] = weight * best + (1 - weight) * cosine
        return scores

    def _one_version_per_story(self, scores: dict[_Candidate, float]) -> dict[_Candidate, float]:
        """``scores`` less chunks of articles not (or not wholly) indexed, and of all but the newest
        candidate article of each near-duplicate story (as :meth:`CorpusIndex.one_version_per_story`)."""
        meta = self.records.metadata(sorted({a for a, _ in scores}))
        members: dict[str, list] = {}
        for article in meta.values():
            if article.story:
                members.setdefault(article.story, []).append(article)
        keep = {max(group, key=newest_key).id for group in members.values()}
        return {c: s for c, s in scores.items() if c[0] in meta and (not meta[c[0]].story or c[0] in keep)}


ROW_FIELDS = [*CHUNK_FIELDS, "vector"]


def _keep(found: Sequence[dict], rows: dict[_Candidate, dict]) -> list[_Candidate]:
    """The keys of a search's results, in its order, keeping their rows in ``rows``."""
    keys = []
    for hit in found:
        key = (str(hit["entity"]["article_id"]), int(hit["entity"]["idx"]))
        rows[key] = hit["entity"]
        keys.append(key)
    return keys


def open_milvus(
    location: str | MilvusLocation, *, embedding_model: str | None = None, client: Any = None
) -> MilvusStore:
    """Open the citeqa store at a Milvus location, checking what built it.

    Args:
        location: ``milvus:PATH`` (Milvus Lite), ``http(s)://host:port`` or a :class:`MilvusLocation`.
        embedding_model: Refuse a store built with another model (None: accept any).
        client: An open ``MilvusClient`` to reuse (a Lite file admits one client per process).

    Raises:
        StoreUnreachableError: No server answers, or the Lite file cannot be opened.
        IndexNotFoundError: No citeqa store there.
        IndexCorruptError: Another format, or one of its collections was dropped.
        IndexMismatchError: Built with another embedding model.
    """
    where = parse_location(location)
    client = client or connect(where)
    properties = read_properties(client, where)
    manifest = check_manifest(where, properties, embedding_model)
    check_collections(client, where)
    return MilvusStore(client, where, manifest, properties)


def live_generation(store: MilvusStore) -> str:
    """The generation the store's engine holds now (differs from ``store.generation`` after a write)."""
    return f"milvus-{read_properties(store.client, store.location).get(GENERATION_KEY, '0')}"
