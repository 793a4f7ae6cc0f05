"""Answer scoring: the official SQuAD v1.1 ``evaluate-v1.1.py`` exact match and token F1."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from qa import Answer


def normalize_answer(text: str) -> str:
    """Lower-case, strip punctuation and the articles a/an/the, collapse white space."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(truth))


def f1(prediction: str, truth: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def best_over(metric: Callable[[str, str], float], prediction: str, truths: Iterable[str]) -> float:
    return max(metric(prediction, t) for t in truths)


def short_answer(answer: Answer) -> str | None:
    """The copied text an answer is scored by against gold spans: its text, except for a yes/no,
    whose "Yes"/"No" is scored by the clause that settles it (what span-labelled sets mark as the
    answer to such a question); None for an abstention."""
    if answer.abstained:
        return None
    if answer.verdict is not None and answer.parts:
        return answer.parts[0].text
    return answer.text


def reading_record(answer: Answer) -> dict[str, Any]:
    """What an evaluation keeps of an answer so checks can be studied offline without reading again:
    its text, score and reason, the support signals, and the first citation with its offsets
    (character offsets into the cited article's text, half-open; the short answer's within them)."""
    cited = answer.citations[0] if answer.citations else None
    return {
        "answer": answer.text,
        "score": round(answer.score, 4),
        "reason": answer.reason,
        "signals": asdict(answer.signals) if answer.signals else None,
        "checked": answer.checked,
        "citation": None
        if cited is None
        else {
            "article_id": cited.article_id,
            "start": cited.start,
            "end": cited.end,
            "quote": cited.quote,
            "answer_start": cited.answer_start,
            "answer_end": cited.answer_end,
        },
    }
