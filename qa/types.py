"""Records returned by retrieval and answering. Offsets are characters into ``Article.text``, half-open."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from index.types import Chunk, Sentence


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its scores.

    Attributes:
        chunk: The passage.
        score: Fused retrieval score (higher is better; see :mod:`qa.retrieve`).
        dense: Dense score: the question's cosine with the chunk, blended with its cosine with
            the chunk's best sentence (see :meth:`qa.retrieve.HybridRetriever.dense_scores`).
        lexical: BM25 score of the chunk for the question.
    """

    chunk: Chunk
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence considered as evidence.

    Attributes:
        sentence: The sentence.
        relevance: Cosine between the sentence and the question (-1..1).
        score: What evidence is ordered by: the cosine plus the sentence's share of the question's
            rare words, less a little for each rank its passage sits below the best one, and less
            a fixed amount for a heading line (see :mod:`qa.pipeline` for the weights).
    """

    sentence: Sentence
    relevance: float
    score: float = 0.0


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
        considered: For an abstention, the closest passages that were read, best first, so a
            person can judge for themselves; empty when it answered.
        standalone_question: The question as it was searched for, when a follow-up was rewritten
            using the conversation before it; None when it was asked as is.
        signals: What ``score`` was computed from, by name (see :mod:`qa.support`); empty when
            no candidate answer got that far.
    """

    question: str
    text: str | None
    score: float
    citations: tuple[Citation, ...] = ()
    reason: str = ""
    considered: tuple[Citation, ...] = ()
    standalone_question: str | None = None
    signals: dict[str, float] = field(default_factory=dict)

    @property
    def abstained(self) -> bool:
        """True when the articles do not answer the question."""
        return self.text is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data with the same fields (dates as ISO strings), plus ``abstained``."""
        data: dict[str, Any] = _jsonable(asdict(self))
        data["abstained"] = self.abstained
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """The inverse of :meth:`to_dict`."""

        def citation(d: dict[str, Any]) -> Citation:
            fields = {k: d[k] for k in Citation.__slots__ if k in d}  # type: ignore[attr-defined]
            fields["published"] = date.fromisoformat(d["published"]) if d.get("published") else None
            return Citation(**fields)

        return cls(
            data["question"],
            data["text"],
            float(data["score"]),
            tuple(citation(c) for c in data.get("citations", ())),
            data.get("reason", ""),
            tuple(citation(c) for c in data.get("considered", ())),
            data.get("standalone_question"),
            {str(k): float(v) for k, v in data.get("signals", {}).items()},
        )

    def to_markdown(self) -> str:
        """The answer with numbered citations as Markdown, ready to paste elsewhere."""
        if self.abstained:
            return f"**Q:** {self.question}\n\nThe articles do not say. ({self.reason})\n"
        markers = "".join(f"[^{i}]" for i in range(1, len(self.citations) + 1))
        lines = [f"**Q:** {self.question}", "", f"**A:** {self.text}{markers}", ""]
        for i, c in enumerate(self.citations, start=1):
            when = c.published.isoformat() if c.published else "undated"
            quote = " ".join(c.quote.split())
            lines.append(f"[^{i}]: {c.title} ({when}), `{c.article_id}` characters {c.start}–{c.end}: “{quote}”")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Which articles a question may be answered from; every condition given must hold.

    Attributes:
        article_ids: Only these articles; None allows any.
        since: Only articles published on or after this date (undated ones are then excluded).
        until: Only articles published on or before this date (undated ones are then excluded).
    """

    article_ids: frozenset[str] | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"the date range is empty: {self.since.isoformat()} is after {self.until.isoformat()}")

    @property
    def active(self) -> bool:
        return self.article_ids is not None or self.since is not None or self.until is not None

    def allows(self, article_id: str, published: date | None) -> bool:
        if self.article_ids is not None and article_id not in self.article_ids:
            return False
        if self.since is not None and (published is None or published < self.since):
            return False
        return not (self.until is not None and (published is None or published > self.until))


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
