"""A transformers extractive-QA reader (SQuAD-style start/end logits), by model name or folder."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from index.models import resolve_model
from qa.readers.base import Reading, TextCallback
from qa.snap import Span
from qa.support import SupportModel
from qa.types import Evidence, Passage

if TYPE_CHECKING:
    import torch


@functools.cache
def _load_extractive(location: str) -> tuple[Any, Any]:
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(location)
    model = AutoModelForQuestionAnswering.from_pretrained(location)
    model.eval()
    return tokenizer, model


class ExtractiveReader:
    """A transformers extractive-QA model (SQuAD-style start/end logits) over the hit chunks.

    Args:
        model: Local folder, or a hub name such as ``deepset/roberta-base-squad2`` when downloads
            are allowed (``CITEQA_ALLOW_DOWNLOADS=1``).
        max_answer_tokens: Longest answer considered.
        max_length: Tokens per window; longer chunks are read in overlapping windows.
        stride: Tokens shared between windows.
    """

    def __init__(
        self,
        model: str,
        *,
        allow_download: bool | None = None,
        max_answer_tokens: int = 30,
        max_length: int = 384,
        stride: int = 128,
    ):
        self.name = f"extractive:{model}"
        self.support: SupportModel | None = None
        self.llm: str | None = None
        self.model = model
        self.allow_download = allow_download
        self.max_answer_tokens = max_answer_tokens
        self.max_length = max_length
        self.stride = stride

    def warm(self) -> None:
        _load_extractive(resolve_model(self.model, allow_download=self.allow_download))

    def read(
        self,
        question: str,
        evidence: Sequence[Evidence],
        passages: Sequence[Passage],
        *,
        on_text: TextCallback | None = None,
    ) -> Reading:
        import torch

        if not passages:
            return Reading(span=None, confidence=0.0, reason="no evidence")
        tokenizer, model = _load_extractive(resolve_model(self.model, allow_download=self.allow_download))
        texts = [p.text for p in passages]
        encoded = tokenizer(
            [question] * len(texts),
            texts,
            truncation="only_second",
            max_length=self.max_length,
            stride=self.stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=True,
            return_tensors="pt",
        )
        offsets = encoded.pop("offset_mapping")
        window_to_hit = encoded.pop("overflow_to_sample_mapping")
        with torch.no_grad():
            inputs = {k: v for k, v in encoded.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
            output = model(**inputs)
        best: tuple[float, int, int, int] | None = None
        null_prob = 0.0
        for w in range(offsets.shape[0]):
            context = [i for i, s in enumerate(encoded.sequence_ids(w)) if s == 1]
            if not context:
                continue
            start_p = torch.softmax(output.start_logits[w], -1)
            end_p = torch.softmax(output.end_logits[w], -1)
            null_prob = max(null_prob, float(start_p[0] * end_p[0]))
            found = self._best_span(start_p, end_p, context)
            if found is not None and (best is None or found[0] > best[0]):
                best = (found[0], w, found[1], found[2])
        if best is None:
            return Reading(span=None, confidence=0.0, reason="the model found no answer span")
        prob, w, first, last = best
        passage = passages[int(window_to_hit[w])]
        start = passage.start + int(offsets[w][first][0])
        end = passage.start + int(offsets[w][last][1])
        if prob < null_prob:
            return Reading(span=None, confidence=prob, reason="the model prefers no answer")
        return Reading(span=Span(article_id=passage.article_id, start=start, end=end, similarity=1.0), confidence=prob)

    def _best_span(
        self, start_p: torch.Tensor, end_p: torch.Tensor, context: list[int]
    ) -> tuple[float, int, int] | None:
        import torch

        lo, hi = context[0], context[-1] + 1
        scores = torch.triu(start_p[lo:hi, None] * end_p[None, lo:hi])
        scores = torch.tril(scores, self.max_answer_tokens - 1)
        flat = int(torch.argmax(scores))
        i, j = divmod(flat, hi - lo)
        return float(scores[i, j]), lo + i, lo + j
