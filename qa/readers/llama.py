"""The default reader: a local instruct LLM (llama.cpp) that copies the shortest answering phrase."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.evidence import within_budget
from qa.llm import DEFAULT_LLM, ChatLLM, ChatModel, repacks
from qa.readers import check
from qa.readers.base import Reading, TextCallback
from qa.readers.presets import LLM_SUPPORT, MAX_SENTENCES
from qa.snap import Region, snap
from qa.support import SupportModel
from qa.types import Evidence, Passage


@dataclass(frozen=True, slots=True)
class Prompt:
    """What the model is told: the instructions and the worked examples that show them.

    Attributes:
        system: The system prompt.
        passage: The worked examples' passage.
        title: The passage's title (shown when the reader heads passages with titles).
        examples: (question, reply) pairs over ``passage``; "NONE" is a refusal.
    """

    system: str
    passage: str
    title: str
    examples: tuple[tuple[str, str], ...]


_EXAMPLE = (
    "The city council voted on Tuesday to close two libraries after a budget shortfall of $4 million. "
    "Mayor Ellen Park said the decision was painful but necessary. Five members voted in favour."
)
_EXAMPLE_TITLE = "Council closes two libraries"
_LONGER_EXAMPLE = f"{_EXAMPLE} Bus routes, park maintenance and street lighting will also be cut, the council said."
PROMPTS = {
    # The first sessions' prompt, fitted on SQuAD: the shortest span, so a name, not its title.
    "shortest": Prompt(
        system=(
            "You answer questions from news passages. Copy the shortest span of the passages that answers "
            "the question, word for word, exactly as written there. Do not rephrase and do not add words. "
            "If the passages do not contain the answer, reply NONE."
        ),
        passage=_EXAMPLE,
        title=_EXAMPLE_TITLE,
        examples=(
            ("Who is the mayor?", "Ellen Park"),
            ("Why did the council close the libraries?", "after a budget shortfall of $4 million"),
            ("How many members voted in favour?", "Five"),
            ("Who won the election?", "NONE"),
        ),
    ),
    # News answers run longer (NewsQA's median is 5 words): whole lists, whole "what" phrases.
    "complete": Prompt(
        system=(
            "You answer questions from news passages. Copy the span of the passages that answers the "
            "question, word for word, exactly as written there: the whole answer (every item of a list, "
            "the full phrase that says what happened or why) and no more. Do not rephrase and do not "
            "add words. If the passages do not contain the answer, reply NONE."
        ),
        passage=_LONGER_EXAMPLE,
        title=_EXAMPLE_TITLE,
        examples=(
            ("Who is the mayor?", "Ellen Park"),
            ("What did the council vote to do?", "close two libraries"),
            ("Why did the council close the libraries?", "after a budget shortfall of $4 million"),
            ("What will also be cut?", "Bus routes, park maintenance and street lighting"),
            ("How many members voted in favour?", "Five"),
            ("Who won the election?", "NONE"),
        ),
    ),
}
DEFAULT_PROMPT = "shortest"
SYSTEM_PROMPT = PROMPTS[DEFAULT_PROMPT].system
# Where the question goes relative to the passages; the 1.5B model answers best with it last
# (docs/quality.md, fifth round).
LAYOUTS = {
    "passages-first": "Passages:\n{passages}\n\nQuestion: {question}",
    "question-first": "Question: {question}\n\nPassages:\n{passages}",
    "question-both": "Question: {question}\n\nPassages:\n{passages}\n\nQuestion: {question}",
}
DEFAULT_LAYOUT = "passages-first"
NO_ANSWER = "NONE"
# When the model finds no answer in the first sentences, or is unsure, it takes a second look at
# WIDER_LOOK times as many.
WIDER_LOOK = 2
SECOND_LOOK_BELOW = 0.3


def few_shot(
    layout: str = DEFAULT_LAYOUT, titles: bool = False, prompt: str = DEFAULT_PROMPT
) -> tuple[tuple[str, str], ...]:
    """Worked examples sent before every question: they teach copying (a name, a reason clause, a
    number word) and refusing. They form a fixed prompt prefix that llama.cpp keeps cached."""
    template = LAYOUTS[layout]
    chosen = PROMPTS[prompt]
    passages = f"# {chosen.title}\n{chosen.passage}" if titles else chosen.passage
    return tuple((template.format(passages=passages, question=q), reply) for q, reply in chosen.examples)


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
        second_look_below: Below this confidence (or with no answer) the model takes a second
            look at more evidence; below 0 it never does.
        repack: Prefer repacking the model's weights at load (slower load, faster answers: for
            a process that answers many questions); None: the model's own choice. See
            :func:`qa.llm.repacks`, which ``$CITEQA_LLM_REPACK`` overrides.
        chat_model: The LLM to read with, such as a :class:`qa.llm.ServerChatModel` serving
            ``model``; None: ``model`` loaded in-process.
        prompt: The instructions and worked examples (a key of :data:`PROMPTS`).
        check_below: Ask the model, after its answer, whether the sentence it cites gives that
            answer to the question as asked (:mod:`qa.readers.check`), and refuse an answer whose
            "YES" is less likely than this; 0 asks and records (:attr:`Reading.checked`) without
            refusing; None, the default, does not ask.
        check_model: The LLM that checks; None: ``model`` in a llama.cpp context of its own
            (or ``chat_model`` when one is given).
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
        second_look_below: float = SECOND_LOOK_BELOW,
        repack: bool | None = None,
        chat_model: ChatLLM | None = None,
        prompt: str = DEFAULT_PROMPT,
        check_below: float | None = None,
        check_model: ChatLLM | None = None,
    ):
        if layout not in LAYOUTS:
            raise ValueError(f"unknown prompt layout {layout!r}; valid: {', '.join(LAYOUTS)}")
        if prompt not in PROMPTS:
            raise ValueError(f"unknown prompt {prompt!r}; valid: {', '.join(PROMPTS)}")
        self.name = f"llm:{model}"
        self.llm: str | None = model
        self.chat_model: ChatLLM = (
            ChatModel(model, repack=repacks(model, prefer=repack)) if chat_model is None else chat_model
        )
        self.max_sentences = max_sentences
        self.max_chars = max_chars
        self.support = support
        self.template = LAYOUTS[layout]
        self.titles = titles
        self.system_prompt = PROMPTS[prompt].system
        self.few_shot = few_shot(layout, titles, prompt)
        self.second_look_below = second_look_below
        self.check_below = check_below
        if check_model is None and check_below is not None:
            own = ChatModel(model, n_ctx=check.CHECK_CONTEXT, repack=repacks(model, prefer=repack))
            check_model = own if chat_model is None else chat_model
        self.check_model = check_model

    def warm(self) -> None:
        """Load the model and its few-shot prompt state now rather than at the first question."""
        self.chat_model.warm(self.system_prompt, self.few_shot)

    def select(self, evidence: Sequence[Evidence], limit: int | None = None) -> list[Evidence]:
        """The evidence shown to the model: the best ``limit`` sentences within the character budget."""
        return within_budget(evidence, limit or self.max_sentences, self.max_chars)

    def passages(self, chosen: Sequence[Evidence]) -> str:
        """The chosen sentences as text, grouped by article in reading order (headed by the
        article's title when :attr:`titles` is set)."""
        by_article: dict[str, list[Evidence]] = {}
        for item in chosen:
            by_article.setdefault(item.sentence.article_id, []).append(item)
        blocks = []
        for items in by_article.values():
            items.sort(key=lambda e: e.sentence.start)
            body = " ".join(e.text for e in items)
            if self.titles and items[0].sentence.index != 0:  # the title is the first sentence or heading
                body = f"# {items[0].article.title}\n{body}"
            blocks.append(body)
        return "\n\n".join(blocks)

    def read(
        self,
        question: str,
        evidence: Sequence[Evidence],
        passages: Sequence[Passage],
        *,
        on_text: TextCallback | None = None,
    ) -> Reading:
        chosen = self.select(evidence)
        if not chosen:
            return Reading(span=None, confidence=0.0, reason="no evidence")
        reading = self._read(question, chosen, passages, on_text)
        if reading.span is None or reading.confidence < self.second_look_below:
            wider = self.select(evidence, self.max_sentences * WIDER_LOOK)
            if len(wider) > len(chosen):
                # A second look over more of the evidence: the answer may lie just outside the best few.
                second = self._read(question, wider, passages, on_text)
                if second.span is not None and (reading.span is None or second.confidence > reading.confidence):
                    reading, chosen = second, wider
        if reading.span is None or self.check_below is None:
            return reading
        return self._check(question, reading, chosen)

    def _check(self, question: str, reading: Reading, chosen: Sequence[Evidence]) -> Reading:
        """The reading with the model's own check of it, refused when the check says no."""
        span = reading.span
        assert span is not None and self.check_model is not None
        cited = next(
            (
                e
                for e in chosen
                if e.sentence.article_id == span.article_id and e.sentence.start <= span.start < e.sentence.end
            ),
            None,
        )
        if cited is None:  # snapped onto a passage outside the sentences shown: no sentence to ask of
            return reading
        said = cited.article.text[span.start : span.end]
        checked = check.check(self.check_model, cited.text, question, said)
        if checked < (self.check_below or 0.0):
            reason = f"asked to check, the model did not find {said!r} given as the answer asked for ({checked:.2f})"
            return Reading(span=None, confidence=reading.confidence, reason=reason, checked=checked)
        return Reading(span=span, confidence=reading.confidence, checked=checked)

    def _read(
        self,
        question: str,
        chosen: Sequence[Evidence],
        passages: Sequence[Passage],
        on_text: TextCallback | None,
    ) -> Reading:
        prompt = self.template.format(passages=self.passages(chosen), question=question)

        def shown(text: str) -> None:
            # "NONE" is the model refusing, not an answer to show while it is being written.
            if on_text is not None and not NO_ANSWER.startswith(text.strip().upper()):
                on_text(text)

        generation = self.chat_model.chat(self.system_prompt, self.few_shot, prompt, max_tokens=48, on_text=shown)
        text = generation.text.strip().strip('"').strip()
        if not text or text.upper().startswith(NO_ANSWER):
            return Reading(
                span=None, confidence=generation.confidence, reason="the model found no answer in the passages"
            )
        regions = [
            Region(article_id=e.sentence.article_id, text=e.article.text, start=e.sentence.start, end=e.sentence.end)
            for e in chosen
        ]
        regions += [Region(article_id=p.article_id, text=p.article.text, start=p.start, end=p.end) for p in passages]
        span = snap(text, regions)
        if span is None:
            return Reading(span=None, confidence=0.0, reason=f"the model's answer {text!r} is not in the articles")
        return Reading(span=span, confidence=generation.confidence * span.similarity)
