"""Summaries ("What happened?", "Tell me about X", "What's the latest?"): 2-4 sentences copied from
the articles, most important first, each cited on its own.

A news story puts what matters most first, so a sentence's place in its article counts, beside how
close it is to the question's topic and to the article as a whole. No LLM is involved: every part
is an article sentence, shown as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.chunk import is_heading
from index.embed import Embedder
from index.stores import Store
from index.types import Article, Sentence
from qa.abstention import DEFAULT_POLICY, AbstentionPolicy
from qa.cite import cite
from qa.kinds.clauses import content_terms, coverage
from qa.snap import Span
from qa.types import Answer, AnswerPart, Hit


@dataclass(frozen=True, slots=True, kw_only=True)
class SummarySettings:
    """How summary sentences are chosen.

    Attributes:
        max_parts: At most this many sentences.
        max_articles: Drawn from at most this many articles (the best retrieved first, or the
            newest for "the latest").
        lead: Weight of a sentence's place in its article (1 for the first, falling as 1/(1+i)).
        centrality: Weight of its closeness to the article's mean sentence.
        redundant: A sentence this close (cosine) to one already chosen adds nothing.
        min_words: Shorter sentences (bylines, datelines, captions) are not summary material.
        topic_named: An article is summarised on a topic only when it holds this share of the
            topic's words (idf-weighted).
    """

    max_parts: int = 3
    max_articles: int = 2
    lead: float = 0.35
    centrality: float = 0.5
    redundant: float = 0.8
    min_words: int = 6
    topic_named: float = 0.6


DEFAULT_SUMMARY = SummarySettings()


def answer_summary(
    store: Store,
    embedder: Embedder,
    question: str,
    topic: str,
    articles: Sequence[Article],
    *,
    newest_first: bool = False,
    policy: AbstentionPolicy = DEFAULT_POLICY,
    settings: SummarySettings = DEFAULT_SUMMARY,
) -> Answer:
    """A summary of what ``articles`` (best first) say about ``topic`` ("" for the story as a whole),
    or an abstention; with ``newest_first`` the newest article's sentences lead."""
    if newest_first:
        articles = sorted(articles, key=lambda a: -(a.published.toordinal() if a.published else 0))
    if topic:
        # An article summarised on a topic must name most of it (idf-weighted): "Brancato's
        # sentencing hearing" is not summarised from a story that only names Brancato.
        shares = store.lexical_overlap(topic, [a.text[a.body_start :] for a in articles])
        articles = [a for a, share in zip(articles, shares, strict=True) if share >= settings.topic_named]
    articles = list(articles[: settings.max_articles])
    topic_vector = embedder.embed([topic])[0] if topic else None
    terms = content_terms(topic)
    candidates: list[tuple[float, Article, Sentence, np.ndarray]] = []
    for rank, article in enumerate(articles):
        sentences = [s for s in store.sentences[article.id] if _summary_material(article, s, settings)]
        if not sentences:
            continue
        vectors = np.vstack([store.vectors_of_sentences(article.id, s.index, s.index + 1) for s in sentences])
        centroid = vectors.mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        for position, (s, v) in enumerate(zip(sentences, vectors, strict=True)):
            score = settings.lead / (1 + position) + settings.centrality * float(v @ centroid) - 0.1 * rank
            if topic_vector is not None:
                # A short topic ("the ambush") sits far from every sentence in embedding space;
                # naming its words counts as much as being close to it.
                relevance = float(v @ topic_vector)
                named = coverage(terms, article.text[s.start : s.end])
                if relevance < policy.min_relevance and named == 0:
                    continue  # only what speaks of the topic
                score += relevance + named
            candidates.append((score, article, s, v))
    candidates.sort(key=lambda c: -c[0])
    chosen: list[tuple[float, Article, Sentence, np.ndarray]] = []
    for candidate in candidates:
        if all(float(candidate[3] @ c[3]) < settings.redundant for c in chosen):
            chosen.append(candidate)
        if len(chosen) == settings.max_parts:
            break
    if not chosen:
        about = f" about {topic}" if topic else ""
        return Answer(
            question=question, text=None, score=0.0, reason=f"no article says anything{about}", kind="summary"
        )
    if newest_first:  # the newest article's sentences first, each article's in order of importance
        order = {a.id: i for i, a in enumerate(articles)}
        chosen.sort(key=lambda c: order[c[1].id])
    parts = []
    for _, article, s, _ in chosen:
        citation = cite(
            article, store.sentences[article.id], Span(article_id=article.id, start=s.start, end=s.end, similarity=1.0)
        )
        parts.append(AnswerPart(text=citation.quote, citations=(citation,)))
    score = float(np.mean([c[0] for c in chosen])) if topic_vector is not None else 1.0
    return Answer(
        question=question,
        text=" ".join(p.text for p in parts),
        score=min(1.0, max(0.0, score)),
        citations=tuple(p.citations[0] for p in parts),
        kind="summary",
        parts=tuple(parts),
    )


def articles_of(store: Store, hits: Sequence[Hit]) -> list[Article]:
    """The articles of ``hits``, in the order of their best hit."""
    seen: dict[str, Article] = {}
    for hit in hits:
        seen.setdefault(hit.chunk.article_id, store.articles[hit.chunk.article_id])
    return list(seen.values())


def _summary_material(article: Article, sentence: Sentence, settings: SummarySettings) -> bool:
    if sentence.start < article.body_start or is_heading(article.text, sentence):
        return False
    text = article.text[sentence.start : sentence.end]
    return len(text.split()) >= settings.min_words and not text.rstrip().endswith("?")
