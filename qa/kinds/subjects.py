"""Whether a sentence speaks of the people, places and days a yes/no question names: its names as
news text writes them again (a surname for a full name, "Kurdish" for Kurdistan, "U.S." for US),
in the sentence or in the sentences its "he" or "that" refers back to."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

from index.types import Sentence
from qa.types import Evidence

_WORD = re.compile(r"[\w’'-]+")
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w’'-]+|\d[\d,.]*)")
# A sentence opening with one of these speaks of what a sentence before it named; a personal
# pronoun may reach further back, past a quotation ("He apologized..." after two quoted sentences).
ANAPHOR = re.compile(r"[\"“]?(?:that|this|these|those|it|he|she|they|his|her|their)\b", re.I)
_PERSONAL = re.compile(r"[\"“]?(?:he|she|they|his|her|their)\b", re.I)
PERSONAL_REACH = 3
# The commonest short names and what news text calls them otherwise.
_ALIASES = {
    "us": ("u.s.", "united states", "american", "washington"),
    "u.s.": ("us", "united states", "american", "washington"),
    "uk": ("britain", "british", "united kingdom"),
    "un": ("united nations", "u.n."),
    "eu": ("european union",),
}
# Capitalised words that stand before a surname without being a given name.
_OPENERS = frozenset(
    "but and so then yet still now later earlier meanwhile after when while as if although though the "
    "mr mrs ms dr sen rep gov president minister judge officer".split()
)
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december".split()
)
# Endings of a place's name and of its people's and language's ("Kurdistan", "Kurdish", "Kurds").
_NAME_ENDINGS = ("istan", "stan", "ians", "ian", "ans", "ese", "ish", "an", "is", "ia", "i", "a", "s", "n")


def _bare(word: str) -> str:
    return word.lower().rstrip(".,").removesuffix("’s").removesuffix("'s")


def names_in(question: str) -> set[str]:
    """The question's names and numbers (capitalised words past its first, digits), lower-cased."""
    return {_bare(m) for m in _NAME.findall(question)}


def given_names(question: str) -> dict[str, str]:
    """The given names of the question's full names, each with its surname: {"michael": "lohan"}
    for "Was Michael Lohan arrested?"."""
    spans = [m for m in _NAME.finditer(question) if not m.group(1)[0].isdigit()]
    return {
        _bare(a.group(1)): _bare(b.group(1))
        for a, b in itertools.pairwise(spans)
        if not question[a.end() : b.start()].strip()  # "Michael Lohan": one name
    }


@functools.lru_cache(maxsize=16384)
def name_root(word: str) -> str:
    """A name without the endings of :data:`_NAME_ENDINGS`, each taken off while 4 letters remain:
    "Kurdistan", "Kurdish" and "Kurds" are "kurd"; "Iraqi" and "Iraq's" are "iraq"."""
    root = _bare(word)
    while True:
        ending = next((e for e in _NAME_ENDINGS if root.endswith(e) and len(root) - len(e) >= 4), None)
        if ending is None:
            return root
        root = root[: -len(ending)]


def _forms(name: str) -> tuple[str, ...]:
    """Ways a name may appear: itself, its aliases, and its first letters ("serbia" as "serbian",
    "serb"), for a name long enough that a prefix still picks it out."""
    if name in _ALIASES:
        return (f" {name} ", f" {name}.", f" {name},", f" {name}’", *_ALIASES[name])
    return (name, name[: max(4, len(name) - 2)]) if len(name) >= 6 else (name,)


def context_start(item: Evidence, sentences: Sequence[Sentence], reach: int = 1) -> int:
    """Where the text a sentence may refer back to begins: ``reach`` sentences before it."""
    first = max(0, item.sentence.index - reach)
    before = [s for s in sentences if first <= s.index < item.sentence.index]
    return min((s.start for s in before), default=item.sentence.start)


def names_near(item: Evidence, sentences: Sequence[Sentence], names: set[str], given: dict[str, str]) -> bool:
    """Whether ``item``, with the sentence before it (up to :data:`PERSONAL_REACH` before one that
    opens with "He", "She" or "They"), names each of the question's names; a day or month need
    only be in the article, as it dates the story.

    News names a person in full once, then by surname: a given name of the question (in ``given``)
    is not needed where its surname is named and no other capitalised word stands before it.
    """
    text = item.article.text
    reach = PERSONAL_REACH if _PERSONAL.match(item.text) else 1
    window = text[context_start(item, sentences, reach) : item.sentence.end]
    lower = window.lower()

    @functools.cache
    def roots() -> set[str]:
        return {name_root(w) for w in _WORD.findall(lower)}

    def named(name: str) -> bool:
        if name in _CALENDAR:
            return name in text.lower()
        if any(form in lower for form in _forms(name)) or name_root(name) in roots():
            return True
        surname = given.get(name)
        if surname is None or surname not in lower:
            return False
        # "Lindsay Lohan" is not "Michael Lohan"; "But Lohan said" names no one else.
        before = re.findall(rf"\b([A-Z][\w’'-]*)\s+(?i:{re.escape(surname)})\b", window)
        return all(w.lower() in given or w.lower() in _OPENERS for w in before)

    return all(named(name) for name in names)


def referred_to(item: Evidence, sentences: Sequence[Sentence]) -> str:
    """The sentence before ``item`` when ``item`` refers back to it ("That led to road closures"),
    with a space; nothing when it does not open by referring back."""
    if not ANAPHOR.match(item.text):
        return ""
    return item.article.text[context_start(item, sentences) : item.sentence.start]
