"""Okapi BM25 over chunks, stored as a sparse matrix (no pickle)."""

from __future__ import annotations

import functools
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import Stemmer
from scipy import sparse

# With stemming, these beat the usual 1.5 and 0.75 on SQuAD, fit and held out (docs/quality.md).
DEFAULT_K1 = 0.6
DEFAULT_B = 0.4
# Names how terms are made. An index whose BM25 was built by another tokenizer has a vocabulary
# queries no longer match, so it is rebuilt from the chunk texts when loaded.
TOKENIZER = "snowball-english-1"
PLURAL_S = "plural-s"  # the terms of indexes from before stemming: words with a plural "s" dropped

_TOKEN = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    """a an and are as at be but by did do does for from had has have he her his how i in is it its
    of on or she that the their them they this to was were what when where which who whom whose why
    will with would you""".split()
)


_local = threading.local()


def _stem_words(words: list[str]) -> list[str]:
    # A Stemmer object is not safe to share between threads (the chat UI answers on several).
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords(words)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens, English stop words removed, reduced to their Snowball stems."""
    return _stem_words([token for token in _TOKEN.findall(text.lower()) if token not in STOPWORDS])


@dataclass(frozen=True, slots=True)
class Tokenizer:
    """How a text becomes BM25 terms, and the name an index records for it."""

    name: str
    terms: Callable[[str], list[str]]


SNOWBALL = Tokenizer(TOKENIZER, tokenize)


class BM25:
    """BM25 scores with the document side precomputed, as bm25s does.

    ``weights[d, t]`` holds ``idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len_d / avg_len))``
    so a query's scores are the sum of its terms' columns.
    """

    def __init__(
        self,
        weights: sparse.csc_matrix,
        vocabulary: dict[str, int],
        k1: float,
        b: float,
        tokenizer: str = TOKENIZER,
        *,
        terms: Callable[[str], list[str]] = tokenize,
    ):
        self.weights = weights
        self.vocabulary = vocabulary
        self.k1 = k1
        self.b = b
        self.tokenizer = tokenizer
        self._terms = terms

    @classmethod
    def build(
        cls, texts: Sequence[str], *, k1: float = DEFAULT_K1, b: float = DEFAULT_B, tokenizer: Tokenizer = SNOWBALL
    ) -> BM25:
        """Index ``texts``; row ``i`` of the matrix is ``texts[i]``. Queries are split into terms
        by the same ``tokenizer``."""
        vocabulary: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            counts = Counter(tokenizer.terms(text))
            lengths[row] = sum(counts.values())
            for term, tf in counts.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                tfs.append(tf)
        n_docs = len(texts)
        tf_arr = np.asarray(tfs, dtype=np.float32)
        row_arr = np.asarray(rows, dtype=np.int64)
        col_arr = np.asarray(cols, dtype=np.int64)
        doc_freq = np.bincount(col_arr, minlength=len(vocabulary)).astype(np.float32)
        idf = np.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
        avg_len = float(lengths.mean()) if n_docs else 0.0
        norm = k1 * (1.0 - b + b * lengths[row_arr] / max(avg_len, 1e-9))
        data = idf[col_arr] * tf_arr * (k1 + 1.0) / (tf_arr + norm)
        weights = sparse.csc_matrix((data.astype(np.float32), (row_arr, col_arr)), shape=(n_docs, len(vocabulary)))
        return cls(weights, vocabulary, k1, b, tokenizer.name, terms=tokenizer.terms)

    @functools.cached_property
    def doc_freq(self) -> np.ndarray:
        """How many indexed texts contain each term (by vocabulary id), counted once per index."""
        return np.diff(self.weights.indptr)

    def overlap(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """For each text, the idf-weighted share of the query's distinct terms that it contains (0..1).

        Unlike :meth:`scores` this needs no indexed row, so it ranks new spans (such as the
        sentences of retrieved chunks) by the corpus's idea of which words are rare. A query
        term the corpus never uses counts as the rarest of all.
        """
        terms = sorted(set(self._terms(query)))
        if not terms:
            return np.zeros(len(texts), dtype=np.float32)
        doc_freq = self.doc_freq
        n_docs = self.weights.shape[0]
        idf = {}
        for term in terms:
            df = doc_freq[self.vocabulary[term]] if term in self.vocabulary else 0
            idf[term] = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        total = sum(idf.values())
        return np.asarray(
            [sum(idf[t] for t in idf.keys() & set(self._terms(text))) / total for text in texts], dtype=np.float32
        )

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every indexed text for ``query``; shape ``(n_texts,)``."""
        columns = [self.vocabulary[t] for t in self._terms(query) if t in self.vocabulary]
        if not columns:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        return np.asarray(self.weights[:, columns].sum(axis=1), dtype=np.float32).ravel()

    def save(self, directory: Path) -> None:
        """Write ``bm25.npz`` and ``bm25_vocab.json`` into ``directory``."""
        matrix = self.weights
        np.savez(
            directory / "bm25.npz",
            data=matrix.data,
            indices=matrix.indices,
            indptr=matrix.indptr,
            shape=np.asarray(matrix.shape, dtype=np.int64),
            params=np.asarray([self.k1, self.b], dtype=np.float64),
            tokenizer=np.asarray(self.tokenizer),
        )
        (directory / "bm25_vocab.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path) -> BM25:
        """Read what :meth:`save` wrote, refusing pickled arrays.

        Its :attr:`tokenizer` says how its terms were made: files from before stemming name none
        and load as ``"plural-s"``.
        """
        with np.load(directory / "bm25.npz", allow_pickle=False) as arrays:
            shape = tuple(int(n) for n in arrays["shape"])
            weights = sparse.csc_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)
            k1, b = (float(x) for x in arrays["params"])
            tokenizer = str(arrays["tokenizer"]) if "tokenizer" in arrays.files else PLURAL_S
        vocabulary = json.loads((directory / "bm25_vocab.json").read_text())
        return cls(weights, vocabulary, k1, b, tokenizer)
