"""Where an index lives: the :class:`Store` Protocol and its implementations.

``embedded`` (the default) keeps FAISS vectors, a BM25 matrix and SQLite records in one folder,
with atomic generations (``generations``). ``milvus`` keeps them in Milvus (Lite, Standalone or
Distributed: :func:`index.stores.milvus.open_milvus`, built by ``milvus_build``); it is imported
only where asked for, so pymilvus is not loaded with this package.
"""

from index.stores.base import DEFAULT_SEARCH, MODES, SearchSettings, Store
from index.stores.embedded import CorpusIndex
from index.stores.generations import (
    current_generation,
    load_index,
    read_manifest,
    salvage_index,
    verify_index,
    write_generation,
    write_lock,
)
from index.stores.manifest import FORMAT_VERSION, Manifest

__all__ = [
    "DEFAULT_SEARCH",
    "FORMAT_VERSION",
    "MODES",
    "CorpusIndex",
    "Manifest",
    "SearchSettings",
    "Store",
    "current_generation",
    "load_index",
    "read_manifest",
    "salvage_index",
    "verify_index",
    "write_generation",
    "write_lock",
]
