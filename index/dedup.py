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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from index.types import Article

_SHINGLE_BASE = np.uint64(1_000_003)
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
    bands: int = 32  # 2 rows a band: pairs at similarity 0.5 share a band with p = 1 - 0.75^32 > 0.99
    shingle_words: int = 5

    @property
    def signature_kind(self) -> str:
        """Names how signatures are made, stored in the manifest: stored ones are reused only if it matches."""
        return f"minhash-crc32-multiply-shift-v1/{self.shingle_words}w/{self.num_perm}p"

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
    """Same for two texts that differ only in case and white space, wherever it is (``said" and`` and
    ``said "and`` too: detokenised copies differ so). str.split is 3x faster than a word regex."""
    return hashlib.blake2b("".join(text.lower().split()).encode(), digest_size=16).hexdigest()


class MinHasher:
    """MinHash signatures of texts' word shingles (a fixed seed: the same text, the same signature).

    A shingle's hash combines its words' CRC-32s polynomially, and each of the ``num_perm``
    hash functions is multiply-shift (``(a*h + b) mod 2^64``, top 32 bits): numpy does every step,
    about 10x faster than a modulo-prime permutation over hashed shingle strings (0.98 ms an
    article, docs/performance.md).
    """

    def __init__(self, settings: DedupSettings = DEFAULT_DEDUP) -> None:
        self.settings = settings
        rng = np.random.default_rng(1)
        self._a = rng.integers(0, np.iinfo(np.uint64).max, settings.num_perm, dtype=np.uint64) | np.uint64(1)
        self._b = rng.integers(0, np.iinfo(np.uint64).max, settings.num_perm, dtype=np.uint64)

    def signature(self, text: str) -> np.ndarray:
        """The signature, ``num_perm`` uint32 values (all 2^32-1 for a text without words)."""
        words = _WORD.findall(text.lower())
        out = np.full(self.settings.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
        if not words:
            return out
        hashes = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
        k = min(self.settings.shingle_words, len(words))
        n = len(words) - k + 1
        shingles = hashes[:n].copy()
        with np.errstate(over="ignore"):  # arithmetic modulo 2^64 is the point
            for j in range(1, k):
                shingles = shingles * _SHINGLE_BASE + hashes[j : j + n]
            permuted = np.unique(shingles)[:, None] * self._a[None, :] + self._b[None, :]
        return (permuted.min(axis=0) >> np.uint64(32)).astype(np.uint32)


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


def signatures(
    articles: Sequence[Article],
    settings: DedupSettings = DEFAULT_DEDUP,
    known: Mapping[str, bytes] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, bytes]:
    """Each article's MinHash signature as bytes (stored with the index), reusing ``known`` ones by id.

    ``known`` must hold signatures made with the same settings of the same texts. ``progress`` is
    told ``(done, total, "duplicates")`` every 1,000 articles (100k take ~35 s on 2 cores).
    """
    hasher = MinHasher(settings)
    known = known or {}
    width = settings.num_perm * 4
    out: dict[str, bytes] = {}
    for i, a in enumerate(articles, start=1):
        sig = known.get(a.id, b"")
        out[a.id] = sig if len(sig) == width else hasher.signature(body(a)).tobytes()
        if progress is not None and (i % 1000 == 0 or i == len(articles)):
            progress(i, len(articles), "duplicates")
    return out


def stories(
    articles: Sequence[Article], settings: DedupSettings = DEFAULT_DEDUP, known: Mapping[str, bytes] | None = None
) -> dict[str, str]:
    """Near-duplicate groups: article id -> id of its group's newest article, for grouped articles only.

    Args:
        articles: The articles to group.
        settings: Threshold and signature settings.
        known: Signatures already computed (see :func:`signatures`); the rest are computed.
    """
    by_id = signatures(articles, settings, known)
    matrix = (
        np.frombuffer(b"".join(by_id[a.id] for a in articles), dtype=np.uint32).reshape(len(articles), -1)
        if articles
        else np.zeros((0, settings.num_perm), dtype=np.uint32)
    )
    return group(articles, matrix, settings)


def group(articles: Sequence[Article], signatures: np.ndarray, settings: DedupSettings) -> dict[str, str]:
    """Union of LSH band collisions whose estimated similarity reaches the threshold (row i = article i)."""
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
