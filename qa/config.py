"""Tuning values of the answering pipeline, as frozen records passed to :class:`qa.Pipeline`.

Two pipelines in one process may differ in any of them; a sweep builds one record per setting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceWeights:
    """How evidence sentences are ordered before the reader sees the first few.

    ``score = cosine + lexical x (share of the question's rare words present)
    + passage_score x (their passage's retrieval score less the best passage's)
    - rank_penalty x (their passage's rank) - heading_penalty x (a heading line)``.

    The defaults are the fifth round's overlap and rank terms with headings last; the score term
    (``lexical=0.7, passage_score=1.5, rank_penalty=0``) raised SQuAD F1 but withheld a right
    answer on the seed article (docs/quality.md, sixth round).

    Attributes:
        lexical: Weight of the sentence's idf-weighted share of the question's words.
        passage_score: Weight of how far its passage's fused score trails the best passage's.
        rank_penalty: Lost for each rank its passage sits below the best one.
        heading_penalty: Lost by a heading line, which names a topic rather than stating a fact.
    """

    lexical: float = 0.3
    passage_score: float = 0.0
    rank_penalty: float = 0.05
    heading_penalty: float = 1.0


DEFAULT_EVIDENCE = EvidenceWeights()
