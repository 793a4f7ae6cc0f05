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
    with _lock, open(target, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return target
