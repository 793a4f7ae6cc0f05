"""Explanations (why, how, what caused): the clause that gives the reason or manner, highlighted in
its sentence.

The reader picks the span as for a factoid; an explanation then runs to the end of the reader's
clause, because "following warnings from the United States" cut after "warnings" explains nothing.
When the reader finds nothing, a sentence that states a cause (because, after, following, in
response to…) and speaks of the question is taken instead, if there is one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from index.stores import Store
from index.types import Article, Sentence
from qa.cite import cite
from qa.kinds.clauses import clauses, content_terms, coverage
from qa.snap import Span
from qa.types import Answer, AnswerPart, Citation, Evidence

# Markers a cause follows (the span runs from the marker): "led to" or "resulting in" come after it.
CAUSE = re.compile(
    r"\b(?:because|since|due to|owing to|as a result of|after|following|amid|in response to|in order to|"
    r"so as to|the reason|when|by (?=\w+ing\b))\b",
    re.I,
)
_MIN_COVERAGE = 0.3
# An answer whose content words are this much the question's own restates it.
RESTATED = 0.7
# A clause opening with these says what followed, not why: "resulting in the death of an officer".
_EFFECT = re.compile(r"(?:resulting in|leading to|causing|which led to|so that|prompting)\b", re.I)


def explanation_from(store: Store, found: Answer) -> Answer:
    """A factoid reading of a why/how question turned into an explanation: the reader's span widened
    to the end of its clause is the short answer (``text``), highlighted inside the whole sentence,
    which is the answer's one part (a reason read out of its sentence often reads as no reason)."""
    if found.abstained:
        return replace(found, kind="explanation")
    citation = found.citations[0]
    article = store.articles[citation.article_id]
    assert citation.answer_start is not None and citation.answer_end is not None
    start, end = citation.answer_start, citation.answer_end
    for clause_start, clause_end in clauses(article.text, citation.start, citation.end):
        if clause_start <= start < clause_end:
            end = max(end, clause_end)
            break
    widened = replace(citation, answer_start=start, answer_end=end)
    text = article.text[start:end]
    if _EFFECT.match(text) and not found.question.lower().startswith("how"):
        reason = "the passage the reader chose gives a consequence, not a reason"
        return replace(found, text=None, citations=(), reason=reason, kind="explanation")
    if coverage(content_terms(text), found.question) >= RESTATED:
        # "Why did the paramilitaries ambush the patrol?" -> "paramilitaries ambushed a patrol" gives no reason.
        reason = "the passage the reader chose restates the question without giving a reason"
        return replace(found, text=None, citations=(), reason=reason, kind="explanation")
    return replace(
        found,
        text=article.text[start:end],
        citations=(widened,),
        kind="explanation",
        parts=(AnswerPart(text=citation.quote, citations=(widened,)),),
    )


def stated_cause(store: Store, question: str, evidence: Sequence[Evidence], min_relevance: float) -> Citation | None:
    """The best evidence clause that states a cause and speaks of the question, cited; or None."""
    terms = content_terms(question)
    for item in evidence[:6]:
        if item.relevance < min_relevance or coverage(terms, item.text) < _MIN_COVERAGE:
            continue
        text = item.article.text
        for start, end in clauses(text, item.sentence.start, item.sentence.end):
            marker = CAUSE.search(text, start, end)
            if marker:
                span = Span(article_id=item.article.id, start=marker.start(), end=end, similarity=1.0)
                return cite(item.article, store.sentences[item.article.id], span)
    return None


# "Why does it matter?" names nothing to search for: it asks for the story's significance, which
# news writes with these phrases.
_SIGNIFICANCE_QUESTION = re.compile(
    r"^why (?:does|is|would|should) (?:it|this|that|any of this|the story)(?: all)? "
    r"(?:matter|important|significant|a big deal)\b|^what does (?:it|this|that) mean\b|^why should (?:i|we) care\b",
    re.I,
)
SIGNIFICANCE = re.compile(
    r"\b(?:is|was|are|were) (?:seen|viewed|regarded) as\b|\bmarks? (?:a|the)\b|\bstep (?:toward|towards)\b|"
    r"\bsignifican(?:t|ce)\b|\bimportan(?:t|ce)\b|\bseriousness\b|\braised? concerns?\b|\bthreat(?:en)?s?\b|"
    r"\bpowder keg\b|\bcould (?:lead|mean|trigger)\b|\bconsequences?\b|\bimplications?\b",
    re.I,
)


def asks_significance(question: str) -> bool:
    """Whether ``question`` asks why the story matters ("Why does it matter?") rather than naming a cause."""
    return _SIGNIFICANCE_QUESTION.search(question.strip()) is not None


def significance(store: Store, article: Article) -> Citation | None:
    """The sentence of ``article`` that says what the story means (most such phrases, the later on a
    tie: news states it near the end), cited with its phrase's clause highlighted; or None."""
    best: tuple[int, int, Sentence] | None = None
    for sentence in store.sentences[article.id]:
        if sentence.start < article.body_start:
            continue
        cues = len(SIGNIFICANCE.findall(article.text, sentence.start, sentence.end))
        if cues and (best is None or (cues, sentence.index) > best[:2]):
            best = (cues, sentence.index, sentence)
    if best is None:
        return None
    sentence = best[2]
    start, end = next(
        (c for c in clauses(article.text, sentence.start, sentence.end) if SIGNIFICANCE.search(article.text, *c)),
        (sentence.start, sentence.end),
    )
    return cite(article, store.sentences[article.id], Span(article_id=article.id, start=start, end=end, similarity=1.0))
