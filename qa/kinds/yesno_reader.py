"""Yes/no questions the rules cannot settle, read by the LLM: it names the words that settle the
question and its verdict; the words must be copied from an evidence sentence, or there is no answer.

The rules (:mod:`qa.kinds.yesno`) settle a question only when a sentence uses the question's own
words; a story that says "sustained an injury" for "Was she hurt?" abstains. Asked for a verdict
alone, the 1.5B model says "Yes" to claims its passages call false, so here it must copy the
settling words first, and a "Yes" over words that negate (by the rules' own test) is no answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.stores import Store
from qa.abstention import DEFAULT_POLICY, AbstentionPolicy
from qa.cite import cite, quote
from qa.evidence import within_budget
from qa.kinds.clauses import contradicts, negated, still_to_come
from qa.kinds.subjects import given_names, names_in, names_near
from qa.llm import ChatLLM
from qa.snap import Region, snap
from qa.support import SupportSignals
from qa.types import Answer, AnswerPart, Evidence

SYSTEM = (
    "You check yes/no questions against news passages. First copy, word for word, the words of the "
    "passages that settle the question, then write ' => YES' or ' => NO'. Answer NO only when the "
    "passages say the opposite. If the passages do not settle the question, reply NONE."
)
_PASSAGE = (
    "The city council voted on Tuesday to close two libraries after a budget shortfall of $4 million. "
    "The cause of the shortfall remains unclear. The main library on Elm Street will stay open. "
    "Mayor Ellen Park said the decision was painful. "
    "The library workers' union said it would appeal."
)
EXAMPLES = (
    ("Did the council close any libraries?", "voted on Tuesday to close two libraries => YES"),
    ("Will the Elm Street library shut?", "The main library on Elm Street will stay open => NO"),
    ("Was the mayor re-elected?", "NONE"),
    ("Did money play a part in the decision?", "after a budget shortfall of $4 million => YES"),
    ("Is it known what caused the shortfall?", "The cause of the shortfall remains unclear => NO"),
    ("Did the union accept the decision?", "The library workers' union said it would appeal => NO"),
    ("Has the union won its appeal?", "NONE"),
)
TEMPLATE = "Passages:\n{passages}\n\nQuestion: {question}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadYesNo:
    """What the LLM is shown and when its verdict is shown.

    Attributes:
        sentences: The best evidence sentences shown...
        max_chars: ...within this many characters.
        min_verdict: The probability the model gave its YES or NO token below which there is
            no answer (it separates its wrong verdicts better than the whole reply's confidence).
        min_cosine: How close the settling sentence must be to the question (the model's "Yes"
            over a sentence on another matter is its most common wrong answer).
    """

    sentences: int = 4
    max_chars: int = 1000
    min_verdict: float = 0.7
    min_cosine: float = 0.55


DEFAULT_READ = ReadYesNo()


def turns() -> tuple[tuple[str, str], ...]:
    """The worked examples, as (user, assistant) turns: a fixed prefix llama.cpp keeps cached."""
    return tuple((TEMPLATE.format(passages=_PASSAGE, question=q), a) for q, a in EXAMPLES)


def _shown(evidence: Sequence[Evidence], settings: ReadYesNo) -> list[Evidence]:
    chosen = within_budget(evidence, settings.sentences, settings.max_chars)
    return sorted(chosen, key=lambda e: (e.article.id, e.sentence.start))


def _passages(chosen: Sequence[Evidence]) -> str:
    blocks: dict[str, list[str]] = {}
    for item in chosen:
        blocks.setdefault(item.article.id, []).append(item.text)
    return "\n\n".join(" ".join(texts) for texts in blocks.values())


def parse(reply: str) -> tuple[str, bool] | None:
    """The settling words and the verdict of a reply "WORDS => YES|NO"; None for NONE or anything else."""
    words, arrow, verdict = reply.strip().rpartition("=>")
    verdict = verdict.strip().strip(".").upper()
    words = words.strip().strip('"').strip()
    if not arrow or not words or verdict not in ("YES", "NO"):
        return None
    return words, verdict == "YES"


def read_yes_no(
    store: Store,
    chat_model: ChatLLM,
    question: str,
    evidence: Sequence[Evidence],
    *,
    policy: AbstentionPolicy = DEFAULT_POLICY,
    settings: ReadYesNo | None = None,
) -> Answer:
    """Settle ``question`` from the best evidence sentences with the LLM, or abstain."""
    settings = settings or DEFAULT_READ
    considered = tuple(quote(e) for e in evidence[: policy.considered_shown])

    def none(reason: str, score: float = 0.0, signals: SupportSignals | None = None) -> Answer:
        return Answer(
            question=question,
            text=None,
            score=score,
            reason=reason,
            considered=considered,
            kind="yes/no",
            signals=signals,
        )

    chosen = [e for e in _shown(evidence, settings) if e.relevance >= policy.min_relevance]
    if not chosen:
        return none("no sentence in the articles settles the question")
    generation = chat_model.chat(
        SYSTEM, turns(), TEMPLATE.format(passages=_passages(chosen), question=question), max_tokens=64
    )
    parsed = parse(generation.text)
    if parsed is None:
        return none("the model found nothing in the articles that settles the question", generation.confidence)
    words, verdict = parsed
    regions = [
        Region(article_id=e.article.id, text=e.article.text, start=e.sentence.start, end=e.sentence.end) for e in chosen
    ]
    span = snap(words, regions)
    if span is None:
        return none(f"the model's words {words!r} are not in the articles")
    confidence = generation.confidence * span.similarity
    article = store.articles[span.article_id]
    item = next(e for e in chosen if e.article.id == article.id and e.sentence.start <= span.start < e.sentence.end)
    citation = cite(article, store.sentences[article.id], span)
    signals = SupportSignals(
        reader=confidence,
        quote_cosine=item.relevance,
        quote_overlap=float(store.lexical_overlap(question, [citation.quote])[0]),
        best_cosine=max(e.relevance for e in chosen),
    )
    score = confidence
    verdict_prob = generation.token_probs[-1] if generation.token_probs else generation.confidence
    if verdict_prob < settings.min_verdict:
        return none(f"the model was unsure of its verdict ({verdict_prob:.2f})", score, signals)
    if item.relevance < settings.min_cosine:
        return none(f"the settling sentence is far from the question (cosine {item.relevance:.2f})", score, signals)
    names, given = names_in(question), given_names(question)
    if not names_near(item, store.sentences[article.id], names, given):
        return none("the settling sentence is about someone or somewhere else", score, signals)
    settling = article.text[span.start : span.end]
    says_no = negated(settling) or contradicts(question, settling) or still_to_come(question, settling)
    if verdict and says_no:
        return none(f"the model said Yes over words that say otherwise ({settling!r})", score, signals)
    return Answer(
        question=question,
        text="Yes" if verdict else "No",
        score=score,
        citations=(citation,),
        kind="yes/no",
        parts=(AnswerPart(text=settling, citations=(citation,)),),
        verdict=verdict,
        signals=signals,
    )
