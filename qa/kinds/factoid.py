"""Factoid answers: one short span copied from an article, its sentence cited, checked before shown."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.embed import Embedder
from index.stores import Store
from qa.abstention import DEFAULT_POLICY, AbstentionPolicy, support_signals, withheld_because
from qa.cite import cite, quote
from qa.config import DEFAULT_EVIDENCE, EvidenceWeights
from qa.evidence import passages_of, rank_sentences
from qa.nearmiss import near_miss
from qa.readers.base import Reader
from qa.types import Answer, Hit, ProgressCallback


def answer_factoid(
    store: Store,
    embedder: Embedder,
    reader: Reader,
    question: str,
    hits: Sequence[Hit],
    vector: np.ndarray,
    *,
    weights: EvidenceWeights = DEFAULT_EVIDENCE,
    policy: AbstentionPolicy = DEFAULT_POLICY,
    progress: ProgressCallback | None = None,
) -> Answer:
    """Read ``hits`` for a short answer to ``question`` (embedded as ``vector``), or abstain.

    The evidence sentences are ranked, the reader picks a span, the sentence(s) holding it are
    cited, and the support check and ``policy`` decide whether it is shown.
    """
    evidence = rank_sentences(store, question, vector, hits, weights)
    considered = tuple(quote(e) for e in evidence[: policy.considered_shown])
    best = max((e.relevance for e in evidence), default=0.0)
    if best < policy.min_relevance:
        reason = "no passage in the articles is close enough to the question"
        return Answer(question=question, text=None, score=max(0.0, best), reason=reason, considered=considered)
    passages = passages_of(store, hits)
    if progress:
        progress("reading", f"{len(hits)} passages")
        reading = reader.read(question, evidence, passages, on_text=lambda t: progress("answer", t))
    else:
        reading = reader.read(question, evidence, passages)
    span = reading.span
    if span is None:
        return Answer(
            question=question,
            text=None,
            score=reading.confidence,
            reason=reading.reason,
            considered=considered,
            checked=reading.checked,
        )
    article = store.articles[span.article_id]
    citation = cite(article, store.sentences[article.id], span)
    signals = support_signals(store, embedder, question, vector, reading, citation, evidence, best)
    support = reader.support
    score = support.support(signals) if support is not None else reading.confidence
    why = withheld_because(policy, reading, score, support)
    if why is None and policy.near_miss:
        why = near_miss(question, article.text)
    if why is not None:
        return Answer(
            question=question,
            text=None,
            score=score,
            reason=why,
            considered=considered,
            signals=signals,
            checked=reading.checked,
        )
    text = article.text[span.start : span.end]
    return Answer(
        question=question, text=text, score=score, citations=(citation,), signals=signals, checked=reading.checked
    )
