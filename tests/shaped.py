"""Composed answers built by hand, for tests of how each shape is shown (no models)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from qa import Answer, Citation
from qa.types import AnswerPart  # not in qa's public face; tests may build it


def cite(
    text: str,
    sentence: str,
    span: str | None = None,
    *,
    article_id: str = "a",
    title: str = "T",
    published: date | None = date(2023, 11, 14),
) -> Citation:
    """A citation of ``sentence`` where it stands in ``text``, its answer span ``span`` inside it
    (the whole sentence when None)."""
    start = text.index(sentence)
    a = start + sentence.index(span) if span else start
    return Citation(
        article_id=article_id,
        title=title,
        published=published,
        start=start,
        end=start + len(sentence),
        quote=sentence,
        answer_start=a,
        answer_end=a + len(span or sentence),
    )


def composed(kind: str, parts: Iterable[tuple[str, Iterable[Citation]]], score: float = 0.8, **fields: Any) -> Answer:
    """An answer of ``kind`` made of ``(text, citations)`` parts, its citations theirs in order."""
    built = tuple(AnswerPart(text=text, citations=tuple(cs)) for text, cs in parts)
    return Answer(
        question="q",
        text=" ".join(p.text for p in built),
        score=score,
        citations=tuple(c for p in built for c in p.citations),
        kind=kind,
        parts=built,
        **fields,
    )
