"""Does the cited sentence answer the question? A calibrated check before an answer is shown.

The reader's own token confidence separates answerable from unanswerable questions poorly: a
small LLM copies a plausible phrase from an unrelated passage just as confidently. What does
separate them is how well the cited sentence matches the question. The support score combines
the four :class:`SupportSignals` in a logistic model whose weights are fit per reader by
``benchmarks/fit_support.py`` (docs/quality.md has the fits and their held-out checks).
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass, fields


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportSignals:
    """What the support score is computed from (or, in :class:`SupportModel`, each one's weight).

    Attributes:
        reader: The reader's confidence (0..1).
        quote_cosine: Cosine between the question and the cited sentence.
        quote_overlap: The idf-weighted share of the question's words found in the cited sentence.
        best_cosine: Cosine between the question and the closest evidence sentence read.
    """

    reader: float
    quote_cosine: float
    quote_overlap: float
    best_cosine: float


SIGNALS = tuple(f.name for f in fields(SupportSignals))


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportModel:
    """``support = sigmoid(bias + sum(weight * signal))``; an answer below ``threshold`` is withheld."""

    weights: SupportSignals
    bias: float
    threshold: float

    def support(self, signals: SupportSignals) -> float:
        """Probability-like score in 0..1 that the cited sentence answers the question."""
        z = self.bias + sum(w * x for w, x in zip(astuple(self.weights), astuple(signals), strict=True))
        return 1.0 / (1.0 + math.exp(-z))
