"""Clauses, negation and content words: what the rule-based answer kinds read in a sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.bm25 import tokenize

# A clause ends at these marks, or before a conjunction that starts a new one.
_CLAUSE_BREAK = re.compile(r"[,;:—–]\s+|\s+(?=(?:but|while|whereas|although|though|however)\b)|\s+\(|\)\s*", re.I)
NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|n't|cannot|denied|denies|deny|"
    r"false|falsely|untrue|debunked|refused|refuses|rejected|rejects|failed|fails|unfounded|dismissed|"
    r"yet to|no longer|has yet|have yet)\b|n't\b",
    re.I,
)
# Pairs of words where the clause saying the second answers "No" to a question asking the first:
# "Is the strike still going on?" over "The strike ended on Tuesday".
OPPOSITES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(rf"\b(?:{a})", re.I), re.compile(rf"\b(?:{b})", re.I))
    for a, b in (
        (r"still|continu|ongoing|going on", r"ended|ends\b|over\b|finished|halted|stopped|called off|lifted"),
        (r"stay|remain", r"leav|left\b|quit|resign|depart|step(?:ped|s)? down"),
        (r"gain(?:ing|ed|s)? strength|strengthen|intensif", r"weaken|los(?:e|ing|t) strength|diminish"),
        (r"\bwin\b|\bwon\b|victor", r"\blost\b|\blose\b|defeat"),
        (r"guilty|convict", r"acquit|innocent|cleared"),
        (r"alive|surviv", r"\bdead\b|\bdied\b|killed"),
        (r"\ball\b|entire|complete|every\b", r"\bsome\b|partial|part of|\bremain"),
        (r"confirmed", r"to confirm|unconfirmed|yet to be confirmed"),
        (r"going to|visit|travel", r"bypass|skip|avoid|instead of"),
        (r"caus\w* casualties|casualties", r"no casualties|no one was (?:hurt|injured|killed)"),
        (r"increase|rise|rose|grew|grow", r"decrease|fell|\bfall|drop|declin|shrank"),
        (r"open", r"closed|shut"),
        (r"accept|approve|agree", r"reject|refus|turned down|vetoed"),
    )
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


def contradicts(question: str, clause: str) -> bool:
    """Whether ``clause`` says the opposite of what ``question`` asks (an :data:`OPPOSITES` pair)."""
    return any(a.search(question) and b.search(clause) and not a.search(clause) for a, b in OPPOSITES)
