"""Yes/no answers: a verdict and the clause that settles it, highlighted in its sentence.

The settling clause is found by rules first, not asked of the LLM: the 1.5B model, asked for a
verdict, says "Yes" to claims its passages call false and invents spans (docs/question-kinds.md).
Where no sentence passes, :mod:`qa.kinds.yesno_reader` asks the LLM, behind gates of its own.
A clause settles a question when its sentence speaks of the question's content words and its
article names the question's names; its verdict is "No" only when the clause itself negates
(not, never, denied, false…). When no sentence speaks of the question, the answer is an abstention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embed import Embedder
from index.stores import Store
from qa.abstention import DEFAULT_POLICY, AbstentionPolicy
from qa.cite import cite, quote
from qa.config import DEFAULT_EVIDENCE, EvidenceWeights
from qa.evidence import rank_sentences
from qa.kinds.clauses import (
    asked_terms,
    clauses,
    content_terms,
    contradicts,
    held_terms,
    negated,
    spoken_of,
    still_to_come,
)
from qa.kinds.predicate import predicate
from qa.kinds.subjects import given_names, names_in, names_near, referred_to
from qa.snap import Span
from qa.types import Answer, AnswerPart, Hit


@dataclass(frozen=True, slots=True, kw_only=True)
class YesNoSettings:
    """When a sentence settles a yes/no question.

    Attributes:
        sentences: How many of the best evidence sentences are weighed.
        min_coverage: Share of the question's content words (stemmed, names aside) the sentence
            must contain...
        min_cosine: ...or how close it must be to the question when it words them otherwise.
    """

    sentences: int = 8
    min_coverage: float = 0.5
    min_cosine: float = 0.75


DEFAULT_YES_NO = YesNoSettings()


def settling_clause(text: str, start: int, end: int, question: str, terms: set[str]) -> tuple[int, int]:
    """The clause of ``text[start:end]`` that speaks most of the question's ``terms``, widened over
    the next clauses while each speaks of a term it does not ("the strikes, which inflicted no
    casualties": the casualties are in the relative clause)."""
    parts = list(clauses(text, start, end))
    held = []
    for s, e in parts:
        said = f"{text[s:e]} {spoken_of(question, text[s:e])}"
        held.append(held_terms(terms, said))
    best = max(range(len(parts)), key=lambda k: (len(held[k]), parts[k][1] - parts[k][0]))
    have, last = set(held[best]), best
    while last + 1 < len(parts) and held[last + 1] - have:
        last += 1
        have |= held[last]
    return parts[best][0], parts[last][1]


def answer_yes_no(
    store: Store,
    embedder: Embedder,
    question: str,
    hits: Sequence[Hit],
    vector: np.ndarray,
    *,
    weights: EvidenceWeights = DEFAULT_EVIDENCE,
    policy: AbstentionPolicy = DEFAULT_POLICY,
    settings: YesNoSettings = DEFAULT_YES_NO,
) -> Answer:
    """Answer "Yes" or "No" with the clause of the articles that settles ``question``, or an abstention."""
    evidence = rank_sentences(store, question, vector, hits, weights)
    considered = tuple(quote(e) for e in evidence[: policy.considered_shown])
    names, given = names_in(question), given_names(question)
    terms = asked_terms(question) - content_terms(" ".join(names))
    # The content words alone, as written (the store weighs them by its own idf).
    unnamed = " ".join(w for w in question.split()[1:] if content_terms(w) & terms)
    verb = predicate(question)
    asked = content_terms(verb) & terms if verb else set()
    best: tuple[float, int, int, int] | None = None  # weight, evidence index, clause start, clause end
    for i, item in enumerate(evidence[: settings.sentences]):
        sentences = store.sentences[item.article.id]
        if item.relevance < policy.min_relevance or not names_near(item, sentences, names, given):
            continue
        # idf-weighted: the rare word of "Was the president arrested?" is "arrested", not "president".
        said = f"{item.text} {spoken_of(question, item.text)}"
        covered = float(store.lexical_overlap(unnamed, [referred_to(item, sentences) + said])[0]) if terms else 1.0
        close = item.relevance >= settings.min_cosine
        if not close and (covered < settings.min_coverage or (asked and not held_terms(asked, said))):
            continue  # by words, a sentence must speak of what is asked ("arrested"), not of the rest alone
        start, end = settling_clause(item.article.text, item.sentence.start, item.sentence.end, question, terms)
        weight = item.relevance + covered
        if best is None or weight > best[0]:
            best = (weight, i, start, end)
    if best is None:
        reason = "no sentence in the articles settles the question"
        return Answer(question=question, text=None, score=0.0, reason=reason, considered=considered, kind="yes/no")
    weight, i, start, end = best
    item = evidence[i]
    article = item.article
    settling = article.text[start:end]
    verdict = not (negated(settling) or contradicts(question, settling) or still_to_come(question, settling))
    citation = cite(
        article, store.sentences[article.id], Span(article_id=article.id, start=start, end=end, similarity=1.0)
    )
    return Answer(
        question=question,
        text="Yes" if verdict else "No",
        score=min(1.0, weight / 2),
        citations=(citation,),
        kind="yes/no",
        parts=(AnswerPart(text=settling, citations=(citation,)),),
        verdict=verdict,
    )
