"""Evidence: every sentence of the retrieved passages, best first, for the reader to read from."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.chunk import is_heading
from index.stores import Store
from qa.config import DEFAULT_EVIDENCE, EvidenceWeights
from qa.types import Evidence, Hit, Passage


def rank_sentences(
    store: Store,
    question: str,
    question_vector: np.ndarray,
    hits: Sequence[Hit],
    weights: EvidenceWeights = DEFAULT_EVIDENCE,
) -> list[Evidence]:
    """Every sentence of ``hits``, once each, best evidence first (see :attr:`Evidence.score`)."""
    rank: dict[tuple[str, int], int] = {}
    sentences = []
    for position, hit in enumerate(hits):
        chunk = hit.chunk
        for s in store.sentences[chunk.article_id][chunk.first_sentence : chunk.last_sentence]:
            if (s.article_id, s.index) not in rank:
                rank[s.article_id, s.index] = position
                sentences.append(s)
    if not sentences:
        return []
    articles = store.articles
    best_hit = max(hit.score for hit in hits)
    texts = [articles[s.article_id].text[s.start : s.end] for s in sentences]
    stored = np.vstack([store.vectors_of_sentences(s.article_id, s.index, s.index + 1) for s in sentences])
    relevance = stored @ question_vector
    lexical = store.lexical_overlap(question, texts)
    positions = np.asarray([rank[s.article_id, s.index] for s in sentences], dtype=np.float32)
    behind = np.asarray([hits[rank[s.article_id, s.index]].score - best_hit for s in sentences], dtype=np.float32)
    headings = np.asarray([is_heading(articles[s.article_id].text, s) for s in sentences], dtype=np.float32)
    scores = (
        relevance
        + weights.lexical * lexical
        + weights.passage_score * behind
        - weights.rank_penalty * positions
        - weights.heading_penalty * headings
    )
    order = np.argsort(-scores, kind="stable")
    return [
        Evidence(
            sentence=sentences[i],
            article=articles[sentences[i].article_id],
            relevance=float(relevance[i]),
            score=float(scores[i]),
        )
        for i in order
    ]


def passages_of(store: Store, hits: Sequence[Hit]) -> list[Passage]:
    """The hits as passages a reader can read without the store."""
    return [
        Passage(article=store.articles[h.chunk.article_id], start=h.chunk.start, end=h.chunk.end, score=h.score)
        for h in hits
    ]


def within_budget(evidence: Sequence[Evidence], limit: int, max_chars: int) -> list[Evidence]:
    """The best ``limit`` sentences that fit in ``max_chars`` together (the first always does),
    best first: what a reader is shown."""
    chosen: list[Evidence] = []
    used = 0
    for item in evidence[:limit]:
        length = item.sentence.end - item.sentence.start
        if chosen and used + length > max_chars:
            continue
        chosen.append(item)
        used += length
    return chosen
