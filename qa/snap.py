"""Map a model's answer text back to an exact span of the article it came from."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
MIN_FUZZY_F1 = 0.6


@dataclass(frozen=True, slots=True, kw_only=True)
class Region:
    """A stretch of an article the answer may come from: ``text[start:end]`` of ``article_id``."""

    article_id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """Where an answer was found and how closely it matches (1.0 = verbatim)."""

    article_id: str
    start: int
    end: int
    similarity: float


def _tokens(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    out = []
    for m in _WORD.finditer(text, start, end):
        word = m.group().lower()
        out.append((_NUMBER_WORDS.get(word, word), m.start(), m.end()))
    return out


def _f1(a: Sequence[str], b: Sequence[str]) -> float:
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def snap(answer: str, regions: Sequence[Region]) -> Span | None:
    """Find ``answer`` in the regions, best region first.

    Tries, in order: the exact text; the same words ignoring case, punctuation and number
    spelling ("3" = "three"); the window of words with the best token F1 (at least
    :data:`MIN_FUZZY_F1`). The returned span always starts and ends on real article text.

    Returns:
        The span, or None when nothing close enough is there.
    """
    answer = answer.strip()
    if not answer:
        return None
    for region in regions:
        at = region.text.find(answer, region.start, region.end)
        if at >= 0:
            return Span(article_id=region.article_id, start=at, end=at + len(answer), similarity=1.0)
    wanted = [t for t, _, _ in _tokens(answer, 0, len(answer))]
    if not wanted:
        return None
    n = len(wanted)
    best: Span | None = None
    for region in regions:
        words = _tokens(region.text, region.start, region.end)
        seq = [t for t, _, _ in words]
        for i in range(len(words) - n + 1):
            if seq[i : i + n] == wanted:
                return Span(article_id=region.article_id, start=words[i][1], end=words[i + n - 1][2], similarity=0.95)
        for length in range(max(1, n - 2), n + 3):
            for i in range(len(words) - length + 1):
                score = _f1(seq[i : i + length], wanted) * 0.9
                if score >= MIN_FUZZY_F1 * 0.9 and (best is None or score > best.similarity):
                    best = Span(
                        article_id=region.article_id, start=words[i][1], end=words[i + length - 1][2], similarity=score
                    )
    return best
