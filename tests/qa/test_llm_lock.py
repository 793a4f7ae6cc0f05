"""ChatModels of one loaded model take turns on its single llama.cpp context."""

from qa.llm import ChatModel


def test_chat_models_of_one_loaded_model_share_one_lock_and_others_do_not(tmp_path):
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")  # never loaded: only its path names the model
    first, second = ChatModel(str(gguf), repack=False), ChatModel(str(gguf), repack=False)
    # Two pipelines each build their own reader and ChatModel, but load_llama gives them one context.
    assert first._lock is second._lock
    assert ChatModel(str(gguf), n_ctx=1024, repack=False)._lock is not first._lock
    assert ChatModel(str(gguf), repack=True)._lock is not first._lock
