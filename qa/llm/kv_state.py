"""The evaluated state of a prompt prefix, kept on disk so a fresh process skips evaluating it.

A file is a magic line, a JSON header (the prefix's tokens, the state's size and sha256) and the
raw llama.cpp state bytes; never pickle. A damaged or foreign file reads as absent.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

_STATE_MAGIC = b"CITEQA-KV1\n"


def read_state(path: Path) -> tuple[list[int], bytes] | None:
    """``(prefix tokens, llama.cpp state)`` from a file written by :func:`write_state`; None if absent or damaged."""
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


def write_state(path: Path, tokens: Sequence[int], data: bytes) -> None:
    # JSON header and raw bytes, never pickle; written to a temporary name and renamed into place.
    header = json.dumps(
        {"tokens": [int(t) for t in tokens], "state_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    temp.write_bytes(_STATE_MAGIC + len(header).to_bytes(8, "little") + header + data)
    os.replace(temp, path)
