"""Does the cited sentence answer the question? A calibrated check before an answer is shown.

The reader's own token confidence separates answerable from unanswerable questions poorly: a
small LLM copies a plausible phrase from an unrelated passage just as confidently. What does
separate them is how well the cited sentence matches the question. The support score combines
four signals in a logistic model:

- ``reader``: the reader's confidence (0..1);
- ``quote_cosine``: cosine between the question and the cited sentence;
- ``quote_overlap``: the idf-weighted share of the question's words found in the cited sentence;
- ``best_cosine``: cosine between the question and the closest evidence sentence read.

The weights were fit by ``benchmarks/fit_support.py`` on the answers of
``citeqa eval squad --setting all`` (answerable questions against questions whose own article
is left out); docs/quality.md has the measurements and the held-out check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SIGNALS = ("reader", "quote_cosine", "quote_overlap", "best_cosine")


@dataclass(frozen=True, slots=True)
class SupportModel:
    """``support = sigmoid(bias + sum(weight * signal))``; an answer below ``threshold`` is withheld."""

    weights: tuple[float, float, float, float]
    bias: float
    threshold: float

    def support(self, signals: dict[str, float]) -> float:
        """Probability-like score in 0..1 that the cited sentence answers the question."""
        missing = [name for name in SIGNALS if name not in signals]
        if missing:
            raise ValueError(f"support needs the signals {SIGNALS}; missing {missing}")
        z = self.bias + sum(w * signals[name] for w, name in zip(self.weights, SIGNALS, strict=True))
        return 1.0 / (1.0 + math.exp(-z))
