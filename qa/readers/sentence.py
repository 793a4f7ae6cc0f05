"""The model-free reader: the best evidence sentence is the answer."""

from __future__ import annotations

from collections.abc import Sequence

from qa.readers.base import Reading, TextCallback
from qa.snap import Span
from qa.support import SupportModel
from qa.types import Evidence, Passage


class SentenceReader:
    """Answers with the most relevant evidence sentence itself: fast, no model beyond embeddings."""

    name = "sentence"
    support: SupportModel | None = None
    llm: str | None = None

    def warm(self) -> None:
        return None

    def read(
        self,
        question: str,
        evidence: Sequence[Evidence],
        passages: Sequence[Passage],
        *,
        on_text: TextCallback | None = None,
    ) -> Reading:
        if not evidence:
            return Reading(span=None, confidence=0.0, reason="no evidence")
        best = evidence[0]
        s = best.sentence
        span = Span(article_id=s.article_id, start=s.start, end=s.end, similarity=1.0)
        return Reading(span=span, confidence=max(0.0, min(1.0, best.relevance)))
