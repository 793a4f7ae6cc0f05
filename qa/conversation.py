"""Follow-up questions: rewrite one that leans on the conversation into a standalone question.

"Who led the armed group?" → "Milan Radoičić"; then "What party is he the deputy leader of?" is
searched for as "What party is Milan Radoičić the deputy leader of?". Retrieval sees only the
rewritten question, so the rewrite must name what the pronoun stands for.

The LLM is asked only when the question looks like a follow-up (a pronoun, a demonstrative, or an
elliptical "what about ..."), which keeps standalone questions as fast as before and never lets
the rewrite damage them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.llm import ChatLLM

# The rewriter has its own llama.cpp context, so its prompt does not evict the reader's cached
# few-shot prefix (sharing one context cost two full prompt evaluations per follow-up).
REWRITER_CONTEXT = 1024
# Turns of the conversation shown to the model, most recent last.
MAX_TURNS = 3
_FOLLOW_UP = re.compile(
    r"\b(he|him|his|himself|she|her|hers|herself|it|its|itself|they|them|their|theirs|themselves|"
    r"this|that|these|those|there|then|the same|former|latter)\b",
    re.IGNORECASE,
)
_ELLIPTICAL = re.compile(r"^\s*(and|what about|how about)\b[^?]{0,40}\??\s*$", re.IGNORECASE)

SYSTEM = (
    "You rewrite the user's follow-up question so that it can be understood without the conversation. "
    "Replace pronouns and vague references (he, she, it, they, that, there) with the names or things "
    "they refer to in the conversation. Keep all other words. If the question is already standalone, "
    "repeat it unchanged. Reply with the question only."
)
FEW_SHOT: tuple[tuple[str, str], ...] = (
    (
        "Conversation:\nQ: Who is the mayor?\nA: Ellen Park\n\nFollow-up: When was she elected?",
        "When was Ellen Park elected?",
    ),
    (
        "Conversation:\nQ: Which libraries will close?\nA: the Elm Street and Oak Road libraries\n\n"
        "Follow-up: Why are they closing?",
        "Why are the Elm Street and Oak Road libraries closing?",
    ),
    (
        "Conversation:\nQ: Who is the mayor?\nA: Ellen Park\n\nFollow-up: How many members voted in favour?",
        "How many members voted in favour?",
    ),
    (
        "Conversation:\nQ: What did the council vote on?\nA: to close two libraries\n\nFollow-up: What was its reason?",
        "What was the council's reason to close two libraries?",
    ),
    (
        "Conversation:\nQ: What did the mayor promise?\nA: new reading rooms in schools\n\n"
        "Follow-up: Were those rooms built?",
        "Were the new reading rooms in schools built?",
    ),
    (
        "Conversation:\nQ: Who voted against?\nA: two members\n\nFollow-up: For what reason?",
        "For what reason did two members vote against?",
    ),
)


def needs_context(question: str) -> bool:
    """True when ``question`` looks like it leans on earlier turns."""
    short = len(question.split()) <= 3
    return bool(short or _FOLLOW_UP.search(question) or _ELLIPTICAL.match(question))


def conversation_prompt(question: str, history: Sequence[tuple[str, str | None]]) -> str:
    lines = ["Conversation:"]
    for asked, answered in history[-MAX_TURNS:]:
        lines.append(f"Q: {asked}")
        lines.append(f"A: {answered if answered else '(no answer in the articles)'}")
    return "\n".join(lines) + f"\n\nFollow-up: {question}"


def rewrite_question(model: ChatLLM, question: str, history: Sequence[tuple[str, str | None]]) -> str:
    """``question`` made standalone using ``history`` (oldest first); ``question`` itself when no rewrite holds up.

    A rewrite is refused (and the question kept) when it is empty, several lines, or far longer
    than the question and the conversation could justify.
    """
    if not history:
        return question
    generation = model.chat(SYSTEM, FEW_SHOT, conversation_prompt(question, history), max_tokens=64)
    rewritten = generation.text.strip().strip('"').strip()
    if rewritten.lower().startswith("follow-up:"):
        rewritten = rewritten.split(":", 1)[1].strip()
    context_chars = sum(len(a) + len(b or "") for a, b in history[-MAX_TURNS:])
    if not rewritten or "\n" in rewritten or len(rewritten) > len(question) + context_chars + 20:
        return question
    return rewritten
