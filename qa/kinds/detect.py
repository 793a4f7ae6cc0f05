"""Which shape of answer a question asks for, read by rules from its first words.

Rules are instant and cover the forms news readers use ("Was anyone killed?", "Why did Serbia pull
back?", "What happened?", "Which countries were involved?"); a question no rule claims is a factoid,
the shape that was always asked for before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qa.kinds.parse import parse
from qa.kinds.when import TimePhrase, find_time

_AUX = (
    "is|are|was|were|am|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must"
    "|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|hasn't|haven't|hadn't|can't|couldn't|won't|wouldn't"
)
_YES_NO = re.compile(rf"^(?:and |so |but )?(?:{_AUX})\b(?!\s+(?:there any|any)\s+\w+\s+(?:who|which|that)\b)", re.I)
# "Did they win or lose?" asks which, not whether.
_ALTERNATIVE = re.compile(r"\bor\b(?!\s+not\b)", re.I)
_EXPLANATION = re.compile(
    r"^(?:and |so |but )?(?:why\b|how come\b|for what reason\b|what (?:caused|led to|prompted|triggered|"
    r"drove|motivated)\b|what (?:is|was|were|are) the (?:reason|cause|motive)s?\b|"
    rf"how (?!many\b|much\b|long\b|old\b|far\b|often\b|big\b|large\b|tall\b|high\b|soon\b|fast\b)(?:{_AUX})\b)",
    re.I,
)
_SUMMARY = re.compile(
    r"^(?:so |and )?(?:(?:can you |could you |please )?(?:tell me|give me an? (?:update|overview|summary)|"
    r"summari[sz]e|sum up)\b|"
    r"what(?:'s| is| was| has been)? (?:happen(?:ed|ing)|going on)(?! to\b| after\b| when\b| before\b| next\b)|"
    r"what(?:'s| is) new(?:\s*[?.!]?$| about\b| with\b| in\b| on\b)|"
    r"what(?:'s| is| was| are)(?: this| it| the| that)?(?: story| news| article| articles| report)? (?:all )?about\b|"
    r"what(?:'s| is| are) the (?:latest|news|story|situation|main points|key points|highlights|background)\b|"
    r"what do we know\b|(?:give me |an? )?(?:overview|summary|background)\b|main points\b|key points\b|"
    r"(?:any )?(?:latest|recent) (?:news|developments|updates?)\b|any news\b|what's the latest\b)",
    re.I,
)
# Nouns whose plural asks for several items; "which country" (singular) is a factoid.
_IRREGULAR_PLURALS = {"people", "men", "women", "children", "police", "media", "criteria", "staff", "troops"}
_NOT_PLURAL = re.compile(r"(?:ss|us|is|ous|news|series|species)$", re.I)
_LIST = re.compile(
    # "Which tropical storms were...", "Which U.S. embassies have...": a plural after its modifiers, then a verb.
    rf"^(?:and |so )?(?:(?:which|what) (?:(?!(?:{_AUX})\b)[\w.-]+ ){{1,2}}(?P<noun3>[a-z-]+s)\b(?= (?:{_AUX})\b)|"
    r"(?:which|what) (?:(?:other|two|three|several|main|major|key|different) )?"
    rf"(?!(?:{_AUX})\b)(?P<noun>[a-z-]+)\b(?! of\b)|"
    r"who (?:else )?(?:was|were|is|are|has been|have been) involved\b|"
    r"who (?:are|were) the\b|(?:list|name) (?:the |all |every )?\w+|"
    r"what (?:are|were) (?:some of )?the (?P<noun2>[a-z-]+)\b)",
    re.I,
)
# What/which/who questions whose head noun the parse decides, when the model is installed.
_ASKS_WHICH = re.compile(r"^(?:(?:in|on|at|from|for|to|by|of|with) )?(?:which|what|who)\b", re.I)
_BE = frozenset({"is", "are", "was", "were"})
_AUXILIARIES = frozenset({"are", "were", "have", "had", "do", "did", "will", "would", "can", "could"})
_PLURAL_VERBS = frozenset({"are", "were", "have", "do"})
_PLURAL_TAGS = frozenset({"NNS", "NNPS"})


def plural_head(question: str) -> str | None:
    """The plural noun a what/which/who question asks for, by spaCy's parse: "officials" in "Which
    Mexican officials were...", "followers" in "Which of Jeffs' followers...", "co-defendants" in
    "Who were Vick's co-defendants?"; "" when it asks for one thing ("What percentage of
    Victorians...", "What kind of chloroplasts...", "What happens when..."); None when spaCy's
    model is not installed (the word rules decide alone)."""
    doc = parse(question)
    if doc is None:
        return None
    wh = next((t for t in doc if t.lower_ in ("which", "what", "who")), None)
    if wh is None:
        return ""
    if wh.lower_ == "who":
        verb = wh.head
        attrs = [c for c in verb.children if c.dep_ in ("attr", "nsubj") and c.i > wh.i] if verb.lower_ in _BE else []
        verbs_after = any(t.tag_ == "VBN" for t in doc[verb.i + 1 :])
        return _plural(attrs[-1]) if attrs and not verbs_after else ""
    after = doc[wh.i + 1] if wh.i + 1 < len(doc) else None
    if wh.lower_ == "which" and after is not None and after.lower_ == "of":
        # "Which of Tesla's inventions was used...?" picks one of them; "Which of his followers
        # were indicted?" asks for several: only a plural verb says so.
        objects = [c for c in after.children if c.dep_ == "pobj"]
        several = any(t.lower_ in _PLURAL_VERBS for t in doc[after.i + 1 :])
        return _plural(objects[0]) if objects and several else ""
    head = _phrase_head(doc, wh)
    if head is not None:
        return _plural(head)
    return _asks_are_the(doc, wh) if wh.lower_ == "what" else ""


def _phrase_head(doc: Any, wh: Any) -> Any | None:
    """The last noun of the phrase right after "which"/"what" ("officials" in "Which Mexican
    officials were"), or None when a verb follows it ("What happens...")."""
    head = None
    for token in doc[wh.i + 1 :]:
        # spaCy's small model tags a plural right after "which" as a verb now and then ("films").
        # "What shows were released": a verb-tagged plural before an auxiliary is a noun too.
        next_is_aux = token.i + 1 < len(doc) and doc[token.i + 1].lower_ in _AUXILIARIES
        mistagged = token.i == wh.i + 1 and token.tag_ == "VBZ" and (wh.lower_ == "which" or next_is_aux)
        if token.pos_ in ("NOUN", "PROPN") or mistagged:
            head = token
        elif token.pos_ not in ("ADJ", "NUM") and token.dep_ not in ("amod", "compound", "nummod"):
            break
    return head


def _asks_are_the(doc: Any, what: Any) -> str:
    """'What are the main causes?' lists; 'What are the soldiers charged with?' asks one thing."""
    verb = what.head
    if verb.lower_ not in _BE or any(t.tag_ in ("VBN", "VB", "VBG") for t in doc[verb.i + 1 :]):
        return ""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "attr") and c.i > verb.i]
    if not subjects:
        return ""
    # "What are the protesters angry about?" asks about them: a list's noun ends the clause or
    # is followed only by its prepositional phrase ("the main causes of the strike").
    rest = doc[subjects[0].i + 1 :]
    if any(t.pos_ in ("ADJ", "VERB", "AUX") for t in rest) or (len(rest) and rest[-1].pos_ == "ADP"):
        return ""
    return _plural(subjects[0])


def _plural(token: Any) -> str:
    # A plural the small model tagged as a verb ("films" in "Which films made...") still ends in -s.
    mistagged = token.tag_ == "VBZ" and plural(token.text)
    if not (token.tag_ in _PLURAL_TAGS or token.lower_ in _IRREGULAR_PLURALS or mistagged):
        return ""
    first = token.i
    while first >= 2 and token.doc[first - 1].text == "-":  # "co-defendants" is three tokens
        first -= 2
    return token.doc[first : token.i + 1].text.lower()


_LEADING = re.compile(r"^(?:and |so |but |ok(?:ay)?,? |well,? )+", re.I)


@dataclass(frozen=True, slots=True)
class QuestionKind:
    """What a question asks for.

    Attributes:
        kind: One of :data:`qa.types.KINDS`.
        topic: What a summary or list is about, with the asking words taken off ("Kosovo" for
            "What is the latest news about Kosovo?"); "" when the question names nothing.
        time: The question's time words, when it has any.
        head: For a list, what it lists: the plural noun ("countries"), or "who".
    """

    kind: str
    topic: str
    time: TimePhrase | None
    head: str = ""


def plural(noun: str) -> bool:
    """Whether a question's head noun is plural ("countries", "people"), by its ending."""
    noun = noun.lower()
    if noun in _IRREGULAR_PLURALS:
        return True
    return len(noun) > 3 and noun.endswith("s") and not _NOT_PLURAL.search(noun) and not noun.endswith("'s")


def classify(question: str) -> QuestionKind:
    """The shape of answer ``question`` asks for, and its topic and time words."""
    text = " ".join(question.strip().split())
    time = find_time(text)
    bare = _LEADING.sub("", text)
    kind, head = _kind(bare)
    topic = topic_of(bare, time) if kind in ("summary", "list") else ""
    return QuestionKind(kind=kind, topic=topic, time=time, head=head)


def _kind(text: str) -> tuple[str, str]:
    if _SUMMARY.search(text):
        return "summary", ""
    if _EXPLANATION.search(text):
        return "explanation", ""
    match = _LIST.search(text)
    head = ""
    if match:
        noun = match.group("noun") or match.group("noun2") or match.group("noun3")
        if noun is None:
            return "list", "who" if text.lower().startswith("who") else ""
        head = noun.lower() if plural(noun) else ""
    if _ASKS_WHICH.match(text):
        parsed = plural_head(text)
        head = head if parsed is None else parsed
    if head:
        return "list", head
    if _YES_NO.search(text) and not _ALTERNATIVE.search(text):
        return "yes/no", ""
    return "factoid", ""


_TOPIC_CUES = re.compile(
    r"\b(?:about|on|regarding|concerning|with|of|in|at|during|over|surrounding|to|for|from)\s+(?P<topic>.+)$|"
    r"^(?:tell me about|summari[sz]e|sum up|overview of)\s+(?P<topic2>.+)$",
    re.I,
)
_STOP_TOPIC = re.compile(
    r"^(?:the |this |that |it |these |those )?(?:story|news|article|articles|situation|latest|week|month|year)?\W*$",
    re.I,
)


def topic_of(question: str, time: TimePhrase | None = None) -> str:
    """What a summary or list question is about: the words after "about"/"on"/"in", without
    its time words; "" for "What happened?"."""
    text = question.rstrip(" ?.!")
    if time is not None:
        text = (text[: time.start] + text[time.end :]).strip()
    match = _TOPIC_CUES.search(text)
    topic = (match.group("topic") or match.group("topic2")) if match else ""
    topic = topic.strip(" ,")
    return "" if _STOP_TOPIC.match(topic) else topic
