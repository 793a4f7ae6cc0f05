"""What the answering layer needs of a store, whichever engine holds the index.

The embedded store (:class:`index.stores.embedded.CorpusIndex`: FAISS, SQLite and a BM25 matrix in
one folder) is the default; a store backed by a search engine implements the same Protocol, so the
pipeline and readers never see which one they talk to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from index.types import Article, ArticleFilter, Chunk, Hit, Sentence

MODES = ("hybrid", "rrf", "dense", "bm25")


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchSettings:
    """How a question's passages are found and fused.

    The default fusion adds the dense score and the BM25 score scaled by the question's best BM25
    score (``dense + lexical_weight * bm25 / max_bm25``) over the union of both candidate lists;
    on SQuAD it beat reciprocal rank fusion, which is kept as ``mode="rrf"`` (docs/quality.md).

    Attributes:
        candidates: How deep each of the dense and BM25 lists goes before fusion.
        mode: ``"hybrid"``, ``"rrf"`` (reciprocal rank fusion of the two lists), ``"dense"`` or ``"bm25"``.
        lexical_weight: Weight of the scaled BM25 score in ``"hybrid"``.
        best_sentence_weight: Share of a chunk's dense score that comes from its best sentence
            (a question is usually answered by one sentence); the rest from the chunk's vector.
        rrf_k: The constant of reciprocal rank fusion.
    """

    candidates: int = 50
    mode: str = "hybrid"
    lexical_weight: float = 0.5
    best_sentence_weight: float = 0.5
    rrf_k: int = 60

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.candidates <= 0:
            raise ValueError(f"candidates must be greater than 0, got {self.candidates}")


DEFAULT_SEARCH = SearchSettings()


@runtime_checkable
class Store(Protocol):
    """A loaded, searchable index of articles: what retrieval, evidence ranking and citing read.

    Offsets in every record are characters into ``articles[id].text``, half-open.
    """

    @property
    def generation(self) -> str:
        """Names the version of the index that was loaded; a new one means reload."""
        ...

    @property
    def embedding_model(self) -> str:
        """The embedding model the vectors were made with; questions must be embedded with it."""
        ...

    @property
    def articles(self) -> Mapping[str, Article]:
        """Every article, by id."""
        ...

    @property
    def sentences(self) -> Mapping[str, Sequence[Sentence]]:
        """Each article's sentences, in order."""
        ...

    @property
    def chunks(self) -> Sequence[Chunk]:
        """Every chunk."""
        ...

    def vectors_of_sentences(self, article_id: str, first: int, last: int) -> np.ndarray:
        """Stored vectors of sentences ``first``..``last - 1`` of an article, float32, normalised."""
        ...

    def lexical_overlap(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """For each text, the idf-weighted share of the question's terms that it holds (0..1)."""
        ...

    def search(
        self,
        question: str,
        vector: np.ndarray,
        top_k: int,
        *,
        where: ArticleFilter | None = None,
        settings: SearchSettings = DEFAULT_SEARCH,
    ) -> list[Hit]:
        """The ``top_k`` best chunks for the question (and its embedding), best first, from the
        articles ``where`` allows (all when None)."""
        ...
