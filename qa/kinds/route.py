"""Each question to the answer kind that fits it: one entry point for the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from index.embed import Embedder
from index.stores import Store
from index.types import Article
from qa.abstention import DEFAULT_POLICY, AbstentionPolicy
from qa.cite import quote
from qa.config import DEFAULT_EVIDENCE, EvidenceWeights
from qa.evidence import rank_sentences
from qa.kinds.detect import QuestionKind
from qa.kinds.explain import asks_significance, explanation_from, significance, stated_cause
from qa.kinds.factoid import answer_factoid
from qa.kinds.listing import answer_list
from qa.kinds.summary import answer_summary, articles_of
from qa.kinds.timing import DEVELOPING, developing, newest_hits_first
from qa.kinds.verify import worded
from qa.kinds.yesno import answer_yes_no
from qa.kinds.yesno_reader import ReadYesNo, read_yes_no
from qa.llm import ChatLLM
from qa.readers.base import Reader
from qa.types import Answer, AnswerPart, Citation, Hit, ProgressCallback


def answer_kind(
    store: Store,
    embedder: Embedder,
    reader: Reader,
    question: str,
    kind: QuestionKind,
    hits: Sequence[Hit],
    vector: np.ndarray,
    *,
    newest_first: bool = False,
    candidates: Sequence[Article] = (),
    weights: EvidenceWeights = DEFAULT_EVIDENCE,
    policy: AbstentionPolicy = DEFAULT_POLICY,
    progress: ProgressCallback | None = None,
    wording: ChatLLM | None = None,
    yes_no_llm: ReadYesNo | None = None,
) -> Answer:
    """Answer ``question`` in the shape ``kind`` asks for, from ``hits`` (or abstain).

    ``candidates`` are the articles a summary with no topic may summarise, best first (the
    newest, for "What's the latest?"); by default the articles of ``hits``. With ``wording``, a
    summary's sentences are shortened by that LLM where :mod:`qa.kinds.verify` proves them.
    """

    def factoid() -> Answer:
        return answer_factoid(
            store, embedder, reader, question, hits, vector, weights=weights, policy=policy, progress=progress
        )

    if kind.kind == "summary":
        articles = list(candidates) if candidates and not kind.topic else articles_of(store, hits)
        summary = answer_summary(
            store, embedder, question, kind.topic, articles, newest_first=newest_first, policy=policy
        )
        if wording is None or summary.abstained:
            return summary
        parts = worded(wording, summary.parts)
        return replace(summary, parts=parts, text=" ".join(p.text for p in parts))
    if kind.kind == "yes/no":
        settled = answer_yes_no(store, embedder, question, hits, vector, weights=weights, policy=policy)
        model = getattr(reader, "chat_model", None)
        if not settled.abstained or model is None or yes_no_llm is None:
            return settled
        # The rules settle only by the question's own words; the LLM may find them said otherwise.
        if progress:
            progress("reading", "the sentences that may settle it")
        evidence = rank_sentences(store, question, vector, hits, weights)
        read = read_yes_no(store, model, question, evidence, policy=policy, settings=yes_no_llm)
        return settled if read.abstained else read
    if kind.kind == "list":
        evidence = rank_sentences(store, question, vector, hits, weights)
        model = getattr(reader, "chat_model", None)  # the LLM readers' model lists the items
        return answer_list(store, question, kind.head, evidence, factoid, policy=policy, chat_model=model)
    if kind.kind == "explanation" and asks_significance(question):
        story = list(candidates) or articles_of(store, hits)
        cited = significance(store, story[0]) if story else None
        if cited is None:
            reason = "the articles do not say what the story means"
            return Answer(question=question, text=None, score=0.0, reason=reason, kind="explanation")
        return _cited_explanation(store, question, cited)
    if kind.kind == "explanation":
        found = explanation_from(store, factoid())
        if not found.abstained:
            return found
        evidence = rank_sentences(store, question, vector, hits, weights)
        citation = stated_cause(store, question, evidence, policy.min_relevance)
        return found if citation is None else _cited_explanation(store, question, citation)
    if not newest_first and developing(store, hits):
        hits, newest_first = newest_hits_first(store, hits, DEVELOPING), True
    if newest_first and hits:
        # The newest article near the top answers alone when it can: the newer report wins.
        newest = hits[0].chunk.article_id
        found = answer_factoid(
            store,
            embedder,
            reader,
            question,
            [h for h in hits if h.chunk.article_id == newest],
            vector,
            weights=weights,
            policy=policy,
            progress=progress,
        )
        if not found.abstained:
            return replace(found, citations=(*found.citations, *earlier_reports(store, question, vector, hits, found)))
    return factoid()


def _cited_explanation(store: Store, question: str, citation: Citation) -> Answer:
    """An explanation found by rule: the highlighted clause as its short answer, its sentence as its
    part; scored 0.5, as no reader weighed it."""
    assert citation.answer_start is not None and citation.answer_end is not None
    text = store.articles[citation.article_id].text[citation.answer_start : citation.answer_end]
    part = AnswerPart(text=citation.quote, citations=(citation,))
    return Answer(question=question, text=text, score=0.5, citations=(citation,), kind="explanation", parts=(part,))


def earlier_reports(
    store: Store, question: str, vector: np.ndarray, hits: Sequence[Hit], found: Answer, margin: float = 0.1
) -> tuple[Citation, ...]:
    """For "the latest" answered from the newest article: the best sentence of an older article on
    the same question (its evidence nearly as close), so a revised figure is shown beside the old."""
    answered = store.articles[found.citations[0].article_id]
    if answered.published is None:
        return ()
    evidence = rank_sentences(store, question, vector, hits)
    own = [e.relevance for e in evidence if e.article.id == answered.id]
    for item in evidence:
        older = item.article.published is not None and item.article.published < answered.published
        if older and own and item.relevance >= max(own) - margin:
            return (quote(item),)
    return ()
