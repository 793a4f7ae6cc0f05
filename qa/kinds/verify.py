"""The check an LLM-worded part must pass to be shown: every name, number and content word of it is
in the sentences it cites. Anything else is dropped, and the copied sentence is shown instead.

Copying is the default; wording is opt-in (``Pipeline(worded=True)``), for summaries whose
sentences read long.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from index.bm25 import tokenize
from qa.llm import ChatLLM
from qa.types import AnswerPart

_WORD = re.compile(r"\w+(?:[.,’']\w+)*")
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
# Words a shortened sentence may add without adding a claim.
_GLUE = frozenset(tokenize("also said says according while after before since then there were been being"))

SYSTEM = (
    "Shorten the sentence from a news article to at most 20 words. Keep its facts; copy names and "
    "numbers exactly as written; add nothing that the sentence does not say. Reply with the sentence only."
)


def unproven(text: str, sources: Sequence[str]) -> list[str]:
    """The words of ``text`` its ``sources`` do not back: names and numbers not written there, and
    content words whose stems they never use. Empty when ``text`` is proven."""
    source_text = " ".join(sources)
    source_words = {w.lower() for w in _WORD.findall(source_text)}
    source_numbers = {_number(w) for w in source_words}
    source_stems = set(tokenize(source_text))
    missing = []
    for i, word in enumerate(_WORD.findall(text)):
        lower = word.lower()
        if _number(lower) != lower or lower in _NUMBER_WORDS or lower.replace(".", "", 1).isdigit():
            if _number(lower) not in source_numbers:
                missing.append(word)
        elif word[:1].isupper() and i > 0:
            if lower not in source_words:
                missing.append(word)
        elif any(stem not in source_stems and stem not in _GLUE for stem in tokenize(word)):
            missing.append(word)
    return missing


def _number(word: str) -> str:
    """A number as compared: "3,000" as "3000", "three" as "3"; other words unchanged."""
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    plain = word.replace(",", "")
    return plain if plain.replace(".", "", 1).isdigit() else word


def worded(model: ChatLLM, parts: Sequence[AnswerPart]) -> tuple[AnswerPart, ...]:
    """Each part shortened by ``model``, kept only where :func:`unproven` finds nothing; the copied
    part otherwise."""
    out = []
    for part in parts:
        sources = [c.quote for c in part.citations]
        candidate = model.chat(SYSTEM, (), part.text, max_tokens=48).text.strip()
        if candidate and len(candidate) < len(part.text) and not unproven(candidate, sources):
            out.append(replace(part, text=candidate, worded=True))
        else:
            out.append(part)
    return tuple(out)
