"""Records returned by retrieval and answering. Offsets are characters into ``Article.text``, half-open."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from index.types import Article, ArticleFilter, Hit, Sentence, StoryVersion
from qa.support import SupportSignals

__all__ = [
    "KINDS",
    "Answer",
    "AnswerPart",
    "ArticleFilter",
    "Citation",
    "Evidence",
    "Hit",
    "Passage",
    "ProgressCallback",
    "StoryVersion",
    "TimeScope",
]

KINDS = ("factoid", "yes/no", "explanation", "summary", "list")
"""The shapes an answer takes: a short span; a verdict and the span that settles it; the clause or
sentences giving a reason or manner; 2-4 sentences, most important first; items gathered from
several sentences. Time-aware questions take any of them, with :class:`TimeScope` saying how the
time was read."""

_SAFE_URL = re.compile(r"https?://[^\s<>\"'`\\]+")  # only plain web links go into copied Markdown

ProgressCallback = Callable[[str, str], None]
"""Called as ``progress(stage, detail)`` while a question is answered. Stages, in order:
``"rewriting"`` (a follow-up is being made standalone), ``"searching"``, ``"reading"``, then
``"answer"`` any number of times with the answer text produced so far."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Passage:
    """A retrieved passage with the article it belongs to: what a reader reads.

    Attributes:
        article: The whole article, so offsets index its text.
        start: Character offset of the passage in ``article.text``.
        end: Character offset just past it (half-open).
        score: Its fused retrieval score (0 when it was not retrieved but given).
    """

    article: Article
    start: int
    end: int
    score: float = 0.0

    @property
    def article_id(self) -> str:
        return self.article.id

    @property
    def text(self) -> str:
        return self.article.text[self.start : self.end]


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """A sentence considered as evidence.

    Attributes:
        sentence: The sentence.
        article: The article it belongs to.
        relevance: Cosine between the sentence and the question (-1..1).
        score: What evidence is ordered by: the cosine plus the sentence's share of the question's
            rare words, less a little for each rank its passage sits below the best one, and less
            a fixed amount for a heading line (see :class:`qa.config.EvidenceWeights`).
    """

    sentence: Sentence
    article: Article
    relevance: float
    score: float = 0.0

    @property
    def text(self) -> str:
        """The sentence's text: ``article.text[sentence.start:sentence.end]``."""
        return self.article.text[self.sentence.start : self.sentence.end]


@dataclass(frozen=True, slots=True, kw_only=True)
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
        url: The article's original address ("" when unknown).
        site: The outlet that published it ("" when unknown).
        also_in: The other articles telling the same story (near-duplicates: other outlets,
            other versions), newest first.
    """

    article_id: str
    title: str
    published: date | None
    start: int
    end: int
    quote: str
    answer_start: int | None = None
    answer_end: int | None = None
    url: str = ""
    site: str = ""
    also_in: tuple[StoryVersion, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerPart:
    """One part of a composed answer: a summary's sentence, a list's item, a yes/no's settling span.

    Attributes:
        text: What is shown: copied from the article (the span each citation's ``answer_start`` /
            ``answer_end`` marks), unless ``worded``.
        citations: The quotes that support this part, best first (at least one).
        worded: True when an LLM worded the part and a check proved each of its names, numbers
            and content words against its cited sentences (see :mod:`qa.kinds.verify`).
    """

    text: str
    citations: tuple[Citation, ...]
    worded: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeScope:
    """How the time words of a question were read.

    Attributes:
        phrase: The words that asked for a time ("the latest", "in 2009", "last week").
        today: What "now" was: the caller's ``today``, else the newest indexed article's date.
        since: First day allowed (inclusive), or None for no lower bound.
        until: Last day allowed (inclusive), or None for no upper bound.
        newest_first: The question asks for the most recent news: newer articles win.
        form: Which kind of time words they were (``"recent"``, ``"week"``, ``"in-year"``…).
    """

    phrase: str
    today: date | None
    since: date | None = None
    until: date | None = None
    newest_first: bool = False
    form: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
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
        signals: What ``score`` was computed from (see :mod:`qa.support`); None when no
            candidate answer got that far.
        kind: The answer's shape, one of :data:`KINDS`.
        parts: For a composed answer (yes/no, explanation, summary, list), its parts in the order
            shown, each with its own citations; empty for a factoid. ``citations`` then holds every
            part's citations, in order.
        verdict: For a yes/no answer, True for "Yes" and False for "No"; None otherwise.
        time: How the question's time words were read, when it had any.
        checked: For a factoid, the probability the reader's model gave "YES" when asked whether
            the cited sentence gives the answer to the question as asked; None when it was not asked.
    """

    question: str
    text: str | None
    score: float
    citations: tuple[Citation, ...] = ()
    reason: str = ""
    considered: tuple[Citation, ...] = ()
    standalone_question: str | None = None
    signals: SupportSignals | None = None
    kind: str = "factoid"
    parts: tuple[AnswerPart, ...] = ()
    verdict: bool | None = None
    time: TimeScope | None = None
    checked: float | None = None

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
            fields["also_in"] = tuple(
                StoryVersion(**{**v, "published": date.fromisoformat(v["published"]) if v.get("published") else None})
                for v in d.get("also_in", ())
            )
            return Citation(**fields)

        signals = data.get("signals") or None  # answers stored before signals were typed hold {}
        return cls(
            question=data["question"],
            text=data["text"],
            score=float(data["score"]),
            citations=tuple(citation(c) for c in data.get("citations", ())),
            reason=data.get("reason", ""),
            considered=tuple(citation(c) for c in data.get("considered", ())),
            standalone_question=data.get("standalone_question"),
            signals=SupportSignals(**{k: float(v) for k, v in signals.items()}) if signals else None,
            kind=data.get("kind", "factoid"),
            parts=tuple(
                AnswerPart(text=p["text"], citations=tuple(citation(c) for c in p["citations"]), worded=p["worded"])
                for p in data.get("parts", ())
            ),
            verdict=data.get("verdict"),
            time=_time_scope(data["time"]) if data.get("time") else None,
            checked=data.get("checked"),
        )

    def to_markdown(self, *, first_note: int = 1, heading: bool = True) -> str:
        """The answer with numbered citations as Markdown, ready to paste elsewhere.

        Args:
            first_note: The number of its first footnote (to place several answers in one document).
            heading: Start with the question (``**Q:** ...``).
        """
        lines = [f"**Q:** {_inert(self.question)}", ""] if heading else []
        if self.abstained:
            return "\n".join([*lines, f"The articles do not say. ({_inert(self.reason)})"]) + "\n"
        lines += [*self._markdown_body(first_note), ""]
        for i, c in enumerate(self.citations, start=first_note):
            when = c.published.isoformat() if c.published else "undated"
            quote = _inert(" ".join(c.quote.split()))
            link = f" <{c.url}>" if _SAFE_URL.fullmatch(c.url) else ""
            article = c.article_id.replace("`", "'")  # inside a code span: only a backtick could end it
            lines.append(
                f"[^{i}]: {_inert(c.title)} ({when}), `{article}` characters {c.start}–{c.end}: “{quote}”{link}"
            )
        return "\n".join(lines) + "\n"

    def _markdown_body(self, first: int) -> list[str]:
        if not self.parts:
            markers = "".join(f"[^{i}]" for i in range(first, first + len(self.citations)))
            return [f"**A:** {_inert(self.text or '')}{markers}"]
        shown, n = [], first
        for part in self.parts:
            markers = "".join(f"[^{n + i}]" for i in range(len(part.citations)))
            n += len(part.citations)
            shown.append(f"{_inert(part.text)}{markers}")
        if self.kind == "list":
            return ["**A:**", "", *(f"- {item}" for item in shown)]
        if self.verdict is not None:
            return [f"**A:** {'Yes' if self.verdict else 'No'}. {' '.join(shown)}"]
        return [f"**A:** {' '.join(shown)}"]


def _time_scope(d: dict[str, Any]) -> TimeScope:
    def day(key: str) -> date | None:
        return date.fromisoformat(d[key]) if d.get(key) else None

    return TimeScope(
        phrase=d["phrase"],
        today=day("today"),
        since=day("since"),
        until=day("until"),
        newest_first=d["newest_first"],
        form=d.get("form", ""),
    )


def _inert(text: str) -> str:
    """Article text made inert for Markdown: no raw HTML (``<img onerror>``), links or images
    (``[x](javascript:…)``), only the characters shown as they were."""
    for char, escaped in (("\\", "\\\\"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("[", "\\["), ("]", "\\]")):
        text = text.replace(char, escaped)
    return text


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
