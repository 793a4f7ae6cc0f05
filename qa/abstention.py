"""When to answer and when to say the articles do not: the thresholds and the support check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embed import Embedder
from index.stores import Store
from qa.readers.base import Reading
from qa.support import SupportModel, SupportSignals
from qa.types import Citation, Evidence


@dataclass(frozen=True, slots=True, kw_only=True)
class AbstentionPolicy:
    """The thresholds below which an answer is withheld.

    Attributes:
        min_relevance: No reader is asked when no evidence sentence is this close (cosine): the
            articles are taken not to speak to the question at all.
        min_confidence: Withhold an answer whose reader confidence is below this.
        considered_shown: Passages shown with an abstention, so a person can judge for themselves.
        near_miss: Withhold a factoid whose cited article never writes a number or date the
            question gives (see :func:`qa.nearmiss.near_miss`): "How many touchdowns did he score in
            2007?" over an article that speaks of 2008 only.
    """

    min_relevance: float = 0.25
    min_confidence: float = 0.3
    considered_shown: int = 3
    near_miss: bool = True


DEFAULT_POLICY = AbstentionPolicy()


def support_signals(
    store: Store,
    embedder: Embedder,
    question: str,
    vector: np.ndarray,
    reading: Reading,
    citation: Citation,
    evidence: Sequence[Evidence],
    best_cosine: float,
) -> SupportSignals:
    """The inputs of the support score (see :mod:`qa.support`) for a reading and its citation."""
    span = reading.span
    assert span is not None
    quoted = [
        e.relevance
        for e in evidence
        if e.sentence.article_id == span.article_id
        and e.sentence.start == citation.start
        and e.sentence.end == citation.end
    ]
    quote_cosine = quoted[0] if quoted else float(embedder.embed([citation.quote])[0] @ vector)
    return SupportSignals(
        reader=float(reading.confidence),
        quote_cosine=float(quote_cosine),
        quote_overlap=float(store.lexical_overlap(question, [citation.quote])[0]),
        best_cosine=best_cosine,
    )


def withheld_because(
    policy: AbstentionPolicy, reading: Reading, score: float, support: SupportModel | None
) -> str | None:
    """Why a reading with a span must not be shown, or None when it may be."""
    if reading.confidence < policy.min_confidence:
        return f"the best candidate was too uncertain ({reading.confidence:.2f})"
    if support is not None and score < support.threshold:
        return f"the closest passage does not appear to answer the question (support {score:.2f})"
    return None
