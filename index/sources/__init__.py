"""Where articles come from: each kind of source turns files or URLs into :class:`index.types.Article` records.

- ``text``: ``.txt`` and ``.md`` files (YAML front matter and/or a ``date YYYY-MM-DD`` marker).
- ``html``: saved news pages (``.html``, ``.htm``): main text and metadata.
- ``feeds``: RSS and Atom feeds (``.rss``, ``.atom``, ``.xml``): an article per item.
- ``dumps``: ``.jsonl`` and ``.csv`` exports: an article per record, streamed.
- ``urls``: ``http(s)://`` addresses: a page or a feed, fetched.
"""

from index.sources.common import MAX_FILE_BYTES, Source, SourceFile, SourceUrl, decode, short_title
from index.sources.discovery import (
    SUPPORTED_SUFFIXES,
    Discovered,
    ReadOptions,
    discover,
    read_article,
    read_source,
)
from index.sources.dumps import DumpFields
from index.sources.text import parse_article
from index.sources.urls import FetchSettings, is_url

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "Discovered",
    "DumpFields",
    "FetchSettings",
    "ReadOptions",
    "Source",
    "SourceFile",
    "SourceUrl",
    "decode",
    "discover",
    "is_url",
    "parse_article",
    "read_article",
    "read_source",
    "short_title",
]
