"""Records returned by retrieval and answering. Offsets are characters into ``Article.text``, half-open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from index.types import Chunk, Sentence


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its scores.

    Attributes:
        chunk: The passage.
        score: Fused retrieval score (higher is better; see :mod:`qa.retrieve`).
        dense: Cosine similarity between the question and the chunk.
        lexical: BM25 score of the chunk for the question.
    """

    chunk: Chunk
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence considered as evidence, with its relevance to the question (cosine, -1..1)."""

    sentence: Sentence
    relevance: float


@dataclass(frozen=True, slots=True)
class Citation:
    """A quoted span of an article that supports an answer.

    Attributes:
        article_id: Id of the cited article.
        title: The article's title.
        published: The article's date, or None.
        start: Character offset of the quote in the article's text.
        end: Character offset just past the quote (half-open).
        quote: ``article.text[start:end]``, exactly.
        answer_start: Offset of the short answer inside the article (within the quote), or None.
        answer_end: End of the short answer (half-open), or None.
    """

    article_id: str
    title: str
    published: date | None
    start: int
    end: int
    quote: str
    answer_start: int | None = None
    answer_end: int | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to a question, or an abstention.

    Attributes:
        question: The question as asked.
        text: The short answer, copied from the article; None when the articles do not say.
        score: Confidence in 0..1 that ``text`` answers the question (for an abstention, the
            confidence of the best candidate that was turned down).
        citations: Supporting quotes, best first; empty for an abstention.
        reason: Why it abstained (empty when it answered).
    """

    question: str
    text: str | None
    score: float
    citations: tuple[Citation, ...] = ()
    reason: str = ""

    @property
    def abstained(self) -> bool:
        """True when the articles do not answer the question."""
        return self.text is None
