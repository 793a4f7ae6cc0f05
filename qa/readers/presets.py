"""The packaged LLMs as readers: how much evidence each reads, and the support check fit for it.

Each support fit comes from ``benchmarks/fit_support.py`` on SQuAD dev answers of that model,
open and with the question's own article left out; docs/quality.md has the fits and held-out checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.llm import DEFAULT_LLM, FAST_LLM
from qa.support import SupportModel, SupportSignals


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmPreset:
    """A packaged LLM with the reading settings and support fit measured for it.

    Attributes:
        model: Packaged model name (see :data:`qa.llm.PACKAGED_GGUF`).
        max_sentences: Evidence sentences shown at first (a second look shows more).
        support: Its support check.
    """

    model: str
    max_sentences: int
    support: SupportModel


# Qwen2.5-Coder-1.5B: 200 questions (seed 13); the threshold keeps answerable abstention at 5% there.
LLM_SUPPORT = SupportModel(
    weights=SupportSignals(reader=1.804, quote_cosine=5.048, quote_overlap=3.727, best_cosine=7.912),
    bias=-9.531,
    threshold=0.25,
)
# Qwen2.5-Coder-0.5B reading 2 sentences: 100 questions (seed 13), held out on seed 7.
FAST_SUPPORT = SupportModel(
    weights=SupportSignals(reader=0.535, quote_cosine=4.233, quote_overlap=3.417, best_cosine=8.629),
    bias=-8.497,
    threshold=0.2,
)
# The 0.5B model is the more easily distracted: it reads best from 2 sentences, the 1.5B from 3.
PRESETS = {
    "llm": LlmPreset(model=DEFAULT_LLM, max_sentences=3, support=LLM_SUPPORT),
    "llm-fast": LlmPreset(model=FAST_LLM, max_sentences=2, support=FAST_SUPPORT),
}
MAX_SENTENCES = PRESETS["llm"].max_sentences
FAST_SENTENCES = PRESETS["llm-fast"].max_sentences
