"""Near misses: a question the cited text almost answers, about another number, date or name.

A near miss ("How many touchdowns did he score in 2007?" over a sentence about 2008; "Which British
jets struck the convoy?" over "French fighter jets…") shares most of its words with the sentence, so
the support score passes it. What it does not share is the name or number that makes it a different
question: the check here finds the question's named entities, numbers and dates (spaCy, by
:mod:`qa.kinds.entities`) and reports those the text never writes.
"""

from __future__ import annotations

import difflib
import re

from index.types import Article, Sentence
from qa.kinds.entities import entities

NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"})
NUMBER_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d[\d,.]*")
_DIGITS_AND_SUFFIX = re.compile(r"\d[\d,.]*(?:st|nd|rd|th|s)?\b")  # "18th", "1970s": the digits say it all
# Words of a name or date that do not make it a different one ("the Senate", "early 2012", "this
# week"), and the question words spaCy folds into one ("what year", "which European agency").
_GENERIC = frozenset(
    "the of and a an in on at for to s early late mid last next this that these those past coming "
    "morning afternoon evening night day days week weeks month months year years decade decades century "
    "today yesterday tomorrow what which how many much number whose who when where".split()
)
_NUMBER_WORDS = dict(
    zip("one two three four five six seven eight nine ten eleven twelve".split(), map(str, range(1, 13)), strict=True)
)
# Names news writes in more than one way: each word here stands for the others of its group.
_SAME = {
    word: group
    for group in (
        frozenset({"us", "america", "american", "americans", "united", "states"}),
        frozenset({"uk", "britain", "british", "england", "english", "kingdom"}),
        frozenset({"eu", "europe", "european", "union"}),
    )
    for word in group
}


def question_entities(text: str) -> list[tuple[str, str]]:
    """The named entities, numbers and dates of ``text`` as ``(text, spaCy label)``."""
    article = Article(id="", title="", published=None, text=text, body_start=0, source="", sha256="")
    return [(e.text, e.label) for e in entities(article, Sentence("", 0, 0, len(text)))]


def _words(text: str) -> set[str]:
    """Lower-cased words, "U.S." as "us", numbers one to twelve also as digits."""
    words = set(_WORD.findall(text.lower().replace("’", "'").replace(".", "")))
    return words | {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".,") for n in _DIGITS.findall(text)}


def _found(word: str, written: set[str]) -> bool:
    """A word is written as itself, as another name of its group, or (five letters and more) as a
    word with its first five letters ("Egyptian" by "Egypt", "Soviets" by "Soviet") or one slip away."""
    if word in written or (word in _SAME and _SAME[word] & written):
        return True
    if len(word) < 5:
        return False
    # Questions misspell names ("Islmabad", "Michael Jacson"): one slip in five letters is the same name.
    return any(w.startswith(word[:5]) or (len(w) >= 5 and _close(word, w)) for w in written)


def _close(a: str, b: str) -> bool:
    return abs(len(a) - len(b)) <= 2 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def written_in(name: str, text: str) -> bool:
    """Whether ``text`` writes the entity ``name``: each of its digit runs, and each of its other
    words but generic ones (case-insensitive, as whole words; see :func:`_found`)."""
    numbers = _numbers(name)
    if numbers and not numbers <= _numbers(text):
        return False
    written = _words(text)
    words = {
        w for w in _words(_DIGITS_AND_SUFFIX.sub(" ", name)) if w not in _GENERIC and len(w) > 1 and not w.isdigit()
    }
    words |= {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}
    return all(_found(w, written) or (w in _NUMBER_WORDS and _NUMBER_WORDS[w] in written) for w in words)


def absent(question: str, text: str, labels: frozenset[str]) -> list[str]:
    """The question's entities with one of ``labels`` that ``text`` does not write (see :func:`written_in`)."""
    return [
        name
        for name, label in question_entities(question)
        if label in labels
        # A number in words ("two", "first") counts the answers asked for more often than it names one.
        and not (label in NUMBER_LABELS and not _DIGITS.search(name))
        and not written_in(name, text)
        # A person is written where the surname is (spaCy calls some people organisations).
        and not (label in ("PERSON", "ORG") and len(name.split()) == 2 and written_in(name.split()[-1], text))
    ]


def near_miss(question: str, article_text: str) -> str | None:
    """Why an answer to ``question`` citing an article with this text must not be shown: the
    numbers and dates (written with digits) of the question it never writes; None when it writes them all.

    Names are not checked: on the sentences right answers cite, a name of the question missing from
    the article withheld 3.0% of SQuAD dev answers (numbers: 1.0%), mostly names another paragraph
    of the same Wikipedia article gives (docs/quality.md, "Near misses").
    """
    missing = absent(question, article_text, NUMBER_LABELS)
    if not missing:
        return None
    named = ", ".join(missing)
    return f"the closest passage does not appear to answer the question: its article never mentions {named}"
