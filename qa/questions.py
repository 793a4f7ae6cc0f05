"""Checks on what a caller asks: the question and how many passages to read.

Each failure names what was wrong and what is valid; nothing here is ever a traceback from deeper in.
"""

from __future__ import annotations

import math
import numbers
import os
import unicodedata

from qa.errors import InvalidQuestionError

MAX_QUESTION_CHARS = 2000
MAX_TOP_K = 200  # passages read per question; more would only slow an answer down
# White space a person may type or paste; every other control character is refused.
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def validate_question(question: object) -> str:
    """The question stripped, or :class:`InvalidQuestionError` saying what is wrong with it.

    Valid: a string of 1 to :data:`MAX_QUESTION_CHARS` characters after stripping, of Unicode
    text (any script and emoji) without control characters other than tab and newlines.
    """
    if not isinstance(question, str):
        raise InvalidQuestionError(f"question must be a string, got {type(question).__name__}")
    stripped = question.strip()
    if not stripped:
        raise InvalidQuestionError("question is empty: ask something about the articles")
    if len(stripped) > MAX_QUESTION_CHARS:
        raise InvalidQuestionError(
            f"question is {len(stripped):,} characters long; the limit is {MAX_QUESTION_CHARS:,}"
        )
    for position, char in enumerate(stripped):
        if 0xD800 <= ord(char) <= 0xDFFF:
            raise InvalidQuestionError(
                f"question is not valid Unicode text: a lone surrogate U+{ord(char):04X} at character {position}"
            )
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            raise InvalidQuestionError(
                f"question holds the control character U+{ord(char):04X} at character {position}; "
                "only text, tabs and line breaks are allowed"
            )
    return stripped


def validate_top_k(top_k: object) -> int:
    """``top_k`` itself when it is a whole number from 1 to :data:`MAX_TOP_K`; otherwise ValueError saying so."""
    if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral):
        shown = "nan" if isinstance(top_k, float) and math.isnan(top_k) else repr(top_k)
        raise ValueError(f"top_k must be a whole number from 1 to {MAX_TOP_K}, got {shown} ({type(top_k).__name__})")
    value = int(top_k)
    if value <= 0:
        raise ValueError(f"top_k must be greater than 0, got {value}")
    if value > MAX_TOP_K:
        raise ValueError(f"top_k must be at most {MAX_TOP_K}, got {value:,}")
    return value


def validate_location(index_dir: object, reader: object) -> None:
    """ValueError naming the bad value when ``index_dir`` is not a path or None, or ``reader`` is
    neither a reader's name nor a Reader (checked before any index or model is touched)."""
    if index_dir is not None and not isinstance(index_dir, str | os.PathLike):
        raise ValueError(
            f"index_dir must be a folder path (str or os.PathLike) or None for the default index, "
            f"got {type(index_dir).__name__}: {index_dir!r}"
        )
    if isinstance(index_dir, str) and ("\x00" in index_dir or not index_dir.strip()):
        raise ValueError(f"index_dir must name a folder, got {index_dir!r}")
    if not isinstance(reader, str) and not (hasattr(reader, "read") and hasattr(reader, "name")):
        from qa.readers import READER_CHOICES

        raise ValueError(
            f"reader must be one of {', '.join(repr(c) for c in READER_CHOICES)} or a Reader, "
            f"got {type(reader).__name__}: {reader!r}"
        )
