"""The news-FAQ labelled set and the rules that tell a right answer, for :mod:`evals.faq`.

A record (one JSON object a line of ``evals/data/news_faq.jsonl``) names its story, its question,
the kind of answer it asks for (one of :data:`qa.types.KINDS`), whether the story answers it, and
the gold evidence sentences as character offsets into the indexed ``Article.text`` (half-open):
``[start, end]`` in the record's own article, or ``[stem, start, end]`` for a question asked over
the whole dated set (``story: "dated"``). A yes/no record has its ``verdict``, a list its ``items``
(short names, ``"A|B"`` for names that count alike), a factoid its ``answers``; a time-aware record
has ``time: true`` and the ``today`` it is asked on.

Rules, applied to the :class:`qa.Answer` that came back:

- An unanswerable question is right when the answer abstains, whatever its kind; an answerable
  one that abstains is wrong.
- *Evidence hit*: some citation of the answer lies in a gold article and overlaps a gold evidence
  sentence (``c.start < end and start < c.end``).
- *factoid*: the answer's text has token F1 at least :data:`FACTOID_F1` (the SQuAD scorer) with
  some gold answer.
- *yes/no*: the verdict is the gold one and there is an evidence hit.
- *explanation*: the first part shown (or, with no parts, the first citation) cites a gold
  sentence: the reason given first is the right one.
- *summary*: at least :data:`MIN_SUMMARY_PARTS` parts, and more than half of them have a citation
  on a gold sentence.
- *list*: more than half of the gold items are named in the answer (each item's names matched
  case-insensitively on word boundaries in the parts' text, or the answer's text when it has no
  parts), and an evidence hit.

Time-aware questions take the rule of their kind; their gold evidence is only what is current on
their ``today``, so an answer drawn from an older, superseded article misses it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from evals.scoring import best_over, f1
from qa import Answer
from qa.types import KINDS, Citation

FACTOID_F1 = 0.5
MIN_SUMMARY_PARTS = 2
DATED = "dated"  # the story of a question asked over every dated story together
SEED_PREFIX = "seed:"
_FIELDS = {"id", "story", "question", "kind", "answerable", "evidence", "verdict", "items", "answers", "time", "today"}


@dataclass(frozen=True, slots=True)
class FaqQuestion:
    """One labelled question.

    Attributes:
        id: Unique id (``"<story>#<n>"``).
        story: A NewsQA story's file stem, ``"seed:<stem>"``, or ``"dated"`` for the dated set.
        question: As asked.
        kind: The answer shape it asks for, one of :data:`qa.types.KINDS`.
        answerable: Whether its text answers it.
        evidence: Gold sentences as ``(article_id, start, end)``, character offsets, half-open.
        verdict: The yes/no answer, for an answerable yes/no question; None otherwise.
        items: For a list, each gold item's names (any one counts).
        answers: For a factoid, short gold phrases.
        time: Whether it is time-aware.
        today: The date it is asked on, or None (the newest article's date is "now").
    """

    id: str
    story: str
    question: str
    kind: str
    answerable: bool
    evidence: tuple[tuple[str, int, int], ...]
    verdict: bool | None = None
    items: tuple[tuple[str, ...], ...] = ()
    answers: tuple[str, ...] = ()
    time: bool = False
    today: date | None = None


def article_id(story: str) -> str:
    """The index id of a single-story record's article (a seed's or a NewsQA story's file stem)."""
    return story.removeprefix(SEED_PREFIX)


def parse_record(row: dict[str, Any]) -> FaqQuestion:
    """A record from its JSON object.

    Raises:
        ValueError: A field is missing, unknown or malformed; the message names it.
    """
    unknown = set(row) - _FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}; valid: {sorted(_FIELDS)}")
    missing = {"id", "story", "question", "kind", "answerable", "evidence"} - set(row)
    if missing:
        raise ValueError(f"missing fields {sorted(missing)}")
    kind, answerable = row["kind"], row["answerable"]
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {KINDS}")
    if not isinstance(answerable, bool):
        raise ValueError(f"answerable must be true or false, got {answerable!r}")
    evidence = tuple(_span(row["story"], span) for span in row["evidence"])
    if answerable != bool(evidence):
        raise ValueError("an answerable question needs evidence and an unanswerable one has none")
    verdict = row.get("verdict")
    if (kind == "yes/no" and answerable) != isinstance(verdict, bool):
        raise ValueError(f"verdict is for answerable yes/no questions only (true or false), got {verdict!r}")
    items = tuple(tuple(item.split("|")) for item in row.get("items", ()))
    answers = tuple(row.get("answers", ()))
    if answerable and kind == "list" and not items:
        raise ValueError("an answerable list question needs its gold items")
    if answerable and kind == "factoid" and not answers:
        raise ValueError("an answerable factoid needs its gold answers")
    if any(len(name.split()) > 5 for item in items for name in item):
        raise ValueError("list items are short names: 5 words at most")
    today = date.fromisoformat(row["today"]) if row.get("today") else None
    return FaqQuestion(
        id=row["id"],
        story=row["story"],
        question=row["question"],
        kind=kind,
        answerable=answerable,
        evidence=evidence,
        verdict=verdict,
        items=items,
        answers=answers,
        time=bool(row.get("time", False)),
        today=today,
    )


def _span(story: str, span: list[Any]) -> tuple[str, int, int]:
    if story == DATED:
        if len(span) != 3 or not isinstance(span[0], str):
            raise ValueError(f"a dated-set span is [stem, start, end], got {span!r}")
        owner, start, end = span
    else:
        if len(span) != 2:
            raise ValueError(f"a span is [start, end], got {span!r}")
        owner, (start, end) = article_id(story), span
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
        raise ValueError(f"a span needs offsets 0 <= start < end, got {span!r}")
    return owner, start, end


def load_faq(path: str | Path) -> list[FaqQuestion]:
    """Every record of a labelled file.

    Raises:
        ValueError: A line is not a well-formed record, or two share an id; the message names the line.
    """
    questions: list[FaqQuestion] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as lines:
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                q = parse_record(json.loads(line))
            except (ValueError, TypeError, KeyError) as err:
                raise ValueError(f"{path}, line {n}: {err}") from None
            if q.id in seen:
                raise ValueError(f"{path}, line {n}: id {q.id!r} is used twice")
            seen.add(q.id)
            questions.append(q)
    return questions


def on_evidence(citation: Citation, evidence: tuple[tuple[str, int, int], ...]) -> bool:
    """Whether the citation overlaps a gold evidence sentence of its article."""
    return any(c == citation.article_id and citation.start < e and s < citation.end for c, s, e in evidence)


def evidence_hit(answer: Answer, evidence: tuple[tuple[str, int, int], ...]) -> bool:
    """Whether any citation of the answer (of any part) overlaps a gold evidence sentence."""
    cited = [c for part in answer.parts for c in part.citations] + list(answer.citations)
    return any(on_evidence(c, evidence) for c in cited)


def items_named(answer: Answer, items: tuple[tuple[str, ...], ...]) -> int:
    """How many gold items the answer names (any of an item's names, whole words, any case)."""
    shown = " ".join(p.text for p in answer.parts) if answer.parts else answer.text or ""
    return sum(any(_names(shown, name) for name in item) for item in items)


def _names(text: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


def is_right(q: FaqQuestion, answer: Answer) -> bool:
    """Whether ``answer`` is right for ``q`` by the rules of this module's docstring."""
    if not q.answerable or answer.abstained:
        return answer.abstained == (not q.answerable)
    if q.kind == "factoid":
        return best_over(f1, answer.text or "", q.answers) >= FACTOID_F1
    if q.kind == "yes/no":
        return answer.verdict is q.verdict and evidence_hit(answer, q.evidence)
    if q.kind == "explanation":
        first = answer.parts[0].citations if answer.parts else answer.citations[:1]
        return any(on_evidence(c, q.evidence) for c in first)
    if q.kind == "summary":
        on_gold = sum(any(on_evidence(c, q.evidence) for c in p.citations) for p in answer.parts)
        return len(answer.parts) >= MIN_SUMMARY_PARTS and 2 * on_gold > len(answer.parts)
    return 2 * items_named(answer, q.items) > len(q.items) and evidence_hit(answer, q.evidence)
