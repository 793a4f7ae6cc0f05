import numpy as np
import pytest

from index.embed import ONNX_INT8_MODEL, OnnxEmbedder, SentenceTransformerEmbedder, make_embedder

TEXTS = [
    "Who led the armed group?",
    "The armed group was led by Milan Radoičić, the deputy leader of Serb List.",
    "Serbia has recently made the decision to withdraw some of its troops from the border with Kosovo. " * 12,
    "",
]


def test_make_embedder_picks_the_backend_by_name():
    assert isinstance(make_embedder(ONNX_INT8_MODEL), OnnxEmbedder)
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
