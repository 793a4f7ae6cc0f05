"""Yes/no answers: a verdict and the clause that settles it, highlighted in its sentence.

The settling clause is found by rules, not asked of the LLM: the 1.5B model, asked for a verdict,
says "Yes" to claims its passages call false and invents spans (docs/quality.md, question kinds).
A clause settles a question when its sentence speaks of the question's content words and its
article names the question's names; its verdict is "No" only when the clause itself negates
(not, never, denied, false…). When no sentence speaks of the question, the answer is an abstention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

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
    hypothetical,
    negated,
    spoken_of,
    still_to_come,
)
from qa.kinds.nearwords import DEFAULT_WORD_COSINE, NearWords, near_words
from qa.kinds.predicate import predicate
from qa.kinds.subjects import given_names, names_in, names_near, referred_to
from qa.snap import Span
from qa.types import Answer, AnswerPart, Evidence, Hit


@dataclass(frozen=True, slots=True, kw_only=True)
class YesNoSettings:
    """When a sentence settles a yes/no question.

    Attributes:
        sentences: How many of the best evidence sentences are weighed.
        min_coverage: Share of the question's content words (stemmed, names aside) the sentence
            must contain...
        min_cosine: ...or how close it must be to the question when it words them otherwise.
        word_cosine: A question word counts as said by a sentence holding a word this close to it
            (:func:`qa.kinds.nearwords.near_words`); None: only its forms and the tables count.
    """

    sentences: int = 8
    min_coverage: float = 0.5
    min_cosine: float = 0.75
    word_cosine: float | None = DEFAULT_WORD_COSINE


DEFAULT_YES_NO = YesNoSettings()


def settling_clause(
    text: str, start: int, end: int, question: str, terms: set[str], near: NearWords | None = None
) -> tuple[int, int]:
    """The clause of ``text[start:end]`` that speaks most of the question's ``terms``, widened over
    the next clauses while each speaks of a term it does not ("the strikes, which inflicted no
    casualties": the casualties are in the relative clause); ``near`` gives each clause's words
    for the question's in other words (:func:`qa.kinds.nearwords.near_words`)."""
    parts = list(clauses(text, start, end))
    others = near([text[s:e] for s, e in parts]) if near else [[] for _ in parts]
    held = []
    for (s, e), words in zip(parts, others, strict=True):
        said = f"{text[s:e]} {spoken_of(question, text[s:e])} {' '.join(words)}"
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
    candidates = [
        (i, item)
        for i, item in enumerate(evidence[: settings.sentences])
        if item.relevance >= policy.min_relevance
        and names_near(item, store.sentences[item.article.id], names, given)
    ]
    said = {i: f"{item.text} {spoken_of(question, item.text)}" for i, item in candidates}

    def passes(i: int, item: Evidence) -> float | None:
        """The sentence's coverage when it passes by words, else None."""
        sentences = store.sentences[item.article.id]
        # idf-weighted: the rare word of "Was the president arrested?" is "arrested", not "president".
        covered = float(store.lexical_overlap(unnamed, [referred_to(item, sentences) + said[i]])[0]) if terms else 1.0
        if item.relevance < settings.min_cosine and (
            covered < settings.min_coverage or (asked and not held_terms(asked, said[i]))
        ):
            return None  # by words, a sentence must speak of what is asked ("arrested"), not of the rest alone
        return covered

    covers = {i: passes(i, item) for i, item in candidates}
    near: NearWords | None = None
    if settings.word_cosine is not None and candidates:
        # Other words for the question's own, by the embedding model, in one batch; they raise the
        # coverage of a sentence that passes already, so they choose between sentences too.
        near = partial(near_words, embedder, f"{unnamed} {verb or ''}", min_cosine=settings.word_cosine)
        for (i, item), words in zip(candidates, near([item.text for _, item in candidates]), strict=True):
            if words:
                said[i] = f"{said[i]} {' '.join(words)}"
                covers[i] = passes(i, item)
    best: tuple[float, int, int, int] | None = None  # weight, evidence index, clause start, clause end
    for i, item in candidates:
        covered = covers[i]
        if covered is None:
            continue
        start, end = settling_clause(item.article.text, item.sentence.start, item.sentence.end, question, terms, near)
        if hypothetical(question, item.article.text[start:end]):
            continue  # "could face a life sentence if convicted" says nothing of a conviction
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
