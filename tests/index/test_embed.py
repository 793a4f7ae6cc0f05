import sys
from collections import Counter

import numpy as np
import pytest

import index.embed
from index.embed import (
    ONNX_INT8_MODEL,
    ONNX_QINT8_MODEL,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    make_embedder,
    quantized_onnx_model,
)
from index.errors import ModelNotAvailableError

TEXTS = [
    "Who led the armed group?",
    "The armed group was led by Milan Radoičić, the deputy leader of Serb List.",
    "Serbia has recently made the decision to withdraw some of its troops from the border with Kosovo. " * 12,
    "",
]


def test_make_embedder_picks_the_backend_by_name():
    assert isinstance(make_embedder(ONNX_INT8_MODEL), OnnxEmbedder)
    assert make_embedder(ONNX_INT8_MODEL).name == ONNX_INT8_MODEL
    assert make_embedder(ONNX_QINT8_MODEL).name == ONNX_QINT8_MODEL
    assert isinstance(make_embedder("sentence-transformers/all-MiniLM-L6-v2"), SentenceTransformerEmbedder)


@pytest.mark.models
def test_onnx_int8_agrees_with_the_float_model_and_batches_by_length():
    onnx = OnnxEmbedder(batch_size=2).embed(TEXTS)  # mixed lengths in one call: padding must not leak into pooling
    alone = np.vstack([OnnxEmbedder().embed([t]) for t in TEXTS])
    torch = SentenceTransformerEmbedder().embed(TEXTS)
    assert onnx.shape == (4, 384) and onnx.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(onnx, alone, atol=1e-4)
    agreement = (onnx * torch).sum(axis=1)
    assert agreement.min() > 0.99, agreement
    assert OnnxEmbedder().embed([]).shape == (0, 384)


@pytest.mark.models
def test_int8_model_is_made_once_computes_in_int8_and_agrees_with_the_float_model(tmp_path, monkeypatch):
    import onnx

    monkeypatch.setenv("CITEQA_CACHE", str(tmp_path))
    made = []
    real = index.embed.quantized_onnx_model
    monkeypatch.setattr(index.embed, "quantized_onnx_model", lambda *a: made.append(a[1]) or real(*a))
    vectors = OnnxEmbedder(quantized=True, batch_size=2).embed(TEXTS)
    OnnxEmbedder(quantized=True).embed(TEXTS[:1])  # a second embedder finds the model already made
    assert len(made) == 1 and made[0].parent == tmp_path / "models" and made[0].exists()
    assert [p.name for p in made[0].parent.iterdir()] == [made[0].name]  # no temporary files left behind
    ops = Counter(node.op_type for node in onnx.load(str(made[0])).graph.node)
    assert ops["MatMulInteger"] >= 36, ops  # 6 layers x (q, k, v, output, 2 feed-forward)
    torch = SentenceTransformerEmbedder().embed(TEXTS)
    agreement = (vectors * torch).sum(axis=1)
    assert agreement.min() > 0.95, agreement
    # The question is still nearer the sentence that answers it than to the unrelated one.
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_making_the_int8_model_without_onnx_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime.quantization", None)  # import fails, as when onnx is missing
    with pytest.raises(ModelNotAvailableError, match="onnx and onnxruntime"):
        quantized_onnx_model(tmp_path / "model.onnx", tmp_path / "out.onnx")
