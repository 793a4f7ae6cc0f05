"""The reader's check of its own answer: asked, with worked near misses, whether the cited
sentence gives that answer to the question as asked (SQuAD 2.0's near misses: another name, the
opposite word, a number the text does not give).

Asked in the reader's own conversation, the 1.5B model says YES to everything (0.78-0.85 for
right answers and near misses alike, docs/quality.md); with worked examples of its own it tells
some apart. Those examples are a prefix of their own, so the check reads in a llama.cpp context
of its own, where that prefix stays cached between questions.
"""

from __future__ import annotations

from qa.llm import ChatLLM

SYSTEM = (
    "You check answers to questions against a sentence of a news story. Reply YES only if the sentence "
    "states that the answer answers the question exactly as asked. Reply NO if the sentence says the "
    "opposite, says it did not happen, or speaks of another person, place, number or date than the "
    "question asks about."
)
TEMPLATE = (
    "Sentence: {sentence}\nQuestion: {question}\nAnswer: {answer}\nDoes the sentence give this answer to this question?"
)
_SENTENCE = (
    "The city council voted on Tuesday to close two libraries after a budget shortfall of $4 million, "
    "and Mayor Ellen Park said the decision was painful but necessary."
)
EXAMPLES = (
    ("How many libraries did the council vote to close?", "two", "YES"),
    ("How many libraries did the council vote to open?", "two", "NO"),
    ("Who said the decision was painful?", "Mayor Ellen Park", "YES"),
    ("Who said the decision was easy?", "Mayor Ellen Park", "NO"),
    ("When did the school board vote?", "on Tuesday", "NO"),
    ("Why did the council close libraries?", "after a budget shortfall of $4 million", "YES"),
)
# The threshold chosen on the dev samples (docs/quality.md, near misses: the reader's own check):
# ``LlamaReader(check_below=CHECK_BELOW)``. Off by default: the check adds about 1.2 s an answer.
CHECK_BELOW = 0.4
# The context of its own: a size no other caller loads the model with (see qa.llm.loading).
CHECK_CONTEXT = 1024


def turns() -> tuple[tuple[str, str], ...]:
    """The worked examples, as (user, assistant) turns: a fixed prefix llama.cpp keeps cached."""
    return tuple((TEMPLATE.format(sentence=_SENTENCE, question=q, answer=a), r) for q, a, r in EXAMPLES)


def check(chat_model: ChatLLM, sentence: str, question: str, answer: str) -> float:
    """The probability the model gives YES: that ``sentence`` gives ``answer`` to ``question``.
    A reply that is neither YES nor NO counts as 0."""
    generation = chat_model.chat(
        SYSTEM, turns(), TEMPLATE.format(sentence=sentence, question=question, answer=answer), max_tokens=1
    )
    said = generation.text.strip().upper()
    p = generation.token_probs[0] if generation.token_probs else generation.confidence
    return p if said.startswith("Y") else 1.0 - p if said.startswith("N") else 0.0
