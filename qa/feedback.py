"""Thumbs up or down on an answer, appended to a local JSON Lines file."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from qa.llm import cache_dir
from qa.types import Answer

_lock = threading.Lock()


def feedback_path() -> Path:
    """``$CITEQA_FEEDBACK`` or ``<cache>/feedback.jsonl``."""
    return Path(os.environ.get("CITEQA_FEEDBACK") or cache_dir() / "feedback.jsonl")


def record_feedback(answer: Answer, liked: bool, *, path: str | os.PathLike[str] | None = None) -> Path:
    """Append one judgement (with the whole answer and its citations) and return the file written."""
    target = Path(path) if path is not None else feedback_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    line = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "liked": liked, "answer": answer.to_dict()}
    data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
    with _lock:
        fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a tail torn by a full disk: start this record on its own line
            # One write(2) for the whole line, not a buffered file's several: a kill lands before or after it.
            while data:
                data = data[os.write(fd, data) :]
        finally:
            os.close(fd)
    return target
