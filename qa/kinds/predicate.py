"""What a yes/no question asks of its subject, by spaCy's parser: the verb or complement a settling
sentence must speak of ("Has anyone been arrested for the murder?" is settled by a sentence about an
arrest, not by one about the murder alone)."""

from __future__ import annotations

import functools

from qa.kinds.parse import parse, warm

__all__ = ["predicate", "warm"]  # warm: the one parser this module and qa.kinds.detect share

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


@functools.lru_cache(maxsize=1024)
def predicate(question: str) -> str | None:
    """The word ``question`` asks about: its main verb, or the complement of a light one ("Is
    there a shortage…?" asks of "shortage"); None when the parse names no content word, or when
    spaCy's model is not installed (then no sentence is held to it).

    Example:
        >>> predicate("Was the mayor arrested on Friday?")  # doctest: +SKIP
        'arrested'
    """
    doc = parse(question)
    if doc is None:
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
