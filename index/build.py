"""Build or update an index from files, re-embedding only what changed."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from index.chunk import DEFAULT_CHUNK_CHARS, DEFAULT_OVERLAP_SENTENCES, chunk_sentences, split_sentences
from index.dedup import DEFAULT_DEDUP, DedupSettings
from index.embed import Embedder, make_embedder
from index.errors import (
    EmptyCorpusError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    IngestError,
)
from index.ingest import ProgressCallback, plan_build
from index.sources import SUPPORTED_SUFFIXES, ReadOptions, discover, is_url
from index.sources.discovery import DEFAULT_READ
from index.stores import FORMAT_VERSION, CorpusIndex, load_index, salvage_index, write_generation, write_lock
from index.stores.embedded import APPROXIMATE_FROM_CHUNKS
from index.stores.generations import RECORDS_FILE
from index.stores.records import read_signatures
from index.types import Article, Chunk, Sentence


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did.

    Attributes:
        added: Ids of articles indexed for the first time.
        updated: Ids of articles whose source changed and were re-embedded.
        removed: Ids of articles whose file disappeared from a folder that was indexed (or that
            turned out to be an exact copy of another).
        unchanged: How many articles were kept without re-embedding.
        errors: Sources and records that were skipped, each with the reason.
        articles: Articles in the index afterwards.
        chunks: Chunks in the index afterwards.
        generation: The live generation afterwards.
        copies: Exact copies indexed once, as ``(copy id, id of the article kept)``.
        stories: Near-duplicate groups in the index afterwards (each two or more articles).
        repaired: Why the live generation was damaged and made again, or "" when it was whole.
    """

    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    errors: tuple[IngestError, ...]
    articles: int
    chunks: int
    generation: str
    copies: tuple[tuple[str, str], ...] = ()
    stories: int = 0
    repaired: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def build_index(
    paths: Iterable[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    embedder: Embedder | None = None,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    overlap_sentences: int = DEFAULT_OVERLAP_SENTENCES,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
    approximate_from: int = APPROXIMATE_FROM_CHUNKS,
    read: ReadOptions = DEFAULT_READ,
    dedup: DedupSettings = DEFAULT_DEDUP,
) -> BuildReport:
    """Index the articles that ``paths`` name into ``index_dir``, incrementally.

    ``paths`` are files, folders (searched recursively) and http(s) URLs: text and Markdown
    (``.txt``, ``.md``), news pages (``.html``, ``.htm``), feeds (``.rss``, ``.atom``, ``.xml``)
    and dumps (``.jsonl``, ``.csv``). Unchanged articles keep their vectors; changed and new ones
    are embedded; articles whose files are gone from a folder named in ``paths`` are removed.
    Sources and records that cannot be read are reported in ``BuildReport.errors`` and the rest
    are still indexed. Exact copies are indexed once; near-duplicates are grouped into stories.
    The previous index stays live until the new one is complete.

    Args:
        paths: Files, folders and URLs to index.
        index_dir: Index folder; created when missing.
        embedder: Embedding model (default: :data:`index.embed.DEFAULT_INDEX_MODEL`, from its installed package).
        chunk_chars: Largest chunk, in characters.
        overlap_sentences: Sentences shared by consecutive chunks.
        rebuild: Ignore the existing index and embed everything again.
        progress: Called with ``(done, total, stage)``: stage ``"reading"`` counts bytes of the
            sources, ``"duplicates"`` articles signed for near-duplicate search, ``"embedding"`` sentences.
        approximate_from: From this many chunks on, search an approximate (HNSW) vector index.
        read: Dump field names and URL fetch limits.
        dedup: How near-duplicates are found.

    Returns:
        A report of what changed.

    Raises:
        FileNotFoundError: A path does not exist.
        EmptyCorpusError: Nothing readable would be left in the index.
        IndexMismatchError: The existing index was built with another embedding model; pass
            ``rebuild=True`` to replace it.

    Example:
        >>> report = build_index(["seeds/", "feeds/world.rss"], "/tmp/citeqa-index")  # doctest: +SKIP
        >>> report.articles  # doctest: +SKIP
        12
    """
    embedder = embedder or make_embedder()
    paths = list(paths)
    found = discover(paths)  # first: it names a missing path or a symlink loop, which resolve() cannot
    roots = [Path(p).expanduser().resolve() for p in paths if not is_url(str(p))]
    directory = Path(index_dir).expanduser().resolve()
    with write_lock(directory):
        old, repaired = (None, "") if rebuild else _load_existing(directory, embedder)
        rechunk = old is not None and (
            old.manifest.chunk_chars != chunk_chars or old.manifest.overlap_sentences != overlap_sentences
        )
        if rechunk:
            assert old is not None
            old = _rechunk_all(old)
        old_articles = old.articles if old is not None else {}
        known = (
            read_signatures(directory / old.generation / RECORDS_FILE)
            if old is not None and old.manifest.minhash == dedup.signature_kind
            else {}
        )
        plan = plan_build(found.sources, roots, old_articles, options=read, dedup=dedup, known=known, progress=progress)
        plan.errors[:0] = found.skipped
        articles = sorted([*plan.records.values(), *plan.fresh], key=lambda a: a.id)
        if not articles:
            listed = ", ".join(str(p) for p in paths)
            reasons = "; ".join(str(e) for e in plan.errors[:3])
            raise EmptyCorpusError(
                f"no article could be indexed from {listed}"
                + (f" ({reasons})" if reasons else f": no files of the types {' '.join(SUPPORTED_SUFFIXES)} found")
            )
        n_stories = len({a.story for a in articles if a.story})
        metadata_same = all(replace(old_articles[k], versions=()) == a for k, a in plan.records.items())
        if (
            old is not None
            and metadata_same
            and old.manifest.format_version == FORMAT_VERSION
            and old.manifest.minhash == dedup.signature_kind
            and old.manifest.checksums  # an index from before checksums is written again, with them
            and not (plan.fresh or plan.removed or rechunk or old.bm25_outdated)
        ):
            return BuildReport(
                (),
                (),
                (),
                len(plan.keep),
                tuple(plan.errors),
                len(old.articles),
                len(old.chunks),
                old.generation,
                tuple(plan.copies),
                n_stories,
            )

        sentences: dict[str, list[Sentence]] = {}
        chunks_by_article: dict[str, list[Chunk]] = {}
        for article in articles:
            if old is not None and article.id in plan.records:
                sentences[article.id] = list(old.sentences[article.id])
            else:
                sentences[article.id] = split_sentences(article.text, article.body_start, article.id)
            chunks_by_article[article.id] = chunk_sentences(
                article.text,
                sentences[article.id],
                article_id=article.id,
                max_chars=chunk_chars,
                overlap=overlap_sentences,
            )
        chunks = [c for a in articles for c in chunks_by_article[a.id]]
        sentence_vectors = _sentence_vectors(articles, sentences, old, set(plan.records), embedder, progress)
        generation = write_generation(
            directory,
            articles=articles,
            sentences=sentences,
            chunks=chunks,
            vectors=chunk_vectors(articles, sentences, chunks, sentence_vectors),
            sentence_vectors=sentence_vectors,
            embedding_model=embedder.name,
            chunk_chars=chunk_chars,
            overlap_sentences=overlap_sentences,
            approximate_from=approximate_from,
            signatures=plan.signatures,
            minhash=dedup.signature_kind,
        )
    return BuildReport(
        tuple(plan.added),
        tuple(plan.updated),
        tuple(plan.removed),
        len(plan.keep),
        tuple(plan.errors),
        len(articles),
        len(chunks),
        generation,
        tuple(plan.copies),
        n_stories,
        repaired,
    )


def _load_existing(directory: Path, embedder: Embedder) -> tuple[CorpusIndex | None, str]:
    """The live index (checksums verified) and, when it was damaged, why."""
    repaired = ""
    try:
        old: CorpusIndex | None = load_index(directory)
    except IndexNotFoundError:
        return None, ""
    except IndexCorruptError as err:
        # Rebuilt from the sources; intact articles and sentence vectors are reused, so nothing
        # is embedded again unless those two files are the damaged ones.
        old, repaired = salvage_index(directory), str(err)
        if old is None:
            return None, repaired
    assert old is not None
    if old.manifest.embedding_model != embedder.name:
        raise IndexMismatchError(
            f"index at {directory} was built with {old.manifest.embedding_model!r}, not {embedder.name!r}: "
            "use the same model, or rebuild it ('citeqa index --rebuild')"
        )
    return old, repaired


def _rechunk_all(old: CorpusIndex) -> CorpusIndex:
    # Other chunk settings: the articles, sentences and sentence vectors are kept; the chunks
    # and their vectors are made again from them.
    return CorpusIndex(
        old.directory,
        old.generation,
        old.manifest,
        old.articles,
        old.sentences,
        [],
        old.vectors,
        old.bm25,
        old.sentence_vectors,
        old.sentence_rows,
    )


def _sentence_vectors(
    articles: list[Article],
    sentences: dict[str, list[Sentence]],
    old: CorpusIndex | None,
    kept: set[str],
    embedder: Embedder,
    progress: ProgressCallback | None,
) -> np.ndarray:
    """A vector per sentence, in article order: kept articles' stored vectors, the rest embedded.

    Sentences, not chunks, are embedded: each once (a chunk's overlap is not embedded twice),
    and short inputs cost less (benchmarks/sentence_vectors.py).
    """
    total = sum(len(sentences[a.id]) for a in articles)
    dimension = old.manifest.dimension if old is not None and kept else embedder.dimension
    vectors = np.zeros((total, dimension), dtype=np.float32)
    todo: list[tuple[int, str]] = []
    row = 0
    for article in articles:
        n = len(sentences[article.id])
        if old is not None and article.id in kept:
            vectors[row : row + n] = old.vectors_of_sentences(article.id, 0, n)
        else:
            todo.extend((row + i, article.text[s.start : s.end]) for i, s in enumerate(sentences[article.id]))
        row += n
    batch = 1024  # the embedder sorts each batch by length: bigger batches pad less
    for begin in range(0, len(todo), batch):
        part = todo[begin : begin + batch]
        vectors[[r for r, _ in part]] = embedder.embed([text for _, text in part])
        if progress is not None:
            progress(min(begin + batch, len(todo)), len(todo), "embedding")
    return vectors


def chunk_vectors(
    articles: list[Article],
    sentences: dict[str, list[Sentence]],
    chunks: list[Chunk],
    sentence_vectors: np.ndarray,
) -> np.ndarray:
    """Each chunk's vector: the normalised mean of its sentences' vectors."""
    first_row: dict[str, int] = {}
    row = 0
    for article in articles:
        first_row[article.id] = row
        row += len(sentences[article.id])
    out = np.zeros((len(chunks), sentence_vectors.shape[1]), dtype=np.float32)
    for i, chunk in enumerate(chunks):
        base = first_row[chunk.article_id]
        out[i] = sentence_vectors[base + chunk.first_sentence : base + chunk.last_sentence].mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
