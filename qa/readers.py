"""Readers: given a question and evidence, pick the answer span.

Every reader returns a :class:`Reading` whose span lies on real article text; the pipeline turns
it into citations. Three are provided: :class:`LlamaReader` (a local instruct LLM, the default),
:class:`SentenceReader` (model-free: the best evidence sentence), and :class:`ExtractiveReader`
(a transformers extractive-QA model by name or path).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from index.models import resolve_model
from index.store import CorpusIndex
from qa.llm import DEFAULT_LLM, ChatModel
from qa.snap import Region, Span, snap
from qa.support import SupportModel
from qa.types import Evidence, Hit

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True, slots=True)
class Reading:
    """A reader's verdict.

    Attributes:
        span: Where the answer is, or None when the reader finds no answer.
        confidence: 0..1.
        reason: Why there is no span (empty otherwise).
    """

    span: Span | None
    confidence: float
    reason: str = ""


TextCallback = Callable[[str], None]


class Reader(Protocol):
    """Picks an answer span from the evidence."""

    name: str

    def read(
        self,
        question: str,
        evidence: Sequence[Evidence],
        hits: Sequence[Hit],
        index: CorpusIndex,
        *,
        on_text: TextCallback | None = None,
    ) -> Reading:
        """Answer ``question`` from ``evidence`` (sentences, most relevant first) and ``hits``.

        ``on_text``, when given, is called with the answer text produced so far, as it grows
        (readers that do not generate text need not call it).
        """
        ...


def _sentence_region(index: CorpusIndex, item: Evidence) -> Region:
    s = item.sentence
    return Region(s.article_id, index.articles[s.article_id].text, s.start, s.end)


class SentenceReader:
    """Answers with the most relevant evidence sentence itself: fast, no model beyond embeddings."""

    name = "sentence"

    def read(
        self,
        question: str,
        evidence: Sequence[Evidence],
        hits: Sequence[Hit],
        index: CorpusIndex,
        *,
        on_text: TextCallback | None = None,
    ) -> Reading:
        if not evidence:
            return Reading(None, 0.0, "no evidence")
        best = evidence[0]
        s = best.sentence
        return Reading(Span(s.article_id, s.start, s.end, 1.0), max(0.0, min(1.0, best.relevance)))


SYSTEM_PROMPT = (
    "You answer questions from news passages. Copy the shortest span of the passages that answers "
    "the question, word for word, exactly as written there. Do not rephrase and do not add words. "
    "If the passages do not contain the answer, reply NONE."
)
_EXAMPLE = (
    "The city council voted on Tuesday to close two libraries after a budget shortfall of $4 million. "
    "Mayor Ellen Park said the decision was painful but necessary. Five members voted in favour."
)
_EXAMPLE_TITLE = "Council closes two libraries"
# Where the question goes relative to the passages. With the question before the passages the
# 1.5B model answered far worse (docs/quality.md, fifth round), so it comes last by default.
LAYOUTS = {
    "passages-first": "Passages:\n{passages}\n\nQuestion: {question}",
    "question-first": "Question: {question}\n\nPassages:\n{passages}",
    "question-both": "Question: {question}\n\nPassages:\n{passages}\n\nQuestion: {question}",
}
DEFAULT_LAYOUT = "passages-first"


def few_shot(layout: str = DEFAULT_LAYOUT, titles: bool = False) -> tuple[tuple[str, str], ...]:
    """Worked examples sent before every question: they teach copying (a name, a reason clause, a
    number word) and refusing. They form a fixed prompt prefix that llama.cpp keeps cached."""
    template = LAYOUTS[layout]
    passages = f"# {_EXAMPLE_TITLE}\n{_EXAMPLE}" if titles else _EXAMPLE
    return tuple(
        (template.format(passages=passages, question=question), reply)
        for question, reply in (
            ("Who is the mayor?", "Ellen Park"),
            ("Why did the council close the libraries?", "after a budget shortfall of $4 million"),
            ("How many members voted in favour?", "Five"),
            ("Who won the election?", "NONE"),
        )
    )


NO_ANSWER = "NONE"
# Evidence sentences shown to the LLM (see docs/quality.md for the sweep). When the model finds
# no answer in them, or is unsure, it takes a second look at WIDER_LOOK times as many.
MAX_SENTENCES = 3
# The 0.5B fast reader does better on 2: on 100 SQuAD questions (seed 13) open F1 56.6 vs 52.4 and
# median 0.79 vs 0.98 s (docs/quality.md). The smaller model is the more easily distracted.
FAST_SENTENCES = 2
WIDER_LOOK = 2
SECOND_LOOK_BELOW = 0.3
# Fit by benchmarks/fit_support.py on 200 SQuAD dev questions (seed 13) answered by
# Qwen2.5-Coder-1.5B, open and with their own article left out; the threshold keeps abstention on
# answerable questions at 5% there. Checked on a held-out sample in docs/quality.md.
LLM_SUPPORT = SupportModel(weights=(1.804, 5.048, 3.727, 7.912), bias=-9.531, threshold=0.25)
# The same fit for the 0.5B fast reader reading 2 sentences (100 questions, seed 13), whose
# confidence runs differently. Held out (seed 7): 4% answerable / 79% unanswerable abstention.
FAST_SUPPORT = SupportModel(weights=(0.535, 4.233, 3.417, 8.629), bias=-8.497, threshold=0.2)


class LlamaReader:
    """A local instruct LLM (llama.cpp) that copies the shortest answering phrase.

    The prompt holds only the most relevant evidence sentences, in article order, which keeps it
    short (fast, and less to be distracted by). The model's text is snapped back onto the
    article; an answer that cannot be found there is refused rather than cited.

    Args:
        model: Packaged model name (see :data:`qa.llm.PACKAGED_GGUF`) or a .gguf path.
        max_sentences: Evidence sentences shown to the model at first; when it finds no answer in
            them, or is unsure, it reads :data:`WIDER_LOOK` times as many.
        max_chars: Upper bound on the evidence shown, in characters.
        support: Checks that the cited sentence answers the question before an answer is shown
            (None: no check).
        layout: Where the question stands relative to the passages (a key of :data:`LAYOUTS`).
        titles: Head each article's sentences with its title (``# Title``), unless the title is
            one of those sentences.
    """

    def __init__(
        self,
        model: str = DEFAULT_LLM,
        *,
        max_sentences: int = MAX_SENTENCES,
        max_chars: int = 1200,
        support: SupportModel | None = LLM_SUPPORT,
        layout: str = DEFAULT_LAYOUT,
        titles: bool = False,
    ):
        if layout not in LAYOUTS:
            raise ValueError(f"unknown prompt layout {layout!r}; valid: {', '.join(LAYOUTS)}")
        self.name = f"llm:{model}"
        self.chat_model = ChatModel(model)
        self.max_sentences = max_sentences
        self.max_chars = max_chars
        self.support = support
        self.template = LAYOUTS[layout]
        self.titles = titles
        self.few_shot = few_shot(layout, titles)

    def warm(self) -> None:
        """Load the model and its few-shot prompt state now rather than at the first question."""
        self.chat_model.warm(SYSTEM_PROMPT, self.few_shot)

    def select(self, evidence: Sequence[Evidence], limit: int | None = None) -> list[Evidence]:
        """The evidence shown to the model: the best ``limit`` sentences within the character budget."""
        chosen: list[Evidence] = []
        used = 0
        for item in evidence[: limit or self.max_sentences]:
            length = item.sentence.end - item.sentence.start
            if chosen and used + length > self.max_chars:
                continue
            chosen.append(item)
            used += length
        return chosen

    def passages(self, chosen: Sequence[Evidence], index: CorpusIndex) -> str:
        """The chosen sentences as text, grouped by article in reading order (headed by the
        article's title when :attr:`titles` is set)."""
        by_article: dict[str, list[Evidence]] = {}
        for item in chosen:
            by_article.setdefault(item.sentence.article_id, []).append(item)
        blocks = []
        for article_id, items in by_article.items():
            article = index.articles[article_id]
            items.sort(key=lambda e: e.sentence.start)
            body = " ".join(article.text[e.sentence.start : e.sentence.end] for e in items)
            if self.titles and items[0].sentence.index != 0:  # the title is the first sentence or heading
                body = f"# {article.title}\n{body}"
            blocks.append(body)
        return "\n\n".join(blocks)

    def read(
        self,
        question: str,
        evidence: Sequence[Evidence],
        hits: Sequence[Hit],
        index: CorpusIndex,
        *,
        on_text: TextCallback | None = None,
    ) -> Reading:
        chosen = self.select(evidence)
        if not chosen:
            return Reading(None, 0.0, "no evidence")
        reading = self._read(question, chosen, hits, index, on_text)
        if reading.span is not None and reading.confidence >= SECOND_LOOK_BELOW:
            return reading
        wider = self.select(evidence, self.max_sentences * WIDER_LOOK)
        if len(wider) > len(chosen):
            # A second look over more of the evidence: the answer may lie just outside the best few.
            second = self._read(question, wider, hits, index, on_text)
            if second.span is not None and (reading.span is None or second.confidence > reading.confidence):
                return second
        return reading

    def _read(
        self,
        question: str,
        chosen: Sequence[Evidence],
        hits: Sequence[Hit],
        index: CorpusIndex,
        on_text: TextCallback | None,
    ) -> Reading:
        prompt = self.template.format(passages=self.passages(chosen, index), question=question)

        def shown(text: str) -> None:
            # "NONE" is the model refusing, not an answer to show while it is being written.
            if on_text is not None and not NO_ANSWER.startswith(text.strip().upper()):
                on_text(text)

        generation = self.chat_model.chat(SYSTEM_PROMPT, self.few_shot, prompt, max_tokens=48, on_text=shown)
        text = generation.text.strip().strip('"').strip()
        if not text or text.upper().startswith(NO_ANSWER):
            return Reading(None, generation.confidence, "the model found no answer in the passages")
        regions = [_sentence_region(index, e) for e in chosen]
        regions += [
            Region(h.chunk.article_id, index.articles[h.chunk.article_id].text, h.chunk.start, h.chunk.end)
            for h in hits
        ]
        span = snap(text, regions)
        if span is None:
            return Reading(None, 0.0, f"the model's answer {text!r} is not in the articles")
        return Reading(span, generation.confidence * span.similarity)


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
        self.model = model
        self.allow_download = allow_download
        self.max_answer_tokens = max_answer_tokens
        self.max_length = max_length
        self.stride = stride

    def read(
        self,
        question: str,
        evidence: Sequence[Evidence],
        hits: Sequence[Hit],
        index: CorpusIndex,
        *,
        on_text: TextCallback | None = None,
    ) -> Reading:
        import torch

        if not hits:
            return Reading(None, 0.0, "no evidence")
        tokenizer, model = _load_extractive(resolve_model(self.model, allow_download=self.allow_download))
        texts = [h.chunk.text for h in hits]
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
            return Reading(None, 0.0, "the model found no answer span")
        prob, w, first, last = best
        chunk = hits[int(window_to_hit[w])].chunk
        start = chunk.start + int(offsets[w][first][0])
        end = chunk.start + int(offsets[w][last][1])
        if prob < null_prob:
            return Reading(None, prob, "the model prefers no answer")
        return Reading(Span(chunk.article_id, start, end, 1.0), prob)

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


def make_reader(name: str | Reader) -> Reader:
    """A reader from a name: ``"llm"`` (default, Qwen2.5 1.5B), ``"llm-fast"`` (0.5B),
    ``"sentence"``, ``"llm:<model or .gguf>"``, or ``"extractive:<model or folder>"``."""
    if not isinstance(name, str):
        return name
    if name == "llm":
        return LlamaReader()
    if name == "llm-fast":
        from qa.llm import FAST_LLM

        return LlamaReader(FAST_LLM, max_sentences=FAST_SENTENCES, support=FAST_SUPPORT)
    if name == "sentence":
        return SentenceReader()
    kind, _, model = name.partition(":")
    if kind == "llm" and model:
        return LlamaReader(model)
    if kind == "extractive" and model:
        return ExtractiveReader(model)
    raise ValueError(
        f"unknown reader {name!r}; valid: 'llm', 'llm-fast', 'sentence', 'llm:<model>', 'extractive:<model>'"
    )
