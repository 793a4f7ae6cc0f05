"""Retrieval: a question embedded, then searched for in a store (dense and BM25, fused there).

See :class:`index.stores.SearchSettings` for how the two lists are fused; a chunk's dense score
blends the cosine of its vector (the mean of its sentences') with that of its best sentence.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from index.embed import Embedder
from index.stores import DEFAULT_SEARCH, MODES, SearchSettings, Store
from index.stores.fusion import reciprocal_rank_fusion, top_rows
from qa.questions import validate_top_k
from qa.types import ArticleFilter, Hit

DEFAULT_TOP_K = 4
CANDIDATES = DEFAULT_SEARCH.candidates
LEXICAL_WEIGHT = DEFAULT_SEARCH.lexical_weight

__all__ = [
    "CANDIDATES",
    "DEFAULT_TOP_K",
    "LEXICAL_WEIGHT",
    "MODES",
    "HybridRetriever",
    "reciprocal_rank_fusion",
    "top_rows",
]


class HybridRetriever:
    """Finds the chunks most relevant to a question.

    Args:
        store: A loaded index (any :class:`index.stores.Store`).
        embedder: The model the index was built with.
        settings: How the store searches and fuses (see :class:`index.stores.SearchSettings`).
        candidates: Shorthand for ``settings.candidates``.
        mode: Shorthand for ``settings.mode``: ``"hybrid"``, ``"rrf"``, ``"dense"`` or ``"bm25"``.
        lexical_weight: Shorthand for ``settings.lexical_weight``.
    """

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        settings: SearchSettings = DEFAULT_SEARCH,
        candidates: int | None = None,
        mode: str | None = None,
        lexical_weight: float | None = None,
    ):
        self.settings = replace(
            settings,
            candidates=settings.candidates if candidates is None else candidates,
            mode=settings.mode if mode is None else mode,
            lexical_weight=settings.lexical_weight if lexical_weight is None else lexical_weight,
        )
        self.store = store
        self.embedder = embedder

    def embed_query(self, question: str) -> np.ndarray:
        return self.embedder.embed([question])[0]

    def search(
        self,
        question: str,
        top_k: int = DEFAULT_TOP_K,
        *,
        query_vector: np.ndarray | None = None,
        where: ArticleFilter | None = None,
    ) -> list[Hit]:
        """The ``top_k`` best chunks for ``question``, best first.

        Args:
            question: The question.
            top_k: How many chunks to return.
            query_vector: The question's embedding, when already computed.
            where: Only chunks of the articles this filter allows; None allows all.
        """
        validate_top_k(top_k)
        vector = self.embed_query(question) if query_vector is None else query_vector
        return self.store.search(question, vector, top_k, where=where, settings=self.settings)
