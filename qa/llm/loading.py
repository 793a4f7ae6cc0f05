"""Loading GGUF models with llama.cpp, once per process, and whether to repack their weights."""

from __future__ import annotations

import atexit
import contextlib
import logging
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
    import llama_cpp._internals as internals
    import llama_cpp.llama as high_level
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

            # Its quiet mode also points the whole process's stdout and stderr at /dev/null while it
            # loads, so an error another thread prints then is lost; llama.cpp's log goes to a logger instead.
            quiet = (high_level.suppress_stdout_stderr, internals.suppress_stdout_stderr)
            _log_to_logging()
            low_level.llama_model_default_params = amended
            for module in (high_level, internals):
                setattr(module, "suppress_stdout_stderr", _not_suppressed)  # noqa: B010
            try:
                loaded[key] = Llama(
                    model_path=path, n_ctx=n_ctx, n_threads=n_threads, n_batch=512, verbose=False, logits_all=False
                )
            finally:
                low_level.llama_model_default_params = defaults
                for module, original in zip((high_level, internals), quiet, strict=True):
                    setattr(module, "suppress_stdout_stderr", original)  # noqa: B010
        return loaded[key]


def _not_suppressed(disable: bool = True) -> contextlib.nullcontext[None]:
    return contextlib.nullcontext()


_log_callback: object = None  # ctypes calls it from C: it must outlive every model


def _log_to_logging() -> None:
    """llama.cpp's messages go to the ``citeqa.llama_cpp`` logger (debug), not stderr: with
    stderr no longer pointed at /dev/null during a load, its notes on the model would be printed."""
    global _log_callback
    if _log_callback is not None:
        return
    import ctypes

    import llama_cpp

    logger = logging.getLogger("citeqa.llama_cpp")

    @llama_cpp.llama_log_callback  # type: ignore[misc]
    def forward(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        logger.debug("%s", text.decode("utf-8", errors="replace").rstrip())

    llama_cpp.llama_log_set(forward, ctypes.c_void_p(0))
    _log_callback = forward


def _close_all() -> None:
    # llama.cpp's own finaliser fails once the interpreter has torn down its modules; close first.
    for llama in _loaded.values():
        llama.close()
    _loaded.clear()
