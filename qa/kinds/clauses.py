"""Clauses, negation and content words: what the rule-based answer kinds read in a sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.bm25 import tokenize

_WORD = re.compile(r"[\w’'-]+")
# A clause ends at these marks, or before a conjunction that starts a new one.
_CLAUSE_BREAK = re.compile(r"[,;:—–]\s+|\s+(?=(?:but|while|whereas|although|though|however)\b)|\s+\(|\)\s*", re.I)
NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|n't|cannot|denied|denies|deny|"
    r"false|falsely|untrue|debunked|refused|refuses|rejected|rejects|failed|fails|unfounded|dismissed|"
    r"unsuccessful|unable|yet to|no longer|has yet|have yet)\b|n't\b",
    re.I,
)
# Pairs of words where the clause saying the second answers "No" to a question asking the first:
# "Is the strike still going on?" over "The strike ended on Tuesday".
OPPOSITES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(rf"\b(?:{a})", re.I), re.compile(rf"\b(?:{b})", re.I))
    for a, b in (
        (r"still|continu|ongoing|going on", r"ended|ends\b|over\b|finished|halted|stopped|called off|lifted"),
        (r"stay|remain", r"leav|left\b|quit|resign|depart|step(?:ped|s)? down"),
        (r"gain(?:ing|ed|s)? strength|strengthen|intensif", r"weaken|los(?:e|ing|t) strength|diminish"),
        (r"\bwin\b|\bwon\b|victor", r"\blost\b|\blose\b|\bloss|defeat"),
        (r"guilty|convict", r"acquit|innocent|cleared"),
        (r"alive|surviv", r"\bdead\b|\bdied\b|killed"),
        (r"\ball\b|entire|complete|every\b", r"\bsome\b|partial|part of|\bremain"),
        (r"confirmed", r"to confirm|unconfirmed|yet to be confirmed"),
        (r"going to|visit|travel", r"bypass|skip|avoid|instead of"),
        (r"caus\w* casualties|casualties", r"no casualties|no one was (?:hurt|injured|killed)"),
        (r"increase|rise|rose|grew|grow", r"decrease|fell|\bfall|drop|declin|shrank"),
        (r"open", r"closed|shut"),
        (r"accept|approve|agree", r"reject|refus|turned down|vetoed"),
        (r"admit|confess|acknowledg", r"den(?:y|ied|ies)|maintain\w* (?:his|her|their) innocence|pleaded not guilty"),
        (r"guilt", r"innocen"),
        (r"permi|authori|allowed|legal", r"unauthori|illegal|unlawful|banned|forbidden|prohibited"),
        (r"serious|severe|critical", r"minor\b|slight|superficial|non-life-threatening"),
        (r"play|held|take place|went ahead", r"postpon|cancel|called off|suspended"),
        (r"improv|better", r"deteriorat|worse|worsen"),
        (r"stop|halt|cease|lay down", r"continu|resum|vow\w* to fight"),
        (r"valid", r"suspended|revoked|expired|invalid"),
        (r"true\b|accurate|correct", r"false\b|untrue|debunked|inaccurate|incorrect"),
        (r"jail|prison|custody|detention|behind bars", r"released|freed|set free|out on bail"),
    )
)
# Words that say the same as a question's word in other words: the clause saying the second speaks
# of the first ("Did the protest cause road closures?" over "That led to road closures").
SYNONYMS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(rf"\b(?:{a})\w*", re.I), re.compile(rf"\b(?:{b})", re.I))
    for a, b in (
        (r"caus", r"led to|lead to|result(?:ed|s)? in|trigger|spark|prompt|brought about"),
        (r"kill", r"died|dead\b|death|fatal"),
        (r"die|dead|death", r"killed|killing"),
        (r"injur|wound|hurt", r"injur|wound|hurt"),
        (r"arrest|caught|catch|captur|apprehend", r"arrest|detain|in custody|captur|caught|apprehend"),
        (r"guilt", r"guilt|convict"),
        (r"name", r"identif"),
        (r"born|birth", r"deliver"),
        (r"early", r"prematur"),
        (r"baby|infant|newborn", r"bab(?:y|ies)|infant|newborn"),
    )
)
# A clause saying an event is still to come answers "No" to a question asking whether it happened
# ("Has she been sentenced?" over "Sentencing is scheduled for March 3").
_PAST_QUESTION = re.compile(r"(?:has|have|had|did|was|were)\b", re.I)
_TO_COME = re.compile(
    r"\b(?:will|(?:is|are) (?:scheduled|expected|set|due|planned|to be)\b|scheduled for|plans? to|has yet|have yet)\b",
    re.I,
)
_OWN_TIME = re.compile(
    r"\b(?:will|would|going to|plan(?:s|ned|ning)? to|schedul|expect|say|said|announc|promis|threat)", re.I
)


def still_to_come(question: str, clause: str) -> bool:
    """Whether ``clause`` puts in the future what ``question`` asks of the past (the question not
    itself asking of plans or of what someone said)."""
    return bool(_PAST_QUESTION.match(question) and _TO_COME.search(clause) and not _OWN_TIME.search(question))


# Words a question carries that say nothing about its content.
_FILLER = frozenset(tokenize("anyone anybody anything someone somebody any ever really actually still also yet there"))
# ...and for a yes/no question, its auxiliaries, prepositions and adverbs of time ("Has it been
# bombed before?" is settled by a sentence saying it was bombed, whatever it says of "before") and
# the "s" of a possessive.
_ASIDE = frozenset(
    tokenize(
        "been being am before after between during since until previously already again can could should may "
        "might must s"
    )
)
# Endings a word takes in another form of itself: "smoke"/"smoker", "respond"/"response" (stemmed).
_FORM_ENDINGS = frozenset({("", "r"), ("", "er"), ("", "or"), ("", "ist"), ("d", "s")})


def clauses(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The clauses of ``text[start:end]`` as ``(start, end)`` offsets into ``text``, trimmed."""
    position = start
    for match in _CLAUSE_BREAK.finditer(text, start, end):
        if match.start() > position:
            yield _trim(text, position, match.start())
        position = match.end()
    if position < end:
        yield _trim(text, position, end)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in "%)’”\"'":
        end -= 1
    return start, end


def content_terms(question: str) -> set[str]:
    """The question's stemmed content words: what a settling sentence must speak of."""
    return set(tokenize(question)) - _FILLER


def asked_terms(question: str) -> set[str]:
    """A yes/no question's stemmed content words, its auxiliaries and words of time aside."""
    return content_terms(question) - _ASIDE


def coverage(terms: set[str], text: str) -> float:
    """Share of ``terms`` that ``text`` contains (stemmed; 0 when there are none)."""
    if not terms:
        return 0.0
    return len(terms & set(tokenize(text))) / len(terms)


def held_terms(terms: set[str], text: str) -> set[str]:
    """The ``terms`` (stems) that ``text`` holds, in any of their forms (:func:`akin`)."""
    held = set(tokenize(text))
    return {t for t in terms if t in held or any(akin(t, h) for h in held)}


def akin(a: str, b: str) -> bool:
    """Whether two stems are forms of one word: equal, or one ending where the other adds an ending
    of :data:`_FORM_ENDINGS` ("smoke"/"smoker"), at least 4 letters shared."""
    if a == b:
        return True
    if a[:4] != b[:4]:
        return False
    n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    ends = tuple(sorted((a[n:], b[n:]), key=lambda e: (len(e), e)))
    return n >= 4 and ends in _FORM_ENDINGS


def spoken_of(question: str, sentence: str) -> str:
    """The question's words that ``sentence`` speaks of in other words: another form of the word
    (response for responded), a synonym (led to for cause) or an opposite (innocence for guilt).

    Appended to the sentence, they let a word-overlap measure count what the sentence says otherwise.
    """
    held = set(tokenize(sentence))
    words = [w for w in _WORD.findall(question) if any(akin(t, h) for t in tokenize(w) for h in held)]
    for a, b in (*SYNONYMS, *OPPOSITES):
        if a.search(question) and b.search(sentence):
            words += [_word_at(question, m.start()) for m in a.finditer(question)]
    return " ".join(words)


def _word_at(text: str, position: int) -> str:
    match = _WORD.match(text, position)
    return match.group() if match else ""


def negated(text: str) -> bool:
    """Whether ``text`` holds a negation (not, never, denied, false…)."""
    return NEGATION.search(text) is not None


def contradicts(question: str, clause: str) -> bool:
    """Whether ``clause`` says the opposite of what ``question`` asks (an :data:`OPPOSITES` pair)."""
    return any(a.search(question) and b.search(clause) and not a.search(clause) for a, b in OPPOSITES)
