"""Greedy decoding with a ChatML prompt, reusing the evaluated state of a shared prompt prefix."""

from __future__ import annotations

import ctypes
import hashlib
import math
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.models import cache_dir
from qa.llm.kv_state import read_state, write_state
from qa.llm.loading import load_llama, model_lock, repacks
from qa.llm.packaging import DEFAULT_LLM, resolve_gguf

if TYPE_CHECKING:
    from llama_cpp import Llama


@dataclass(frozen=True, slots=True)
class Generation:
    """Greedy output of the model.

    Attributes:
        text: The decoded text, stripped.
        token_probs: Probability the model gave each generated token.
        prior: The confidence to assume when no token probabilities are known (a server that
            reports none); None: they are known.
    """

    text: str
    token_probs: tuple[float, ...]
    prior: float | None = None

    @property
    def confidence(self) -> float:
        """Geometric mean of the token probabilities (0 when nothing was generated), or the prior."""
        if not self.token_probs:
            return self.prior or 0.0
        return math.exp(sum(math.log(max(p, 1e-12)) for p in self.token_probs) / len(self.token_probs))


class ChatLLM(Protocol):
    """What the reader, the follow-up rewriter and the FAQ need of an LLM: :class:`ChatModel`
    in-process, or :class:`qa.llm.server.ServerChatModel` over HTTP."""

    @property
    def model(self) -> str:
        """The model's name (a packaged name, a .gguf path, or its name on a server)."""
        ...

    def chat(
        self,
        system: str,
        turns: Sequence[tuple[str, str]],
        user: str,
        *,
        max_tokens: int = 32,
        stop: Sequence[str] = ("\n",),
        on_text: Callable[[str], None] | None = None,
    ) -> Generation:
        """Greedy answer to ``user`` after a system prompt and earlier (user, assistant) turns."""
        ...

    def warm(self, system: str, turns: Sequence[tuple[str, str]]) -> None:
        """Get ready for :meth:`chat` with this system prompt and these turns."""
        ...


class ChatModel:
    """Greedy decoding with a ChatML prompt, reusing the KV cache of a shared prompt prefix.

    Args:
        model: GGUF file path or a packaged model name (see :data:`PACKAGED_GGUF`).
        n_ctx: Context window in tokens.
        n_threads: CPU threads (default: all cores).
        repack: Repack the weights at load (slower load, faster answers); None: as
            :func:`qa.llm.repacks` decides with no preference.
    """

    def __init__(
        self,
        model: str = DEFAULT_LLM,
        *,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        repack: bool | None = None,
    ):
        self.model = model
        self._n_ctx = n_ctx
        self._n_threads = n_threads or os.cpu_count() or 1
        self._repack = repacks(model) if repack is None else repack

    @property
    def _lock(self) -> threading.Lock:
        # Every ChatModel of one loaded model shares its llama.cpp context, so they share one lock:
        # a second pipeline warming up while another answers would otherwise decode into it at once.
        return model_lock(str(resolve_gguf(self.model)), self._n_ctx, self._n_threads, self._repack)

    @property
    def llama(self) -> Llama:
        return load_llama(str(resolve_gguf(self.model)), self._n_ctx, self._n_threads, self._repack)

    def chat(
        self,
        system: str,
        turns: Sequence[tuple[str, str]],
        user: str,
        *,
        max_tokens: int = 32,
        stop: Sequence[str] = ("\n",),
        on_text: Callable[[str], None] | None = None,
    ) -> Generation:
        """Answer ``user`` after a system prompt and earlier (user, assistant) turns."""
        prompt = chatml_prompt(system, turns, user)
        return self.complete(
            prompt, max_tokens=max_tokens, stop=stop, on_text=on_text, prefix=_chatml_prefix(system, turns)
        )

    def warm(self, system: str, turns: Sequence[tuple[str, str]]) -> None:
        """Load the model and its cached state for this system prompt and these turns, ahead of
        the first :meth:`chat` with them (for example on a thread while the index loads)."""
        with self._lock:
            llm = self.llama
            if llm.n_tokens == 0:
                self._restore_prefix(llm, _chatml_prefix(system, turns))

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int = 32,
        stop: Sequence[str] = ("\n",),
        on_text: Callable[[str], None] | None = None,
        prefix: str | None = None,
    ) -> Generation:
        """Greedy continuation of ``prompt`` until a stop string, end of turn or ``max_tokens``.

        ``on_text`` is called with the text decoded so far after each token. ``prefix``, the part of
        the prompt every call shares (system prompt and worked examples), has its evaluated state
        kept on disk, so a fresh process restores it instead of evaluating it again (seconds on 2 cores).
        """
        with self._lock:  # one llama.cpp context: one caller at a time
            llm = self.llama
            if prefix and prompt.startswith(prefix) and llm.n_tokens == 0:
                self._restore_prefix(llm, prefix)
            tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
            if len(tokens) + max_tokens > self._n_ctx:
                tokens = tokens[-(self._n_ctx - max_tokens) :]
            # Keep the cached prefix shared with the previous prompt; evaluate only the rest.
            cached = llm.input_ids[: llm.n_tokens].tolist()
            common = 0
            for a, b in zip(cached, tokens[:-1], strict=False):
                if a != b:
                    break
                common += 1
            llm.n_tokens = common
            llm.eval(tokens[common:])
            eos = {llm.token_eos(), *llm.tokenize(b"<|im_end|>", add_bos=False, special=True)}
            out: list[int] = []
            probs: list[float] = []
            text = ""
            for _ in range(max_tokens):
                logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
                token = int(np.argmax(logits))
                shifted = np.exp(logits - logits[token])
                probs.append(float(1.0 / shifted.sum()))
                if token in eos:
                    probs.pop()
                    break
                out.append(token)
                text = llm.detokenize(out).decode("utf-8", errors="ignore")
                if any(s in text for s in stop):
                    text = text[: min(text.index(s) for s in stop if s in text)]
                    probs.pop()
                    break
                if on_text is not None:
                    on_text(text)
                llm.eval([token])
            return Generation(text.strip(), tuple(probs))

    def _state_path(self, llm: Llama, prefix: str) -> Path:
        import llama_cpp

        path = Path(llm.model_path)
        # Repacked weights take other kernels, whose rounding differs: their states are kept apart.
        key = f"{path.resolve()}|{path.stat().st_size}|{llama_cpp.__version__}|{self._n_ctx}|{self._repack}|{prefix}"
        return cache_dir() / "kv" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.state"

    def _restore_prefix(self, llm: Llama, prefix: str) -> None:
        """Load the prefix's saved llama.cpp state into a fresh context, or evaluate it and save it."""
        import llama_cpp

        tokens = llm.tokenize(prefix.encode("utf-8"), add_bos=False, special=True)
        path = self._state_path(llm, prefix)
        saved = read_state(path)
        if saved is not None and saved[0] == tokens:
            data = saved[1]
            buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
            if llama_cpp.llama_state_set_data(llm._ctx.ctx, buffer, len(data)) == len(data):
                llm.input_ids[: len(tokens)] = tokens
                llm.n_tokens = len(tokens)
                return
        llm.n_tokens = 0
        llm.eval(tokens)
        size = llama_cpp.llama_state_get_size(llm._ctx.ctx)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_get_data(llm._ctx.ctx, buffer, size)
        write_state(path, tokens, bytes(buffer)[:written])


def chatml_prompt(system: str, turns: Sequence[tuple[str, str]], user: str) -> str:
    """The ChatML prompt of a system prompt, earlier (user, assistant) turns and a user message,
    open for the assistant's reply; its fixed part comes first, so prefix caches keep it."""
    return f"{_chatml_prefix(system, turns)}<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"


def _chatml_prefix(system: str, turns: Sequence[tuple[str, str]]) -> str:
    parts = [f"<|im_start|>system\n{system}<|im_end|>\n"]
    for question, reply in turns:
        parts.append(f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n{reply}<|im_end|>\n")
    return "".join(parts)
