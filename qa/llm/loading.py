"""Loading GGUF models with llama.cpp, once per process, and whether to repack their weights."""

from __future__ import annotations

import atexit
import os
import threading
from typing import TYPE_CHECKING

from qa.llm.packaging import PACKAGED_GGUF

if TYPE_CHECKING:
    from llama_cpp import Llama

REPACK_ENV = "CITEQA_LLM_REPACK"


def repacks(name_or_path: str, *, prefer: bool | None = None) -> bool:
    """Whether the model's weights are repacked at load.

    In order: ``$CITEQA_LLM_REPACK`` (1 or 0), then the caller's ``prefer`` (a process that loads
    once and answers many questions, such as the chat server or an evaluation, gains from
    repacking; a one-question command does not), then the packaged model's choice, else
    llama.cpp's (yes).
    """
    setting = os.environ.get(REPACK_ENV, "").strip()
    if setting:
        if setting not in ("0", "1"):
            raise ValueError(f"${REPACK_ENV} must be 0 or 1, got {setting!r}")
        return setting == "1"
    if prefer is not None:
        return prefer
    model = PACKAGED_GGUF.get(name_or_path)
    return model.repack if model is not None else True


_loaded: dict[tuple[str, int, int, bool], Llama] = {}
_load_lock = threading.Lock()
_model_locks: dict[tuple[str, int, int, bool], threading.Lock] = {}


def model_lock(path: str, n_ctx: int, n_threads: int, repack: bool) -> threading.Lock:
    """The lock of the model :func:`load_llama` loads for these arguments: one llama.cpp context
    serves one caller at a time, whichever object asks."""
    with _load_lock:
        return _model_locks.setdefault((path, n_ctx, n_threads, repack), threading.Lock())


def load_llama(
    path: str,
    n_ctx: int,
    n_threads: int,
    repack: bool = True,
    *,
    cache: dict[tuple[str, int, int, bool], Llama] | None = None,
) -> Llama:
    """Load a GGUF file with llama.cpp, once per (path, context size, threads, repacking).

    ``cache`` holds the loaded models (default: this process's, closed at exit).
    """
    import llama_cpp.llama_cpp as low_level
    from llama_cpp import Llama

    key = (path, n_ctx, n_threads, repack)
    loaded = _loaded if cache is None else cache
    with _load_lock:
        if key not in loaded:
            if not _loaded and cache is None:
                atexit.register(_close_all)
            # Llama() takes no argument for llama.cpp's use_extra_bufts (weight repacking), so its
            # defaults are amended for this one construction; every load runs under this lock.
            defaults = low_level.llama_model_default_params

            def amended() -> low_level.llama_model_params:
                params = defaults()
                params.use_extra_bufts = repack
                return params

            low_level.llama_model_default_params = amended
            try:
                loaded[key] = Llama(
                    model_path=path, n_ctx=n_ctx, n_threads=n_threads, n_batch=512, verbose=False, logits_all=False
                )
            finally:
                low_level.llama_model_default_params = defaults
        return loaded[key]


def _close_all() -> None:
    # llama.cpp's own finaliser fails once the interpreter has torn down its modules; close first.
    for llama in _loaded.values():
        llama.close()
    _loaded.clear()
