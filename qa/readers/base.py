"""The contract every reader keeps: what it is given, what it returns, what it brings along."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from qa.snap import Span
from qa.support import SupportModel
from qa.types import Evidence, Passage

TextCallback = Callable[[str], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reading:
    """A reader's verdict.

    Attributes:
        span: Where the answer is, or None when the reader finds no answer.
        confidence: 0..1.
        reason: Why there is no span (empty otherwise).
        checked: The probability the model gave "YES" when asked whether the sentence it cites
            gives its answer to the question as asked; None when it was not asked.
    """

    span: Span | None
    confidence: float
    reason: str = ""
    checked: float | None = None


@runtime_checkable
class Reader(Protocol):
    """Picks an answer span from the evidence; every span it returns lies on real article text."""

    @property
    def name(self) -> str:
        """Names the reader and its model, for caches and reports."""
        ...

    @property
    def support(self) -> SupportModel | None:
        """The support check fit for this reader's confidence, or None to trust the confidence alone."""
        ...

    @property
    def llm(self) -> str | None:
        """The LLM it reads with (a packaged name or a .gguf path), which the follow-up rewriter
        and the FAQ share; None when it uses none."""
        ...

    def warm(self) -> None:
        """Load what the first :meth:`read` would load (called on a thread; may do nothing)."""
        ...

    def read(
        self,
        question: str,
        evidence: Sequence[Evidence],
        passages: Sequence[Passage],
        *,
        on_text: TextCallback | None = None,
    ) -> Reading:
        """Answer ``question`` from ``evidence`` (sentences, best first) and the retrieved ``passages``.

        ``on_text``, when given, is called with the answer text produced so far, as it grows
        (readers that do not generate text need not call it).
        """
        ...
