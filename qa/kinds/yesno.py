"""Yes/no answers: a verdict and the clause that settles it, highlighted in its sentence.

The settling clause is found by rules, not asked of the LLM: the 1.5B model, asked for a verdict,
says "Yes" to claims its passages call false and invents spans (docs/quality.md, question kinds).
A clause settles a question when its sentence speaks of the question's content words and its
article names the question's names; its verdict is "No" only when the clause itself negates
(not, never, denied, false…). When no sentence speaks of the question, the answer is an abstention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embed import Embedder
from index.stores import Store
from qa.abstention import DEFAULT_POLICY, AbstentionPolicy
from qa.cite import cite, quote
from qa.config import DEFAULT_EVIDENCE, EvidenceWeights
from qa.evidence import rank_sentences
from qa.kinds.clauses import clauses, content_terms, contradicts, coverage, negated
from qa.snap import Span
from qa.types import Answer, AnswerPart, Evidence, Hit

_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w’'-]+|\d[\d,.]*)")


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


def names_in(question: str) -> set[str]:
    """The question's names and numbers (capitalised words past its first, digits), lower-cased."""
    return {m.lower().rstrip(".,").removesuffix("’s").removesuffix("'s") for m in _NAME.findall(question)}


def _names_near(item: Evidence, names: set[str]) -> bool:
    """Whether the sentence, or the one before it (which a "he" or "the group" may refer back to),
    names each of the question's names."""
    text = item.article.text
    before = text.rfind(".", 0, max(0, item.sentence.start - 2))
    window = text[max(0, before) : item.sentence.end].lower()
    return all(any(form in window for form in _forms(name)) for name in names)


# The commonest short names and what news text calls them otherwise.
_ALIASES = {
    "us": ("u.s.", "united states", "american", "washington"),
    "u.s.": ("us", "united states", "american", "washington"),
    "uk": ("britain", "british", "united kingdom"),
    "un": ("united nations", "u.n."),
    "eu": ("european union",),
}


def _forms(name: str) -> tuple[str, ...]:
    """Ways a name may appear: itself, its aliases, and its first letters ("serbia" as "serbian",
    "serb"), for a name long enough that a prefix still picks it out."""
    if name in _ALIASES:
        return (f" {name} ", f" {name}.", f" {name},", f" {name}’", *_ALIASES[name])
    return (name, name[: max(4, len(name) - 2)]) if len(name) >= 6 else (name,)


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
    names = names_in(question)
    terms = content_terms(question) - content_terms(" ".join(names))
    # The content words alone, as written (the store weighs them by its own idf).
    unnamed = " ".join(w for w in question.split()[1:] if content_terms(w) & terms)
    best: tuple[float, int, int, int] | None = None  # weight, evidence index, clause start, clause end
    for i, item in enumerate(evidence[: settings.sentences]):
        if item.relevance < policy.min_relevance or not _names_near(item, names):
            continue
        # idf-weighted: the rare word of "Was the president arrested?" is "arrested", not "president".
        covered = float(store.lexical_overlap(unnamed, [item.text])[0]) if terms else 1.0
        if covered < settings.min_coverage and item.relevance < settings.min_cosine:
            continue
        text = item.article.text
        start, end = max(
            clauses(text, item.sentence.start, item.sentence.end),
            key=lambda c: (coverage(terms, text[c[0] : c[1]]), c[1] - c[0]),
        )
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
    verdict = not negated(settling) and not contradicts(question, settling)
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
