"""Readers: given a question and evidence, pick the answer span.

Every reader keeps the :class:`Reader` contract and returns a :class:`Reading` whose span lies on
real article text; the pipeline turns it into citations. Provided: :class:`LlamaReader` (a local
instruct LLM, the default), :class:`SentenceReader` (model-free: the best evidence sentence) and
:class:`ExtractiveReader` (a transformers extractive-QA model by name or path).
"""

from __future__ import annotations

from qa.llm import ChatLLM
from qa.readers.base import Reader, Reading, TextCallback
from qa.readers.extractive import ExtractiveReader
from qa.readers.llama import LlamaReader
from qa.readers.presets import FAST_SUPPORT, LLM_SUPPORT, PRESETS, LlmPreset
from qa.readers.sentence import SentenceReader

DEFAULT_READER = "llm"
READER_CHOICES = ("llm", "llm-fast", "sentence", "llm:<model>", "extractive:<model>")

__all__ = [
    "DEFAULT_READER",
    "FAST_SUPPORT",
    "LLM_SUPPORT",
    "PRESETS",
    "READER_CHOICES",
    "ExtractiveReader",
    "LlamaReader",
    "LlmPreset",
    "Reader",
    "Reading",
    "SentenceReader",
    "TextCallback",
    "make_reader",
]


def make_reader(name: str | Reader, *, repack: bool | None = None, chat_model: ChatLLM | None = None) -> Reader:
    """A reader from a name: ``"llm"`` (default, Qwen2.5 1.5B), ``"llm-fast"`` (0.5B),
    ``"sentence"``, ``"llm:<model or .gguf>"``, or ``"extractive:<model or folder>"``.

    ``repack`` and ``chat_model`` (the LLM to read with, e.g. a server; None: in-process) are
    passed to LLM readers (see :class:`LlamaReader`); a Reader given is returned as is.
    """
    if not isinstance(name, str):
        return name
    preset = PRESETS.get(name)
    if preset is not None:
        return LlamaReader(
            preset.model,
            max_sentences=preset.max_sentences,
            support=preset.support,
            repack=repack,
            chat_model=chat_model,
        )
    if name == "sentence":
        return SentenceReader()
    kind, _, model = name.partition(":")
    if kind == "llm" and model:
        return LlamaReader(model, repack=repack, chat_model=chat_model)
    if kind == "extractive" and model:
        return ExtractiveReader(model)
    raise ValueError(f"unknown reader {name!r}; valid: {', '.join(repr(c) for c in READER_CHOICES)}")
