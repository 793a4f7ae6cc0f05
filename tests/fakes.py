"""Small deterministic stand-ins for the models, for fast unit tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from index.bm25 import STOPWORDS


class HashEmbedder:
    """Embeds a text as the normalised sum of hashed vectors of its content words: texts sharing words are close.

    Counts every text it embeds, so tests can tell what was (re-)embedded.
    """

    def __init__(self, dimension: int = 64, name: str = "test/hash-embedder"):
        self._dimension = dimension
        self._name = name
        self.embedded: list[str] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def _word(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little")
        return np.random.default_rng(seed).standard_normal(self._dimension).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                if word not in STOPWORDS:
                    out[i] += self._word(word)
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out
