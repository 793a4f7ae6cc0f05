"""Content checksums of a generation's files: written at build, checked when it is opened.

Sizes alone miss bytes overwritten in place (a wrong sentence vector served at full confidence,
an edited quote in ``records.sqlite``), so each data file's sha256 goes into the manifest. sha256
is the fastest hash here (about 1.1 GB/s with the CPU's SHA instructions, against 0.43 GB/s for
blake2b); see docs/reliability.md for what a load costs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from index.errors import IndexCorruptError

CHECKSUM = "sha256"
# What CURRENT may name: a generation folder directly inside the index folder, nothing else.
GENERATION_NAME = re.compile(r"gen-[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*")
REPAIR = "run 'citeqa index' with the articles' paths again to rebuild it from them"


def file_checksum(path: Path) -> str:
    """``"sha256:<hex>"`` of a file's bytes, read in 1 MiB blocks."""
    with open(path, "rb") as handle:
        return f"{CHECKSUM}:{hashlib.file_digest(handle, CHECKSUM).hexdigest()}"


def checksums(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """Checksum of each named file in ``folder``."""
    return {name: file_checksum(folder / name) for name in names}


def damaged_files(folder: Path, sizes: Mapping[str, int], sums: Mapping[str, str]) -> list[str]:
    """The files of a generation that are missing, of another size, or whose bytes changed.

    Sizes are compared first (free); checksums only for the files the manifest has one of (an
    index from before checksums has none, and is checked by size).
    """
    bad = []
    for name, size in sizes.items():
        path = folder / name
        try:
            if not path.is_file() or path.stat().st_size != size:
                bad.append(f"{name} is missing or truncated")
            elif name in sums and file_checksum(path) != sums[name]:
                bad.append(f"{name} has changed since it was written (checksum mismatch)")
        except OSError as err:
            bad.append(f"{name} cannot be read ({err.strerror or err})")
    return bad


def check_generation_name(directory: Path, raw: bytes) -> str | None:
    """The generation that CURRENT's bytes name, or None when it is empty.

    Raises:
        IndexCorruptError: The bytes are not text, or name anything but a generation folder of
            this index (``../other/gen-…``, an absolute path): CURRENT never leads outside it.
    """
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise IndexCorruptError(f"index at {directory} is damaged: CURRENT is not text; {REPAIR}") from None
    if not name:
        return None
    if not GENERATION_NAME.fullmatch(name):
        raise IndexCorruptError(
            f"index at {directory} is damaged: CURRENT names {name[:80]!r}, not a generation folder "
            f"(gen-<time>-<id>) of this index; {REPAIR}"
        )
    return name
