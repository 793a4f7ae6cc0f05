"""Where a Milvus store lives and how its collections are laid out, checked and opened.

One ``pymilvus`` client serves Milvus Lite (a local file, ``milvus:./archive.db``), Milvus
Standalone and Milvus Distributed (``http://host:19530``): only the URI changes. A store is four
collections sharing a prefix (default ``citeqa``)::

    <prefix>_chunks     one row per chunk: offsets, sentence range, article id, date (INT64
                        YYYYMMDD, 0 when undated), its BM25 terms with the BM25 function's sparse
                        output, and its dense vector (the normalised mean of its sentences')
    <prefix>_sentences  one row per sentence: offsets and its vector, for evidence ranking
    <prefix>_articles   article text in parts of at most PART_CHARS characters; part 0 also
                        holds the metadata as JSON and is written last (it marks the article whole)
    <prefix>_meta       what built the store (model, dimension, chunking, format version), in
                        the collection's properties, with the live generation and any write in
                        progress

BM25 terms are made by citeqa's own tokenizer (Snowball stems, stop words dropped:
:func:`index.bm25.tokenize`) and joined by spaces, so Milvus scores exactly the terms the embedded
store scores (Milvus Lite has no stemming filter) with the same k1 and b, in the engine.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.bm25 import DEFAULT_B, DEFAULT_K1, TOKENIZER
from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, StoreUnreachableError
from index.stores.milvus_client import ReachableClient, unreachable

MILVUS_FORMAT_VERSION = 1
DEFAULT_PREFIX = "citeqa"
PART_CHARS = 16_000  # a VARCHAR holds 65,535 bytes: 16k characters of UTF-8 fit in any script
MAX_TEXT_BYTES = 65_535
ID_CHARS = 4_096
KINDS = ("chunks", "sentences", "articles", "meta")
MANIFEST_KEY = "citeqa.manifest"
GENERATION_KEY = "citeqa.generation"
WRITING_KEY = "citeqa.writing"  # the id of a write in progress; left set by one that was killed
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 256  # at least the candidate depth; a search asks for max(this, depth)
# A server's default (Bounded) may answer a query from just before a write: a build's own count
# check, or a reader's reload after a build, would then miss it.
STRONG = "Strong"
LITE_GRPC_OPTIONS = {"grpc.keepalive_time_ms": 300_000, "grpc.keepalive_permit_without_calls": 0}
_DUMMY_DIM = 2  # Milvus wants a vector field in every collection; articles and meta carry a constant one


@dataclass(frozen=True, slots=True)
class MilvusLocation:
    """A Milvus store: where the engine is and which collections are citeqa's.

    Attributes:
        uri: A Milvus Lite file path (``./archive.db``) or a server URI (``http://host:19530``).
        token: API token, or ``"user:password"`` (servers with authentication).
        db_name: The server's database ("" for the default).
        prefix: Collection name prefix, so one engine can hold several citeqa stores.
    """

    uri: str
    token: str = field(default="", repr=False)  # never in a log line or traceback
    db_name: str = ""
    prefix: str = DEFAULT_PREFIX

    @property
    def lite(self) -> bool:
        return not self.uri.startswith(("http://", "https://", "tcp://", "unix:"))

    def name(self, kind: str) -> str:
        return f"{self.prefix}_{kind}"

    def __str__(self) -> str:
        return f"milvus:{self.uri}" if self.lite else self.uri


def parse_location(
    text: str | MilvusLocation, *, token: str | None = None, user: str | None = None, password: str | None = None
) -> MilvusLocation:
    """A store location from ``milvus:PATH`` (Milvus Lite) or ``http(s)://host:port`` (a server).

    ``token`` or ``user`` with ``password`` authenticate against a server; when none is given the
    token is read from ``$CITEQA_MILVUS_TOKEN`` (so it stays out of shell history).

    Raises:
        ValueError: The text is neither form, or a Lite path is empty.
    """
    if isinstance(text, MilvusLocation):
        return text
    if text.startswith("milvus:") and not text.startswith("milvus://"):
        path = text.removeprefix("milvus:")
        if not path:
            raise ValueError("a Milvus Lite store needs a file: milvus:./archive.db")
        uri = str(Path(path).expanduser().resolve())
    elif text.startswith(("http://", "https://")):
        uri = text
    else:
        raise ValueError(
            f"store must be 'milvus:PATH' (Milvus Lite) or 'http(s)://HOST:PORT' (a Milvus server), got {text!r}"
        )
    if user and not password:
        raise ValueError(f"user {user!r} needs a password ($CITEQA_MILVUS_PASSWORD)")
    secret = token or (f"{user}:{password}" if user else "") or os.environ.get("CITEQA_MILVUS_TOKEN", "")
    return MilvusLocation(uri, token=secret)


@dataclass(frozen=True, slots=True)
class MilvusManifest:
    """What built a Milvus store; compared against the caller's settings on open."""

    format_version: int
    embedding_model: str
    dimension: int
    normalized: bool
    chunk_chars: int
    overlap_sentences: int
    tokenizer: str = TOKENIZER
    bm25_k1: float = DEFAULT_K1
    bm25_b: float = DEFAULT_B

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def local_folder(location: MilvusLocation) -> Path:
    """Where citeqa keeps what it stores beside a Milvus store (FAQs, feedback): next to a Lite
    file (``archive.db.citeqa/``), or under ``~/.cache/citeqa/milvus/`` for a server."""
    if location.lite:
        folder = Path(f"{location.uri}.citeqa")
        if folder.parent.is_dir():  # else opening the store says the folder is missing; make nothing
            folder.mkdir(exist_ok=True)
        return folder
    host = "".join(c if c.isalnum() or c in "-." else "_" for c in location.uri.split("://", 1)[-1])
    folder = Path("~/.cache/citeqa/milvus").expanduser() / f"{host}_{location.db_name}_{location.prefix}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def connect(location: MilvusLocation) -> Any:
    """A ``pymilvus.MilvusClient`` for the location.

    Raises:
        StoreUnreachableError: No server answers there, or the Lite file cannot be opened.
    """
    from pymilvus import MilvusClient, MilvusException

    # Milvus Lite answers a query iterator's first request without a timestamp, and pymilvus warns
    # on every iterator (it falls back to the client's clock, right for one local file). Set after
    # the import: pymilvus configures its loggers when imported.
    logging.getLogger("pymilvus.client.iterator.query_iterator").setLevel(logging.ERROR)
    if location.lite and not Path(location.uri).parent.is_dir():
        raise StoreUnreachableError(f"cannot open {location}: the folder {Path(location.uri).parent} does not exist")
    try:
        # Milvus Lite's in-process gRPC server takes gRPC's default of one ping per 5 minutes and
        # closes a connection that pings more (GOAWAY "too_many_pings"), then refuses new clients;
        # pymilvus pings every 10 s, idle or not. A server allows that.
        # A server's connection is the client's own (pymilvus shares one per URI otherwise): one
        # lost with a server that went away is then closed and a new client reaches it again.
        options: dict[str, Any] = {"grpc_options": LITE_GRPC_OPTIONS} if location.lite else {"dedicated": True}
        client = MilvusClient(location.uri, token=location.token, db_name=location.db_name, timeout=30, **options)
        return ReachableClient(client, location)
    except MilvusException as err:
        raise StoreUnreachableError(unreachable(location, err.message)) from None
    except (OSError, RuntimeError) as err:  # Milvus Lite's own process failed to start or open the file
        raise StoreUnreachableError(f"cannot open the Milvus Lite file {location.uri}: {err}") from None


def read_properties(client: Any, location: MilvusLocation) -> dict[str, str]:
    """The meta collection's properties; IndexNotFoundError when there is no store there."""
    if not client.has_collection(location.name("meta")):
        raise IndexNotFoundError(
            f"no citeqa store at {location}: build one with 'citeqa index PATH --store {location}'"
        )
    return dict(client.describe_collection(location.name("meta")).get("properties", {}))


def check_manifest(
    location: MilvusLocation, properties: dict[str, str], embedding_model: str | None = None
) -> MilvusManifest:
    """The recorded manifest, refused when unreadable, of another format, or from another model.

    Raises:
        IndexCorruptError: No readable manifest, or another format version.
        IndexMismatchError: Built with another embedding model than ``embedding_model``.
    """
    try:
        manifest = MilvusManifest(**json.loads(properties[MANIFEST_KEY]))
    except (KeyError, ValueError, TypeError) as err:
        raise IndexCorruptError(
            f"the store at {location} has no readable citeqa manifest ({err}); rebuild it with 'citeqa index --rebuild'"
        ) from None
    if manifest.format_version != MILVUS_FORMAT_VERSION or manifest.tokenizer != TOKENIZER:
        raise IndexCorruptError(
            f"the store at {location} has format {manifest.format_version} with {manifest.tokenizer} terms; this "
            f"citeqa reads format {MILVUS_FORMAT_VERSION} with {TOKENIZER}: rebuild it with 'citeqa index --rebuild'"
        )
    if embedding_model is not None and manifest.embedding_model != embedding_model:
        raise IndexMismatchError(
            f"the store at {location} was built with {manifest.embedding_model!r}, not {embedding_model!r}: "
            "use the same model, or rebuild it ('citeqa index --rebuild')"
        )
    return manifest


def check_collections(client: Any, location: MilvusLocation) -> None:
    """Every collection is there and loaded (a reopened Lite file starts with them released).

    Raises:
        IndexCorruptError: One was dropped: names it and how to repair.
    """
    missing = [location.name(k) for k in KINDS if not client.has_collection(location.name(k))]
    if missing:
        raise IndexCorruptError(
            f"the store at {location} lacks {', '.join(missing)} (dropped?): rebuild it from the sources with "
            f"'citeqa index PATH --store {location} --rebuild', or copy an index in with 'citeqa migrate'"
        )
    for kind in KINDS:
        client.load_collection(location.name(kind))


def create_collections(client: Any, location: MilvusLocation, manifest: MilvusManifest) -> None:
    """Make the four collections (dropping any of a previous store under the prefix) and record the manifest."""
    from pymilvus import DataType, Function, FunctionType

    for kind in KINDS:
        if client.has_collection(location.name(kind)):
            client.drop_collection(location.name(kind))

    def schema(id_field: bool = True) -> Any:
        s = client.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=ID_CHARS + 16)
        if id_field:
            s.add_field("article_id", DataType.VARCHAR, max_length=ID_CHARS)
        return s

    def dummy(s: Any, by_article: bool = True) -> Any:
        s.add_field("dummy", DataType.FLOAT_VECTOR, dim=_DUMMY_DIM)
        params = client.prepare_index_params()
        params.add_index("dummy", index_type="FLAT", metric_type="L2")
        if by_article:
            params.add_index("article_id", index_type="INVERTED")
        return params

    chunks = schema()
    for name in ("idx", "start", "end", "first_sentence", "last_sentence", "published", "batch"):
        chunks.add_field(name, DataType.INT64)
    chunks.add_field("terms", DataType.VARCHAR, max_length=MAX_TEXT_BYTES, enable_analyzer=True, enable_match=True)
    chunks.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    chunks.add_field("vector", DataType.FLOAT_VECTOR, dim=manifest.dimension)
    chunks.add_function(
        Function(
            name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"], output_field_names=["sparse"]
        )
    )
    params = client.prepare_index_params()
    params.add_index(
        "vector", index_type="HNSW", metric_type="IP", params={"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION}
    )
    params.add_index("article_id", index_type="INVERTED")  # the article filters, and reads by article
    params.add_index("published", index_type="INVERTED")  # the date filters
    params.add_index(
        "sparse",
        index_type="SPARSE_INVERTED_INDEX",
        metric_type="BM25",
        params={"bm25_k1": manifest.bm25_k1, "bm25_b": manifest.bm25_b},
    )
    client.create_collection(location.name("chunks"), schema=chunks, index_params=params, consistency_level=STRONG)

    sentences = schema()
    for name in ("idx", "start", "end", "batch"):
        sentences.add_field(name, DataType.INT64)
    sentences.add_field("vector", DataType.FLOAT_VECTOR, dim=manifest.dimension)
    params = client.prepare_index_params()
    params.add_index("vector", index_type="FLAT", metric_type="IP")  # read by key, never searched
    params.add_index("article_id", index_type="INVERTED")
    client.create_collection(
        location.name("sentences"), schema=sentences, index_params=params, consistency_level=STRONG
    )

    articles = schema()
    for name in ("part", "published", "batch"):
        articles.add_field(name, DataType.INT64)
    articles.add_field("story", DataType.VARCHAR, max_length=ID_CHARS)
    articles.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
    articles.add_field("record", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
    client.create_collection(
        location.name("articles"), schema=articles, index_params=dummy(articles), consistency_level=STRONG
    )

    meta = schema(id_field=False)
    client.create_collection(
        location.name("meta"), schema=meta, index_params=dummy(meta, by_article=False), consistency_level=STRONG
    )
    set_properties(client, location, {MANIFEST_KEY: manifest.to_json(), GENERATION_KEY: "0", WRITING_KEY: ""})


def set_properties(client: Any, location: MilvusLocation, properties: dict[str, str]) -> None:
    client.alter_collection_properties(location.name("meta"), properties=properties)


DUMMY_VECTOR = [1.0] + [0.0] * (_DUMMY_DIM - 1)
