"""Which shape of answer a question asks for, read by rules from its first words.

Rules are instant and cover the forms news readers use ("Was anyone killed?", "Why did Serbia pull
back?", "What happened?", "Which countries were involved?"); a question no rule claims is a factoid,
the shape that was always asked for before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    if match:
        noun = match.group("noun") or match.group("noun2") or match.group("noun3")
        if noun is None:
            return "list", "who" if text.lower().startswith("who") else ""
        if plural(noun):
            return "list", noun.lower()
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
