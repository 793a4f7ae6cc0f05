"""Checks on what a caller asks: the question and how many passages to read."""

from __future__ import annotations

from qa.errors import InvalidQuestionError

MAX_QUESTION_CHARS = 2000


def validate_question(question: object) -> str:
    """The question stripped, or :class:`InvalidQuestionError` saying what is wrong with it."""
    if not isinstance(question, str):
        raise InvalidQuestionError(f"question must be a string, got {type(question).__name__}")
    stripped = question.strip()
    if not stripped:
        raise InvalidQuestionError("question is empty: ask something about the articles")
    if len(stripped) > MAX_QUESTION_CHARS:
        raise InvalidQuestionError(
            f"question is {len(stripped):,} characters long; the limit is {MAX_QUESTION_CHARS:,}"
        )
    return stripped


def validate_top_k(top_k: int) -> int:
    """``top_k`` itself, or ValueError when it is not positive."""
    if top_k <= 0:
        raise ValueError(f"top_k must be greater than 0, got {top_k}")
    return top_k
