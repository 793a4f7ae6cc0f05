"""Building a Milvus store from sources, incrementally by article, and copying an embedded index into one.

The sources are read and planned exactly as for the embedded store (:func:`index.ingest.plan_build`):
unchanged articles keep their rows and are not embedded again, changed ones are replaced, removed
ones deleted. Rows are written in the order :mod:`index.stores.milvus_write` explains.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.build import BuildReport, chunk_vectors
from index.chunk import DEFAULT_CHUNK_CHARS, DEFAULT_OVERLAP_SENTENCES, chunk_sentences, split_sentences
from index.dedup import DEFAULT_DEDUP, DedupSettings
from index.embed import Embedder, make_embedder
from index.errors import EmptyCorpusError, IndexMismatchError, IndexNotFoundError
from index.ingest import Plan, ProgressCallback, plan_build
from index.sources import ReadOptions, discover, is_url
from index.sources.discovery import DEFAULT_READ
from index.stores import milvus_write as write
from index.stores.milvus import MilvusStore, open_milvus
from index.stores.milvus_schema import (
    MILVUS_FORMAT_VERSION,
    MilvusLocation,
    MilvusManifest,
    connect,
    create_collections,
    parse_location,
)
from index.types import Article

WRITE_ARTICLES = 64  # articles embedded and written per step: a killed build loses at most this many's work
EMBED_BATCH = 1024


def _open_or_create(
    location: MilvusLocation, embedder: Embedder, chunk_chars: int, overlap: int, rebuild: bool
) -> MilvusStore:
    client = connect(location)
    manifest = MilvusManifest(MILVUS_FORMAT_VERSION, embedder.name, embedder.dimension, True, chunk_chars, overlap)
    if not rebuild:
        try:
            store = open_milvus(location, client=client)
        except IndexNotFoundError:
            pass
        else:
            if store.manifest.embedding_model != embedder.name:
                raise IndexMismatchError(
                    f"the store at {location} was built with {store.manifest.embedding_model!r}, not "
                    f"{embedder.name!r}: use the same model, or rebuild it ('citeqa index --rebuild')"
                )
            if (store.manifest.chunk_chars, store.manifest.overlap_sentences) != (chunk_chars, overlap):
                raise IndexMismatchError(
                    f"the store at {location} has chunks of {store.manifest.chunk_chars} characters overlapping by "
                    f"{store.manifest.overlap_sentences} sentences, not {chunk_chars} and {overlap}: rebuild it"
                )
            return store
    create_collections(client, location, manifest)
    return open_milvus(location, client=client)


def build_milvus(
    paths: Iterable[str | os.PathLike[str]],
    location: str | MilvusLocation,
    *,
    embedder: Embedder | None = None,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    overlap_sentences: int = DEFAULT_OVERLAP_SENTENCES,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
    read: ReadOptions = DEFAULT_READ,
    dedup: DedupSettings = DEFAULT_DEDUP,
) -> BuildReport:
    """Index the articles ``paths`` name into the Milvus store at ``location``, incrementally.

    As :func:`index.build_index` (same sources, planning, near-duplicate grouping and report),
    writing to Milvus instead of an index folder. A build that was killed is completed by the next.

    Raises:
        StoreUnreachableError: No Milvus server answers at ``location``.
        IndexMismatchError: The store was made with another model or chunking; pass ``rebuild=True``.
        EmptyCorpusError: Nothing readable would be left in the store.

    Example:
        >>> build_milvus(["seeds/"], "milvus:./archive.db").articles  # doctest: +SKIP
        1
    """
    embedder = embedder or make_embedder()
    where = parse_location(location)
    paths = list(paths)
    found = discover(paths)
    roots = [Path(p).expanduser().resolve() for p in paths if not is_url(str(p))]
    store = _open_or_create(where, embedder, chunk_chars, overlap_sentences, rebuild)
    client = store.client
    number = write.begin(client, where)  # first: it removes what a killed build half-wrote
    old = {a.id: a for a in open_milvus(where, client=client).articles.values()}
    plan = plan_build(found.sources, roots, old, options=read, dedup=dedup, progress=progress)
    plan.errors[:0] = found.skipped
    articles = sorted([*plan.records.values(), *plan.fresh], key=lambda a: a.id)
    if not articles:
        write.commit(client, where, number)
        raise EmptyCorpusError(f"no article could be indexed from {', '.join(str(p) for p in paths)}")
    kept = [a for a in plan.records.values() if replace(old[a.id], versions=()) != a]
    if not (plan.fresh or plan.removed or kept):  # nothing to write: readers keep their generation
        write.end_unchanged(client, where)
        return _report(plan, articles, store)
    write.delete(client, where, [*plan.removed, *(a.id for a in plan.fresh)])
    _write_fresh(client, where, plan.fresh, embedder, chunk_chars, overlap_sentences, number, progress)
    redated = [a for a in kept if a.published != old[a.id].published]
    _rewrite_kept(client, where, store, redated, number)
    write.update_metadata(client, where, [a for a in kept if a not in redated], number)
    write.commit(client, where, number)
    return _report(plan, articles, open_milvus(where, client=client))


def _report(plan: Plan, articles: Sequence[Article], after: MilvusStore) -> BuildReport:
    return BuildReport(
        tuple(plan.added),
        tuple(plan.updated),
        tuple(plan.removed),
        len(plan.keep),
        tuple(plan.errors),
        len(articles),
        after.records.chunk_count,
        after.generation,
        tuple(plan.copies),
        len({a.story for a in articles if a.story}),
    )


def _write_fresh(
    client: Any,
    where: MilvusLocation,
    fresh: Sequence[Article],
    embedder: Embedder,
    chunk_chars: int,
    overlap: int,
    number: int,
    progress: ProgressCallback | None,
) -> None:
    total = sum(len(split_sentences(a.text, a.body_start, a.id)) for a in fresh)
    done = 0
    for begin in range(0, len(fresh), WRITE_ARTICLES):
        group = list(fresh[begin : begin + WRITE_ARTICLES])
        sentences = {a.id: split_sentences(a.text, a.body_start, a.id) for a in group}
        texts = [a.text[s.start : s.end] for a in group for s in sentences[a.id]]
        vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
        for b in range(0, len(texts), EMBED_BATCH):
            vectors[b : b + EMBED_BATCH] = embedder.embed(texts[b : b + EMBED_BATCH])
            done += len(texts[b : b + EMBED_BATCH])
            if progress is not None:
                progress(done, total, "embedding")
        chunks = {
            a.id: chunk_sentences(a.text, sentences[a.id], article_id=a.id, max_chars=chunk_chars, overlap=overlap)
            for a in group
        }
        flat = [c for a in group for c in chunks[a.id]]
        # As the embedded store: chunk vectors from the float32 sentence vectors, sentence vectors kept at float16.
        chunk_v = chunk_vectors(group, sentences, flat, vectors)
        stored = vectors.astype(np.float16).astype(np.float32)
        rows, s_row, c_row = [], 0, 0
        for a in group:
            n_s, n_c = len(sentences[a.id]), len(chunks[a.id])
            rows.append(
                write.ArticleRows(
                    a, sentences[a.id], chunks[a.id], stored[s_row : s_row + n_s], chunk_v[c_row : c_row + n_c]
                )
            )
            s_row, c_row = s_row + n_s, c_row + n_c
        write.put(client, where, rows, number)


def _rewrite_kept(
    client: Any, where: MilvusLocation, store: MilvusStore, articles: Sequence[Article], number: int
) -> None:
    """Kept articles whose date changed: their rows again (the date is on every chunk), nothing embedded."""
    for begin in range(0, len(articles), WRITE_ARTICLES):
        group = list(articles[begin : begin + WRITE_ARTICLES])
        ids = [a.id for a in group]
        vectors = store.records.sentence_vectors(ids)
        sentences = {i: list(store.records.sentences(i)) for i in ids}
        keys = [(i, c) for i in ids for c in range(len(sentences[i]))]  # an article has at most a chunk per sentence
        found = store.records.chunks_by_key(keys)
        chunks = {i: sorted((c for k, c in found.items() if k[0] == i), key=lambda c: c.index) for i in ids}
        rows = [write.stored_rows(a, sentences[a.id], chunks[a.id], vectors) for a in group]
        write.delete(client, where, ids)
        write.put(client, where, rows, number)


@dataclass(frozen=True, slots=True)
class MigrateReport:
    """What :func:`migrate_to_milvus` copied, counted in the source index and again in Milvus."""

    articles: int
    sentences: int
    chunks: int
    generation: str


def migrate_to_milvus(
    index_dir: str | os.PathLike[str],
    location: str | MilvusLocation,
    *,
    progress: ProgressCallback | None = None,
) -> MigrateReport:
    """Copy an embedded index into a new Milvus store: vectors and records as stored, nothing embedded.

    Any citeqa store already at ``location`` (under the same prefix) is replaced. The counts of
    articles, sentences and chunks are checked in Milvus afterwards.

    Raises:
        IndexNotFoundError, IndexCorruptError: The source index cannot be loaded.
        IndexCorruptError: Milvus holds other counts than the source after the copy.
    """
    from index.errors import IndexCorruptError
    from index.stores.generations import load_index

    source = load_index(index_dir)
    where = parse_location(location)
    client = connect(where)
    m = source.manifest
    create_collections(
        client,
        where,
        MilvusManifest(MILVUS_FORMAT_VERSION, m.embedding_model, m.dimension, True, m.chunk_chars, m.overlap_sentences),
    )
    number = write.begin(client, where)
    ordered = sorted(source.articles)
    first_chunk: dict[str, int] = {}
    for row, chunk in enumerate(source.chunks):
        first_chunk.setdefault(chunk.article_id, row)
    by_article: dict[str, list] = {}
    for chunk in source.chunks:
        by_article.setdefault(chunk.article_id, []).append(chunk)
    for begin in range(0, len(ordered), WRITE_ARTICLES):
        rows = []
        for article_id in ordered[begin : begin + WRITE_ARTICLES]:
            article, sentences = source.articles[article_id], source.sentences[article_id]
            chunks = by_article.get(article_id, [])
            start = first_chunk.get(article_id, 0)
            rows.append(
                write.ArticleRows(
                    replace(article, versions=()),
                    sentences,
                    chunks,
                    source.vectors_of_sentences(article_id, 0, len(sentences)),
                    source.vectors.reconstruct_n(start, len(chunks)) if chunks else np.zeros((0, m.dimension)),
                )
            )
        write.put(client, where, rows, number)
        if progress is not None:
            progress(min(begin + WRITE_ARTICLES, len(ordered)), len(ordered), "copying")
    write.commit(client, where, number)
    store = open_milvus(where, client=client)
    counts = (store.records.count("articles", "part == 0"), store.records.count("sentences"), store.records.chunk_count)
    expected = (len(source.articles), sum(map(len, source.sentences.values())), len(source.chunks))
    if counts != expected:
        raise IndexCorruptError(
            f"copied {expected[0]} articles, {expected[1]} sentences and {expected[2]} chunks to {where}, but it "
            f"holds {counts[0]}, {counts[1]} and {counts[2]}: run 'citeqa migrate' again"
        )
    return MigrateReport(*counts, store.generation)
