"""The index of ``seeds/``, the articles citeqa answers from when no index is named."""

from __future__ import annotations

import os
from pathlib import Path

from index.build import build_index
from index.errors import IndexMismatchError
from index.models import cache_dir

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def default_index_dir() -> Path:
    """Where the index of ``seeds/`` lives: ``$CITEQA_INDEX_DIR`` or ``<cache>/index/seeds``."""
    return Path(os.environ.get("CITEQA_INDEX_DIR") or cache_dir() / "index" / "seeds")


def ensure_default_index() -> Path:
    """Build or update the index of ``seeds/`` when it is missing or stale; return its folder."""
    directory = default_index_dir()
    try:
        build_index([SEEDS_DIR], directory)
    except IndexMismatchError:
        # Built by an older citeqa with another embedding model: this index is only a cache of seeds/.
        build_index([SEEDS_DIR], directory, rebuild=True)
    return directory
