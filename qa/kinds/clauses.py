"""Clauses, negation and content words: what the rule-based answer kinds read in a sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.bm25 import tokenize

# A clause ends at these marks, or before a conjunction that starts a new one.
_CLAUSE_BREAK = re.compile(r"[,;:—–]\s+|\s+(?=(?:but|while|whereas|although|though|however)\b)|\s+\(|\)\s*", re.I)
NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|n't|cannot|denied|denies|deny|"
    r"false|falsely|untrue|debunked|refused|refuses|rejected|rejects|failed|fails|unfounded|dismissed)\b|n't\b",
    re.I,
)
# Words a yes/no question carries that say nothing about its content.
_FILLER = frozenset(tokenize("anyone anybody anything someone somebody any ever really actually still also yet there"))


def clauses(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The clauses of ``text[start:end]`` as ``(start, end)`` offsets into ``text``, trimmed."""
    position = start
    for match in _CLAUSE_BREAK.finditer(text, start, end):
        if match.start() > position:
            yield _trim(text, position, match.start())
        position = match.end()
    if position < end:
        yield _trim(text, position, end)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in "%)’”\"'":
        end -= 1
    return start, end


def content_terms(question: str) -> set[str]:
    """The question's stemmed content words: what a settling sentence must speak of."""
    return set(tokenize(question)) - _FILLER


def coverage(terms: set[str], text: str) -> float:
    """Share of ``terms`` that ``text`` contains (stemmed; 0 when there are none)."""
    if not terms:
        return 0.0
    return len(terms & set(tokenize(text))) / len(terms)


def negated(text: str) -> bool:
    """Whether ``text`` holds a negation (not, never, denied, false…)."""
    return NEGATION.search(text) is not None
