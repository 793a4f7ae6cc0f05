"""Duplicate stories: exact copies (same normalised text) and near-duplicates (MinHash over word shingles, LSH).

A wire story run by several outlets, or an updated version of a story, shares most of its word
5-grams with the other copies; unrelated stories share almost none. Near-duplicates are grouped
into a story whose newest article represents it (``Article.story``); the threshold and signature
size are measured in docs/performance.md (benchmarks/dedup_threshold.py).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from index.types import Article

_MERSENNE = np.uint64((1 << 61) - 1)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupSettings:
    """How near-duplicates are found.

    Attributes:
        threshold: Least estimated Jaccard similarity of two articles' shingle sets to group them.
        num_perm: MinHash signature length (more is more exact and slower).
        bands: LSH bands (``num_perm / bands`` rows each); pairs sharing a band are compared.
        shingle_words: Words per shingle.
    """

    threshold: float = 0.5
    num_perm: int = 64
    bands: int = 16
    shingle_words: int = 5

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.num_perm <= 0 or self.bands <= 0 or self.num_perm % self.bands:
            raise ValueError(f"num_perm ({self.num_perm}) must be a positive multiple of bands ({self.bands})")
        if self.shingle_words <= 0:
            raise ValueError(f"shingle_words must be greater than 0, got {self.shingle_words}")


DEFAULT_DEDUP = DedupSettings()


def body(article: Article) -> str:
    return article.text[article.body_start :]


def text_key(text: str) -> str:
    """Same for two texts that differ only in case, punctuation and white space."""
    return hashlib.blake2b(" ".join(_WORD.findall(text.lower())).encode(), digest_size=16).hexdigest()


class MinHasher:
    """MinHash signatures of texts' word shingles (a fixed seed: the same text, the same signature)."""

    def __init__(self, settings: DedupSettings = DEFAULT_DEDUP) -> None:
        self.settings = settings
        rng = np.random.default_rng(1)
        self._a = rng.integers(1, int(_MERSENNE), settings.num_perm, dtype=np.uint64)
        self._b = rng.integers(0, int(_MERSENNE), settings.num_perm, dtype=np.uint64)

    def signature(self, text: str) -> np.ndarray:
        """The signature, ``num_perm`` uint32 values (all 2^32-1 for a text shorter than one shingle)."""
        words = _WORD.findall(text.lower())
        k = self.settings.shingle_words
        grams = {" ".join(words[i : i + k]) for i in range(max(len(words) - k + 1, 1))} if words else set()
        out = np.full(self.settings.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
        if not grams:
            return out
        hashes = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))
        # (a*h + b) mod p: h < 2^32 and a < 2^61 overflow uint64, which only permutes differently.
        permuted = (hashes[:, None] * self._a[None, :] + self._b[None, :]) % _MERSENNE
        return (permuted.min(axis=0) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.mean(a == b))


def newest_key(article: Article) -> tuple[float, str]:
    """Orders articles oldest to newest: by timestamp, else date (undated first), then id."""
    if article.published_at is not None:
        stamp = article.published_at
        when = (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
    elif article.published is not None:
        when = datetime(article.published.year, article.published.month, article.published.day, tzinfo=UTC).timestamp()
    else:
        when = float("-inf")
    return when, article.id


def exact_copies(articles: Iterable[Article], prefer: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """Articles whose text is the same as another's: copy id -> id of the one kept.

    Of each set of copies the first in ``prefer`` (already indexed) is kept, else the first by id.
    """
    kept: dict[str, str] = {}
    copies: dict[str, str] = {}
    for article in sorted(articles, key=lambda a: (a.id not in prefer, a.id)):
        key = text_key(body(article))
        if key in kept:
            copies[article.id] = kept[key]
        else:
            kept[key] = article.id
    return copies


def stories(articles: Sequence[Article], settings: DedupSettings = DEFAULT_DEDUP) -> dict[str, str]:
    """Near-duplicate groups: article id -> id of its group's newest article, for grouped articles only."""
    hasher = MinHasher(settings)
    signatures = np.stack([hasher.signature(body(a)) for a in articles]) if articles else np.zeros((0, 1))
    rows = settings.num_perm // settings.bands
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for band in range(settings.bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        part = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        for i in range(len(articles)):
            buckets[part[i].tobytes()].append(i)
        for members in buckets.values():
            for j in members[1:]:
                a, b = root(members[0]), root(j)
                if a != b and similarity(signatures[members[0]], signatures[j]) >= settings.threshold:
                    parent[b] = a
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(articles)):
        groups[root(i)].append(i)
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) > 1:
            newest = max((articles[i] for i in members), key=newest_key).id
            out.update({articles[i].id: newest for i in members})
    return out
