"""A Milvus store's records, read on demand and cached for the generation that was opened.

``articles``, ``sentences`` and ``chunks`` are the mappings the :class:`Store` Protocol names;
reading one article costs a query, iterating over all of them reads the whole collection once.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence, ValuesView
from dataclasses import replace
from typing import Any

import numpy as np

from index.stores.milvus_rows import (
    CHUNK_FIELDS,
    article_from,
    chunk_from,
    count,
    in_batches,
    query_all,
    render,
    row_id,
    sentence_from,
)
from index.stores.milvus_schema import MilvusLocation
from index.stores.records import with_versions
from index.types import Article, Chunk, Sentence

CACHED_ARTICLES = 4_096  # articles whose text, sentences and sentence vectors are kept in memory
WINDOW = 16_384  # Milvus's largest result window (offset + limit) for one query
_Key = tuple[str, int]


class _Cache(OrderedDict):
    """A small LRU dict: the least recently read entries go first."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


class Records:
    """Queries of one store's collections, with caches (safe to share between threads)."""

    def __init__(self, client: Any, location: MilvusLocation):
        self.client = client
        self.location = location
        self._lock = threading.Lock()
        self._texts = _Cache(CACHED_ARTICLES)
        self._sentences = _Cache(CACHED_ARTICLES)
        self._vectors = _Cache(CACHED_ARTICLES)
        self._metadata = _Cache(16 * CACHED_ARTICLES)
        self._sentence_rows = _Cache(8 * CACHED_ARTICLES)  # single sentences' vectors, ~50 MiB at 384 dimensions

    def _rows(self, kind: str, expr: str, fields: Sequence[str], **values: Any) -> list[dict]:
        """Rows matching ``expr``: one query (an iterator costs several round trips) unless they fill
        Milvus's result window, then page by page."""
        rows = self.client.query(
            self.location.name(kind), filter=render(expr, values), output_fields=list(fields), limit=WINDOW
        )
        if len(rows) < WINDOW:
            return rows
        return list(query_all(self.client, self.location.name(kind), expr, fields, **values))

    def count(self, kind: str, expr: str = "", **values: Any) -> int:
        return count(self.client, self.location.name(kind), expr, **values)

    @functools.cached_property
    def chunk_count(self) -> int:
        return self.count("chunks")

    @functools.cached_property
    def all_metadata(self) -> dict[str, Article]:
        """Every whole article's metadata (text left empty), by id, with its story versions."""
        rows = query_all(self.client, self.location.name("articles"), "part == 0", ["article_id", "record", "story"])
        return with_versions(
            {str(r["article_id"]): article_from(r["article_id"], r["record"], r["story"], "") for r in rows}
        )

    def metadata(self, ids: Sequence[str]) -> dict[str, Article]:
        """Metadata of the whole articles among ``ids`` (no text, no versions)."""
        if "all_metadata" in self.__dict__:
            return {i: self.all_metadata[i] for i in ids if i in self.all_metadata}
        with self._lock:
            out = {i: self._metadata[i] for i in ids if i in self._metadata}
        missing = [i for i in ids if i not in out]
        for batch in in_batches(missing):
            for r in self.client.query(
                self.location.name("articles"),
                filter=render("part == 0 and article_id in {ids}", {"ids": batch}),
                output_fields=["article_id", "record", "story"],
            ):
                out[str(r["article_id"])] = article_from(r["article_id"], r["record"], r["story"], "")
        with self._lock:
            for i in missing:
                if i in out:
                    self._metadata.put(i, out[i])
        return out

    def article(self, article_id: str) -> Article | None:
        meta = self.metadata([article_id]).get(article_id)
        if meta is None:
            return None
        if meta.story and "all_metadata" not in self.__dict__:
            group = self.client.query(
                self.location.name("articles"),
                filter=render("part == 0 and story == {story}", {"story": meta.story}),
                output_fields=["article_id", "record", "story"],
            )
            story = {str(r["article_id"]): article_from(r["article_id"], r["record"], r["story"], "") for r in group}
            meta = with_versions(story)[article_id]
        elif "all_metadata" in self.__dict__:
            meta = self.all_metadata[article_id]
        return replace(meta, text=self.texts([article_id])[article_id])

    def texts(self, ids: Sequence[str]) -> dict[str, str]:
        with self._lock:
            out = {i: self._texts[i] for i in ids if i in self._texts}
        missing = [i for i in dict.fromkeys(ids) if i not in out]
        parts: dict[str, list[tuple[int, str]]] = {i: [] for i in missing}
        for batch in in_batches(missing, 50):  # long articles have several parts
            for r in self._rows("articles", "article_id in {ids}", ["article_id", "part", "text"], ids=batch):
                parts[str(r["article_id"])].append((int(r["part"]), str(r["text"])))
        with self._lock:
            for i, pieces in parts.items():
                out[i] = self._texts.setdefault(i, "".join(t for _, t in sorted(pieces)))
                self._texts.move_to_end(i)
        return out

    def sentences(self, article_id: str) -> list[Sentence]:
        with self._lock:
            if article_id in self._sentences:
                return self._sentences[article_id]
        rows = self._rows("sentences", "article_id == {a}", ["article_id", "idx", "start", "end"], a=article_id)
        found = sorted((sentence_from(r) for r in rows), key=lambda s: s.index)
        with self._lock:
            self._sentences.put(article_id, found)
        return found

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Each article's sentence vectors, in sentence order (float32, normalised)."""
        with self._lock:
            out = {i: self._vectors[i] for i in ids if i in self._vectors}
        missing = [i for i in dict.fromkeys(ids) if i not in out]
        rows: dict[str, list[tuple[int, list[float]]]] = {i: [] for i in missing}
        for batch in in_batches(missing, 50):
            for r in self._rows("sentences", "article_id in {ids}", ["article_id", "idx", "vector"], ids=batch):
                rows[str(r["article_id"])].append((int(r["idx"]), r["vector"]))
        with self._lock:
            for i, found in rows.items():
                vectors = np.asarray([v for _, v in sorted(found, key=lambda x: x[0])], dtype=np.float32)
                self._vectors.put(i, vectors.reshape(len(found), -1))
                out[i] = self._vectors[i]
        return out

    def sentence_vector_rows(self, wanted: Sequence[tuple[str, int, int]]) -> dict[tuple[str, int], np.ndarray]:
        """Vectors of sentences ``first``..``last - 1`` of each ``(article id, first, last)``, by
        (article id, sentence index): read by primary key, which Milvus finds without a scan."""
        keys = list(dict.fromkeys((a, i) for a, first, last in wanted for i in range(first, last)))
        with self._lock:
            out = {k: self._sentence_rows[k] for k in keys if k in self._sentence_rows}
        missing = [row_id(a, i) for a, i in keys if (a, i) not in out]
        for batch in in_batches(missing):
            for r in self.client.get(
                self.location.name("sentences"), ids=batch, output_fields=["article_id", "idx", "vector"]
            ):
                out[(str(r["article_id"]), int(r["idx"]))] = np.asarray(r["vector"], dtype=np.float32)
        with self._lock:
            for k in keys:
                if k in out:
                    self._sentence_rows.put(k, out[k])
        return out

    def chunk_rows(self, keys: Sequence[_Key], *, with_vectors: bool = False) -> dict[_Key, dict]:
        fields = CHUNK_FIELDS + (["vector"] if with_vectors else [])
        out = {}
        for batch in in_batches([row_id(a, i) for a, i in keys]):
            for r in self.client.query(
                self.location.name("chunks"), filter=render("pk in {pks}", {"pks": batch}), output_fields=fields
            ):
                out[(str(r["article_id"]), int(r["idx"]))] = r
        return out

    def chunks_by_key(self, keys: Sequence[_Key]) -> dict[_Key, Chunk]:
        rows = self.chunk_rows(keys)
        texts = self.texts(sorted({a for a, _ in rows}))
        return {key: chunk_from(row, texts[key[0]]) for key, row in rows.items()}

    @functools.cached_property
    def all_chunks(self) -> list[Chunk]:
        """Every chunk of a whole article, articles by id, each article's chunks in order."""
        rows = sorted(
            query_all(self.client, self.location.name("chunks"), "", CHUNK_FIELDS),
            key=lambda r: (r["article_id"], r["idx"]),
        )
        whole = self.all_metadata
        texts = self.texts(sorted({r["article_id"] for r in rows} & whole.keys()))
        return [chunk_from(r, texts[r["article_id"]]) for r in rows if r["article_id"] in whole]


class LazyArticles(Mapping[str, Article]):
    """Every whole article, by id, read when first asked for."""

    def __init__(self, records: Records):
        self.records = records

    def __getitem__(self, article_id: str) -> Article:
        article = self.records.article(article_id)
        if article is None:
            raise KeyError(article_id)
        return article

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.records.all_metadata))

    def __len__(self) -> int:
        return len(self.records.all_metadata)

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and bool(self.records.metadata([article_id]))

    def values(self) -> ValuesView[Article]:  # type: ignore[override]
        """Every article, read in one pass (not one query each)."""
        meta = self.records.all_metadata
        texts = self.records.texts(sorted(meta))
        return {i: replace(a, text=texts[i]) for i, a in sorted(meta.items())}.values()


class LazySentences(Mapping[str, Sequence[Sentence]]):
    """Each article's sentences in order, read when first asked for."""

    def __init__(self, records: Records):
        self.records = records

    def __getitem__(self, article_id: str) -> Sequence[Sentence]:
        found = self.records.sentences(article_id)
        if not found and not self.records.metadata([article_id]):
            raise KeyError(article_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.records.all_metadata))

    def __len__(self) -> int:
        return len(self.records.all_metadata)


class LazyChunks(Sequence[Chunk]):
    """Every chunk, in the embedded store's row order; read in full when first indexed or iterated."""

    def __init__(self, records: Records):
        self.records = records

    def __getitem__(self, index: Any) -> Any:
        return self.records.all_chunks[index]

    def __len__(self) -> int:
        return self.records.chunk_count
