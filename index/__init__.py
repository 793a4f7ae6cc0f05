"""Ingest, chunk, embed and persist articles: the bottom layer of citeqa (never imports qa or ui)."""

from index.build import BuildReport, build_index
from index.chunk import chunk_sentences, paragraph_bounds, split_sentences
from index.embed import DEFAULT_EMBEDDING_MODEL, Embedder, SentenceTransformerEmbedder
from index.errors import (
    CiteqaError,
    EmptyCorpusError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    IngestError,
    ModelNotAvailableError,
)
from index.stores import CorpusIndex, load_index
from index.types import Article, Chunk, Sentence

__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "Article",
    "BuildReport",
    "Chunk",
    "CiteqaError",
    "CorpusIndex",
    "Embedder",
    "EmptyCorpusError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IngestError",
    "ModelNotAvailableError",
    "Sentence",
    "SentenceTransformerEmbedder",
    "build_index",
    "chunk_sentences",
    "load_index",
    "paragraph_bounds",
    "split_sentences",
]
