"""Persisting an index: FAISS vectors, SQLite records, BM25 matrix and a manifest.

Layout of an index folder::

    CURRENT              name of the live generation, replaced atomically
    gen-<id>/            one complete, immutable index
        manifest.json    format version, embedding model, dimension, chunking, counts, sizes
        records.sqlite   articles, sentences and chunks with their character offsets
        sentence_vectors.npy  one normalised float16 vector per sentence, in ``sentences.row`` order
        vectors.faiss    one normalised vector per chunk, row i = chunk row i: the mean of its
                         sentences' vectors, normalised
        bm25.npz, bm25_vocab.json
    .lock                held while a writer builds

A writer builds a new generation beside the live one and then swaps ``CURRENT`` with
``os.replace``, so a crash mid-build leaves the previous index usable. Nothing is unpickled.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.bm25 import BM25, TOKENIZER
from index.errors import IndexCorruptError, IndexNotFoundError
from index.types import Article, Chunk, Sentence

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: sentence vectors stored; chunk vectors are their means
CURRENT_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
RECORDS_FILE = "records.sqlite"
VECTORS_FILE = "vectors.faiss"
SENTENCE_VECTORS_FILE = "sentence_vectors.npy"
_DATA_FILES = (RECORDS_FILE, VECTORS_FILE, SENTENCE_VECTORS_FILE, "bm25.npz", "bm25_vocab.json")

_SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, published TEXT, text TEXT NOT NULL,
    body_start INTEGER NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL
);
CREATE TABLE sentences (
    article_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    row INTEGER NOT NULL UNIQUE, PRIMARY KEY (article_id, idx)
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, article_id TEXT NOT NULL, idx INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL, last_sentence INTEGER NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What built an index; compared against the caller's settings on load."""

    format_version: int
    embedding_model: str
    dimension: int
    normalized: bool
    chunk_chars: int
    overlap_sentences: int
    articles: int
    chunks: int
    created: str
    file_sizes: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["file_sizes"] = dict(self.file_sizes)
        return json.dumps(data, indent=2, sort_keys=True)


@dataclass(frozen=True, slots=True)
class CorpusIndex:
    """A loaded index, held in memory.

    Attributes:
        directory: The index folder.
        generation: Name of the generation that was loaded.
        manifest: What built it.
        articles: Articles by id.
        sentences: Each article's sentences in order.
        chunks: Chunks in vector-row order: ``chunks[i]`` has vector row ``i``.
        vectors: The FAISS index (inner product over normalised vectors).
        bm25: BM25 over the chunk texts, rows aligned with ``chunks``.
        sentence_vectors: One normalised float16 vector per sentence (memory-mapped from disk).
        sentence_rows: Row in ``sentence_vectors`` of each article's first sentence; an
            article's sentences have consecutive rows.
        bm25_outdated: The stored BM25 was made by an older tokenizer and ``bm25`` was rebuilt
            in memory; the next :func:`index.build_index` writes it out.
    """

    directory: Path
    generation: str
    manifest: Manifest
    articles: Mapping[str, Article]
    sentences: Mapping[str, Sequence[Sentence]]
    chunks: Sequence[Chunk]
    vectors: Any
    bm25: BM25
    sentence_vectors: np.ndarray
    sentence_rows: Mapping[str, int]
    bm25_outdated: bool = False

    def vectors_of_sentences(self, article_id: str, first: int, last: int) -> np.ndarray:
        """Vectors of sentences ``first``..``last - 1`` of an article, as float32."""
        row = self.sentence_rows[article_id]
        return np.asarray(self.sentence_vectors[row + first : row + last], dtype=np.float32)

    def nearest(self, vector: np.ndarray, k: int) -> list[int]:
        """Rows of the ``k`` chunks whose vectors have the largest inner product with ``vector``.

        One query is searched on one thread: FAISS's OpenMP threads cost more than they save
        on a single query, most of all while onnxruntime's threads still spin after embedding it
        (17,779 chunks, flat: 7.7 ms with 2 threads, 1.6 ms with one).
        """
        import faiss

        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)  # OpenMP keeps this per thread: other threads are not slowed
        try:
            _, rows = self.vectors.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        finally:
            faiss.omp_set_num_threads(threads)
        return [int(r) for r in rows[0] if r >= 0]

    def chunk_vectors(self, rows: Sequence[int] | None = None) -> np.ndarray:
        """Stored vectors of the given chunk rows (all rows when None)."""
        if rows is None:
            return self.vectors.reconstruct_n(0, self.vectors.ntotal)
        return (
            np.vstack([self.vectors.reconstruct(int(r)) for r in rows])
            if rows
            else np.zeros((0, self.manifest.dimension), dtype=np.float32)
        )


def current_generation(directory: Path) -> str | None:
    """Name of the live generation, or None when the folder holds no index."""
    try:
        name = (directory / CURRENT_FILE).read_text().strip()
    except FileNotFoundError:
        return None
    return name or None


@contextlib.contextmanager
def write_lock(directory: Path) -> Iterator[None]:
    """Hold the index folder's writer lock (one writer at a time, readers never wait)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# From this many chunks on, vectors go into an approximate index (HNSW over 8-bit scalar-quantised
# vectors) instead of an exact flat one. Measured (docs/performance.md): exact search costs ~145 ms
# per query at 1M vectors on 2 cores, so ~7 ms at 50k, and past that it would eat the retrieval budget;
# HNSW-SQ8 answers in under 2 ms at 1M and stores 656 bytes per vector instead of 1,536.
APPROXIMATE_FROM_CHUNKS = 50_000
# At 1M vectors (docs/performance.md), efConstruction 80 builds a better graph than 40: recall@10 of
# exact search at efSearch 1024 goes from 0.946 to 0.965 (2.1 ms a query) for a 1.6x longer FAISS
# build (104 s instead of 66 s, small beside embedding 1M chunks). Raising efSearch instead levels
# off at 0.957; 48 neighbours reach 0.956 at 784 bytes a vector.
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 1024


def vector_index(vectors: np.ndarray) -> Any:
    """A FAISS inner-product index holding ``vectors``: exact below :data:`APPROXIMATE_FROM_CHUNKS`, HNSW-SQ8 above."""
    import faiss

    data = np.ascontiguousarray(vectors, dtype=np.float32)
    d = data.shape[1]
    index: Any
    if len(data) < APPROXIMATE_FROM_CHUNKS:
        index = faiss.IndexFlatIP(d)
    else:
        quantizer: Any = faiss.ScalarQuantizer.QT_8bit  # an enum value; the stubs say otherwise
        index = faiss.IndexHNSWSQ(d, quantizer, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.train(data)
        index.hnsw.efSearch = HNSW_EF_SEARCH
    index.add(data)
    return index


def write_generation(
    directory: Path,
    *,
    articles: Sequence[Article],
    sentences: Mapping[str, Sequence[Sentence]],
    chunks: Sequence[Chunk],
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    embedding_model: str,
    chunk_chars: int,
    overlap_sentences: int,
) -> str:
    """Write a complete new generation and make it the live one.

    ``sentence_vectors`` has a row per sentence, articles in the order given, each article's
    sentences in order. The caller holds :func:`write_lock`. Older generations are removed once
    the new one is live.

    Returns:
        The new generation's name.
    """
    import faiss

    if vectors.shape[0] != len(chunks):
        raise ValueError(f"{len(chunks)} chunks but {vectors.shape[0]} vectors")
    n_sentences = sum(len(sentences[a.id]) for a in articles)
    if sentence_vectors.shape != (n_sentences, vectors.shape[1]):
        raise ValueError(
            f"{n_sentences} sentences of dimension {vectors.shape[1]}, "
            f"but sentence vectors of shape {sentence_vectors.shape}"
        )
    name = f"gen-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    staging = directory / f".{name}.tmp"
    staging.mkdir(parents=True)
    try:
        _write_records(staging / RECORDS_FILE, articles, sentences, chunks)
        faiss.write_index(vector_index(vectors), str(staging / VECTORS_FILE))
        np.save(staging / SENTENCE_VECTORS_FILE, sentence_vectors.astype(np.float16), allow_pickle=False)
        BM25.build([c.text for c in chunks]).save(staging)
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            embedding_model=embedding_model,
            dimension=int(vectors.shape[1]),
            normalized=True,
            chunk_chars=chunk_chars,
            overlap_sentences=overlap_sentences,
            articles=len(articles),
            chunks=len(chunks),
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            file_sizes={f: (staging / f).stat().st_size for f in _DATA_FILES},
        )
        (staging / MANIFEST_FILE).write_text(manifest.to_json())
        _fsync_tree(staging)
        staging.rename(directory / name)
        pointer = directory / f".{CURRENT_FILE}.tmp"
        pointer.write_text(name + "\n")
        with open(pointer) as handle:
            os.fsync(handle.fileno())
        os.replace(pointer, directory / CURRENT_FILE)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for old in directory.iterdir():
        if old.is_dir() and old.name != name and (old.name.startswith(("gen-", ".gen-"))):
            shutil.rmtree(old, ignore_errors=True)
    return name


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())


def _write_records(
    path: Path,
    articles: Sequence[Article],
    sentences: Mapping[str, Sequence[Sentence]],
    chunks: Sequence[Chunk],
) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executescript(_SCHEMA)
        db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    a.id,
                    a.title,
                    a.published.isoformat() if a.published else None,
                    a.text,
                    a.body_start,
                    a.source,
                    a.sha256,
                )
                for a in articles
            ],
        )
        ordered = (s for a in articles for s in sentences[a.id])
        db.executemany(
            "INSERT INTO sentences VALUES (?, ?, ?, ?, ?)",
            [(s.article_id, s.index, s.start, s.end, row) for row, s in enumerate(ordered)],
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (row, c.article_id, c.index, c.start, c.end, c.first_sentence, c.last_sentence)
                for row, c in enumerate(chunks)
            ],
        )


def read_manifest(directory: Path) -> tuple[str, Manifest]:
    """The live generation's name and manifest.

    Raises:
        IndexNotFoundError: The folder does not exist or holds no index.
        IndexCorruptError: The manifest is missing, unreadable or of another format version.
    """
    if not directory.is_dir():
        raise IndexNotFoundError(f"no index at {directory}: the folder does not exist")
    name = current_generation(directory)
    if name is None:
        raise IndexNotFoundError(f"no index at {directory}: build one with 'citeqa index PATH'")
    try:
        data = json.loads((directory / name / MANIFEST_FILE).read_text())
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError) as err:
        raise IndexCorruptError(f"index at {directory} is damaged: manifest unreadable ({err})") from None
    if manifest.format_version != FORMAT_VERSION:
        raise IndexCorruptError(
            f"index at {directory} has format version {manifest.format_version}; "
            f"this citeqa reads version {FORMAT_VERSION}: rebuild it with 'citeqa index --rebuild'"
        )
    return name, manifest


def load_index(directory: str | os.PathLike[str]) -> CorpusIndex:
    """Load the live generation of an index folder into memory.

    Raises:
        IndexNotFoundError: No index there.
        IndexCorruptError: Any part is missing, truncated or inconsistent with the manifest.
    """
    import faiss

    directory = Path(directory).expanduser().resolve()
    name, manifest = read_manifest(directory)
    folder = directory / name
    for file_name, size in manifest.file_sizes.items():
        path = folder / file_name
        if not path.is_file() or path.stat().st_size != size:
            raise IndexCorruptError(f"index at {directory} is damaged: {file_name} is missing or truncated")
    try:
        articles, sentences, sentence_rows, chunks = _read_records(folder / RECORDS_FILE)
        vectors = faiss.read_index(str(folder / VECTORS_FILE))
        # Memory-mapped: only the rows a question touches are read from disk.
        sentence_vectors = np.load(folder / SENTENCE_VECTORS_FILE, mmap_mode="r", allow_pickle=False)
        if hasattr(vectors, "hnsw"):
            vectors.hnsw.efSearch = HNSW_EF_SEARCH
        bm25 = BM25.load(folder)
    except (sqlite3.DatabaseError, RuntimeError, OSError, ValueError, KeyError) as err:
        raise IndexCorruptError(f"index at {directory} is damaged: {err}") from None
    if (
        vectors.ntotal != len(chunks)
        or vectors.d != manifest.dimension
        or bm25.weights.shape[0] != len(chunks)
        or len(chunks) != manifest.chunks
        or len(articles) != manifest.articles
        or sentence_vectors.shape != (sum(map(len, sentences.values())), manifest.dimension)
    ):
        raise IndexCorruptError(f"index at {directory} is damaged: its parts disagree on their sizes")
    outdated = bm25.tokenizer != TOKENIZER
    if outdated:
        # Built by an older citeqa: its terms are not the ones queries now make. The chunk texts
        # are all here, so it is rebuilt in memory, and written out by the next build_index().
        log.warning("index at %s has %s BM25 terms; rebuilding them as %s", directory, bm25.tokenizer, TOKENIZER)
        bm25 = BM25.build([c.text for c in chunks])
    return CorpusIndex(
        directory, name, manifest, articles, sentences, chunks, vectors, bm25, sentence_vectors, sentence_rows, outdated
    )


def _read_records(
    path: Path,
) -> tuple[dict[str, Article], dict[str, list[Sentence]], dict[str, int], list[Chunk]]:
    uri = f"file:{path}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        articles = {
            row[0]: Article(
                row[0], row[1], date.fromisoformat(row[2]) if row[2] else None, row[3], row[4], row[5], row[6]
            )
            for row in db.execute("SELECT id, title, published, text, body_start, source, sha256 FROM articles")
        }
        sentences: dict[str, list[Sentence]] = {a: [] for a in articles}
        sentence_rows: dict[str, int] = {}
        for article_id, idx, start, end, row in db.execute(
            "SELECT article_id, idx, start, end, row FROM sentences ORDER BY article_id, idx"
        ):
            first = sentence_rows.setdefault(article_id, row)
            if row != first + idx or idx != len(sentences[article_id]):
                raise ValueError(f"sentence rows of {article_id!r} are not consecutive")
            sentences[article_id].append(Sentence(article_id, idx, start, end))
        chunks = [
            Chunk(article_id, idx, start, end, articles[article_id].text[start:end], first, last)
            for article_id, idx, start, end, first, last in db.execute(
                "SELECT article_id, idx, start, end, first_sentence, last_sentence FROM chunks ORDER BY row"
            )
        ]
    return articles, sentences, sentence_rows, chunks
