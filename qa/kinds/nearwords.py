"""A question's words that a sentence says in other words, found by the embedding model: "won" for
"win", "child" for "kids", "fined" for "punished". No table of synonyms: each question word is
embedded beside each word of the candidate sentences (one batch per question) and counts as said
where some word of the sentence is within :data:`DEFAULT_WORD_COSINE` of it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from index.bm25 import tokenize
from index.embed import Embedder

# Chosen on the dev sets (docs/question-kinds.md, yes/no, third round).
DEFAULT_WORD_COSINE = 0.6
_WORD = re.compile(r"[A-Za-z][\w’'-]*")


def _content_words(text: str) -> list[str]:
    """``text``'s words that carry content (a stem that is no stop word), lower-cased, once each."""
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(text) if tokenize(w)))


# Word vectors by model name: news repeats its words, so most of a question's are embedded already.
_CACHE: dict[str, dict[str, np.ndarray]] = {}
_CACHE_WORDS = 50_000
# Each sentence's words for the question's (near_words with the question and model bound).
NearWords = Callable[[Sequence[str]], list[list[str]]]


def _vectors(embedder: Embedder, words: list[str]) -> np.ndarray:
    cache = _CACHE.setdefault(embedder.name, {})
    missing = [w for w in words if w not in cache]
    if missing:
        if len(cache) + len(missing) > _CACHE_WORDS:
            cache.clear()
        cache.update(zip(missing, embedder.embed(missing), strict=True))
    return np.stack([cache[w] for w in words])


def near_words(
    embedder: Embedder, asked: str, sentences: Sequence[str], *, min_cosine: float = DEFAULT_WORD_COSINE
) -> list[list[str]]:
    """For each of ``sentences``, the words of ``asked`` that one of its words is close to.

    Args:
        embedder: The embedding model (normalised vectors).
        asked: The question's content words, as written, in one string.
        sentences: Candidate sentences.
        min_cosine: How close a sentence's word must be to an asked word for it to count as said.

    Returns:
        One list per sentence, of the asked words (as given) it says in other words or in the same.
    """
    if not 0.0 < min_cosine <= 1.0:
        raise ValueError(f"min_cosine must be in (0, 1], got {min_cosine}")
    words_asked = _content_words(asked)
    per_sentence = [_content_words(s) for s in sentences]
    vocabulary = list(dict.fromkeys([*words_asked, *(w for words in per_sentence for w in words)]))
    if not words_asked or len(vocabulary) == len(words_asked):
        return [[] for _ in sentences]
    vectors = _vectors(embedder, vocabulary)
    row = {w: i for i, w in enumerate(vocabulary)}
    question = vectors[: len(words_asked)]
    found: list[list[str]] = []
    for words in per_sentence:
        if not words:
            found.append([])
            continue
        closeness = question @ vectors[[row[w] for w in words]].T  # asked × sentence words
        best = np.max(closeness, axis=1)
        found.append([w for w, c in zip(words_asked, best, strict=True) if c >= min_cosine])
    return found
