"""Sentence embeddings for chunks and queries."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.models import resolve_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_BATCH_SIZE = 32


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def name(self) -> str:
        """The model's name, recorded in the index manifest."""
        ...

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), dimension)``, rows of unit length."""
        ...


@functools.cache
def _load_sentence_transformer(location: str) -> SentenceTransformer:
    # Heavy import kept here so that importing index or qa stays cheap.
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a CLI answer should not print a loading bar
    return SentenceTransformer(location, device="cpu")


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use and shared between instances.

    Args:
        model: Model name or local folder; see :func:`index.models.resolve_model`.
        allow_download: Let a hub name be fetched (None: the environment decides).
        batch_size: Texts encoded per forward pass.
    """

    def __init__(
        self,
        model: str = DEFAULT_EMBEDDING_MODEL,
        *,
        allow_download: bool | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self._name = model
        self._allow_download = allow_download
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return self._name

    @property
    def _model(self) -> SentenceTransformer:
        return _load_sentence_transformer(resolve_model(self._name, allow_download=self._allow_download))

    @property
    def dimension(self) -> int:
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"model {self._name!r} does not report its embedding dimension")
        return int(dimension)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
