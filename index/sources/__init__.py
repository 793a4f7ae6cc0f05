"""Where articles come from: each kind of source turns files into :class:`index.types.Article` records.

``text`` reads ``.txt`` and ``.md`` files (with an optional leading ``date YYYY-MM-DD`` marker).
"""

from index.sources.text import (
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    SourceFile,
    decode,
    discover,
    parse_article,
    read_article,
)

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "SourceFile",
    "decode",
    "discover",
    "parse_article",
    "read_article",
]
