"""The embedded store on disk: FAISS vectors, SQLite records, BM25 matrix and a manifest per generation.

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
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.bm25 import BM25, TOKENIZER
from index.errors import IndexCorruptError, IndexNotFoundError
from index.stores.embedded import APPROXIMATE_FROM_CHUNKS, HNSW_EF_SEARCH, CorpusIndex, vector_index
from index.stores.integrity import REPAIR, check_generation_name, checksums, damaged_files
from index.stores.manifest import FORMAT_VERSION, READABLE_VERSIONS, Manifest
from index.stores.records import read_records, write_records
from index.types import Article, Chunk, Sentence

log = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
RECORDS_FILE = "records.sqlite"
VECTORS_FILE = "vectors.faiss"
SENTENCE_VECTORS_FILE = "sentence_vectors.npy"
_DATA_FILES = (RECORDS_FILE, VECTORS_FILE, SENTENCE_VECTORS_FILE, "bm25.npz", "bm25_vocab.json")


def current_generation(directory: Path) -> str | None:
    """Name of the live generation, or None when the folder holds no index.

    Raises:
        IndexCorruptError: CURRENT is not text or names anything but a generation folder here.
    """
    try:
        raw = (directory / CURRENT_FILE).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        raise IndexNotFoundError(
            f"cannot read the index at {directory}: {err.strerror or err} (it must be a readable folder)"
        ) from None
    return check_generation_name(directory, raw)


@contextlib.contextmanager
def write_lock(directory: Path) -> Iterator[None]:
    """Hold the index folder's writer lock (one writer at a time, readers never wait)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / ".lock", "w")  # noqa: SIM115 (closed below, after the lock)
    except OSError as err:
        what = "a file, not a folder" if directory.is_file() else (err.strerror or str(err)).lower()
        raise IndexNotFoundError(
            f"cannot write an index at {directory}: {what}; name a writable folder with --index-dir"
        ) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    approximate_from: int = APPROXIMATE_FROM_CHUNKS,
    signatures: Mapping[str, bytes] | None = None,
    minhash: str = "",
) -> str:
    """Write a complete new generation and make it the live one.

    ``sentence_vectors`` has a row per sentence, articles in the order given, each article's
    sentences in order. The caller holds :func:`write_lock`. Older generations are removed once
    the new one is live. From ``approximate_from`` chunks on, the vectors go into an approximate
    FAISS index (see :func:`index.stores.embedded.vector_index`).

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
        write_records(staging / RECORDS_FILE, articles, sentences, chunks, signatures)
        faiss.write_index(vector_index(vectors, approximate_from=approximate_from), str(staging / VECTORS_FILE))
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
            checksums=checksums(staging, _DATA_FILES),
            minhash=minhash if signatures else "",
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


def read_manifest(directory: Path) -> tuple[str, Manifest]:
    """The live generation's name and manifest.

    Raises:
        IndexNotFoundError: The folder does not exist or holds no index.
        IndexCorruptError: The manifest is missing, unreadable or of another format version.
    """
    if not directory.is_dir():
        what = "is a file, not a folder" if directory.exists() else "does not exist"
        raise IndexNotFoundError(f"no index at {directory}: it {what}; build one with 'citeqa index PATH'")
    name = current_generation(directory)
    if name is None:
        raise IndexNotFoundError(f"no index at {directory}: build one with 'citeqa index PATH'")
    try:
        data = json.loads((directory / name / MANIFEST_FILE).read_text())
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError) as err:
        raise IndexCorruptError(f"index at {directory} is damaged: manifest unreadable ({err}); {REPAIR}") from None
    if manifest.format_version not in READABLE_VERSIONS:
        raise IndexCorruptError(
            f"index at {directory} has format version {manifest.format_version}; "
            f"this citeqa reads versions {', '.join(map(str, READABLE_VERSIONS))}: "
            "rebuild it with 'citeqa index --rebuild'"
        )
    return name, manifest


def load_index(directory: str | os.PathLike[str], *, verify: bool = True) -> CorpusIndex:
    """Load the live generation of an index folder into memory.

    Each generation is loaded once per process (the pipeline keeps it until CURRENT moves), so
    its files' checksums are checked on every load unless ``verify=False`` (sizes still are).
    A load that races a writer swapping generations is retried on the new live one.

    Raises:
        IndexNotFoundError: No index there.
        IndexCorruptError: Any part is missing, truncated, changed since it was written or
            inconsistent with the manifest.
    """
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(f"index_dir must be a path (str or os.PathLike), got {type(directory).__name__}: {directory!r}")
    try:
        directory = Path(directory).expanduser().resolve()
    except (RuntimeError, OSError) as err:
        raise IndexNotFoundError(f"no index at {directory}: {err}") from None
    for attempt in range(_SWAP_RETRIES):
        name = current_generation(directory)
        try:
            return _load_generation(directory, verify)
        except (IndexCorruptError, IndexNotFoundError):
            # The writer replaces CURRENT before deleting the old generation: when CURRENT has
            # moved, the files went missing under us, and the new generation is whole.
            if attempt + 1 == _SWAP_RETRIES or current_generation(directory) == name:
                raise
    raise AssertionError("unreachable")


_SWAP_RETRIES = 20  # each retry follows a completed swap, so 20 means 20 builds during one load


def _load_generation(directory: Path, verify: bool) -> CorpusIndex:
    import faiss

    name, manifest = read_manifest(directory)
    folder = directory / name
    bad = damaged_files(folder, manifest.file_sizes, manifest.checksums if verify else {})
    if bad:
        raise IndexCorruptError(f"index at {directory} is damaged: {'; '.join(bad)}; {REPAIR}")
    try:
        articles, sentences, sentence_rows, chunks = read_records(folder / RECORDS_FILE)
        vectors = faiss.read_index(str(folder / VECTORS_FILE))
        # Memory-mapped: only the rows a question touches are read from disk.
        sentence_vectors = np.load(folder / SENTENCE_VECTORS_FILE, mmap_mode="r", allow_pickle=False)
        if hasattr(vectors, "hnsw"):
            vectors.hnsw.efSearch = HNSW_EF_SEARCH
        bm25 = BM25.load(folder)
    except (sqlite3.DatabaseError, RuntimeError, OSError, ValueError, KeyError, zipfile.BadZipFile) as err:
        raise IndexCorruptError(f"index at {directory} is damaged: {err}; {REPAIR}") from None
    if (
        vectors.ntotal != len(chunks)
        or vectors.d != manifest.dimension
        or bm25.weights.shape[0] != len(chunks)
        or len(chunks) != manifest.chunks
        or len(articles) != manifest.articles
        or sentence_vectors.shape != (sum(map(len, sentences.values())), manifest.dimension)
    ):
        raise IndexCorruptError(f"index at {directory} is damaged: its parts disagree on their sizes; {REPAIR}")
    outdated = bm25.tokenizer != TOKENIZER
    if outdated:
        # Built by an older citeqa: its terms are not the ones queries now make. The chunk texts
        # are all here, so it is rebuilt in memory, and written out by the next build_index().
        log.warning("index at %s has %s BM25 terms; rebuilding them as %s", directory, bm25.tokenizer, TOKENIZER)
        bm25 = BM25.build([c.text for c in chunks])
    return CorpusIndex(
        directory, name, manifest, articles, sentences, chunks, vectors, bm25, sentence_vectors, sentence_rows, outdated
    )


def salvage_index(directory: Path) -> CorpusIndex | None:
    """What a damaged live generation still holds intact: articles, sentences and their vectors.

    When ``records.sqlite`` and ``sentence_vectors.npy`` match their checksums, a build can make
    the rest (chunks, their vectors, BM25) again without embedding anything; the result has no
    chunks and ``bm25_outdated`` set, so :func:`index.build_index` writes a new generation.
    None when those two are damaged too (or the manifest has no checksums to trust them by).
    """
    try:
        name, manifest = read_manifest(directory)
    except (IndexNotFoundError, IndexCorruptError):
        return None
    folder = directory / name
    kept = (RECORDS_FILE, SENTENCE_VECTORS_FILE)
    if not set(kept) <= set(manifest.checksums) or damaged_files(
        folder, {f: manifest.file_sizes[f] for f in kept}, manifest.checksums
    ):
        return None
    try:
        articles, sentences, sentence_rows, _ = read_records(folder / RECORDS_FILE)
        sentence_vectors = np.load(folder / SENTENCE_VECTORS_FILE, mmap_mode="r", allow_pickle=False)
    except (sqlite3.DatabaseError, OSError, ValueError, KeyError):
        return None
    if sentence_vectors.shape != (sum(map(len, sentences.values())), manifest.dimension):
        return None
    return CorpusIndex(
        directory, name, manifest, articles, sentences, [], None, BM25.build([]), sentence_vectors, sentence_rows, True
    )


def verify_index(directory: str | os.PathLike[str]) -> tuple[str, Manifest]:
    """Check every file of the live generation against its manifest: sizes, checksums, shapes.

    Returns:
        The live generation's name and manifest (``manifest.checksums`` is empty for an index
        from before checksums: only its sizes and shapes were checked).

    Raises:
        IndexNotFoundError: No index there.
        IndexCorruptError: What is damaged, and how to repair it.
    """
    index = load_index(directory, verify=True)
    return index.generation, index.manifest
