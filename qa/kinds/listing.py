"""Lists ("Which countries…?", "Who was involved?", "What measures…?"): items gathered from several
sentences and articles, each cited at its own span.

Where the listed noun names a kind of entity (countries, people, organisations…), the items are
the named entities of that kind in the best evidence sentences; otherwise the reader's answer span
is split at its commas and "and"s, each piece an item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from index.bm25 import tokenize
from index.stores import Store
from qa.abstention import DEFAULT_POLICY, AbstentionPolicy
from qa.cite import cite, quote
from qa.kinds import entities as ner
from qa.llm import ChatLLM
from qa.snap import Region, Span, snap
from qa.types import Answer, AnswerPart, Citation, Evidence

# Stems of listed nouns, and the entity labels that answer them.
_LABELS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("countri", "nation", "state", "govern"), ("GPE",)),
    **dict.fromkeys(("citi", "town", "place", "locat", "region", "area", "provinc", "villag"), ("GPE", "LOC", "FAC")),
    **dict.fromkeys(
        (
            "peopl",
            "person",
            "offici",
            "leader",
            "men",
            "women",
            "victim",
            "suspect",
            "player",
            "politician",
            "member",
            "individu",
            "lawmak",
            "senat",
            "minist",
            "candid",
            "who",
        ),
        ("PERSON",),
    ),
    **dict.fromkeys(
        tuple("organ organis organiz compani agenc team firm bank institut allianc parti group".split()),
        ("ORG", "NORP"),
    ),
    **dict.fromkeys(("nationalit", "ethnic"), ("NORP",)),
}
# "nationalities" stems to "nation", as "nations" does: the word itself tells them apart.
_NATIONALITIES = re.compile(r"^nationalit", re.I)
MAX_ITEMS = 20  # a sentence that names 12 states is answered with all 12
EVIDENCE_SENTENCES = 6
_SPLIT = re.compile(r",\s+(?:and\s+|or\s+)?|\s+and\s+|;\s+")


def labels_for(head: str) -> tuple[str, ...]:
    """The entity labels that list ``head`` ("countries" -> GPE); empty when none do."""
    if _NATIONALITIES.match(head):
        return _LABELS["nationalit"]
    stems = tokenize(head) or [head.lower()]
    return _LABELS.get(stems[0], ())


def _also_listed(question: str, head: str) -> list[str]:
    """The nouns listed beside ``head`` ("officials" in "Which organisations and officials…?")."""
    if not head or head == "who":
        return []
    return re.findall(rf"\b{re.escape(head)}\s+(?:and|or)\s+([a-z-]+)", question, re.I)


def answer_list(
    store: Store,
    question: str,
    head: str,
    evidence: Sequence[Evidence],
    read_span: Callable[[], Answer],
    *,
    policy: AbstentionPolicy = DEFAULT_POLICY,
    chat_model: ChatLLM | None = None,
) -> Answer:
    """The items that answer ``question``, each cited, or an abstention.

    Where ``head`` names no kind of entity, ``chat_model`` (the reader's LLM) lists the items, one
    per line, each kept only where it snaps onto an evidence sentence; with fewer than two,
    ``read_span`` answers the question as a factoid and its span is split into items.
    """
    labels = labels_for(head) + tuple(label for noun in _also_listed(question, head) for label in labels_for(noun))
    considered = tuple(quote(e) for e in evidence[: policy.considered_shown])
    fitting = [e for e in evidence[:EVIDENCE_SENTENCES] if e.relevance >= policy.min_relevance]
    score = max((e.relevance for e in evidence[:EVIDENCE_SENTENCES]), default=0.0)
    if labels:
        countries = tokenize(head)[:1] in (["countri"], ["nation"]) and not _NATIONALITIES.match(head)
        parts = _entity_items(store, question, labels, fitting, countries)
        if not parts:
            reason = f"no {head} are named in the passages that speak of the question"
            return Answer(question=question, text=None, score=0.0, reason=reason, considered=considered, kind="list")
    elif (listed := _listed_items(store, question, fitting, chat_model)) and len(listed) >= 2:
        parts = listed
    else:
        found = read_span()
        if found.abstained:
            return Answer(
                question=question,
                text=None,
                score=found.score,
                reason=found.reason,
                considered=found.considered,
                signals=found.signals,
                kind="list",
            )
        parts = _split_items(store, found.citations[0])
        score = found.score
    return Answer(
        question=question,
        text=_joined([p.text for p in parts]),
        score=max(0.0, min(1.0, score)),
        citations=tuple(p.citations[0] for p in parts),
        kind="list",
        parts=tuple(parts),
    )


def _entity_items(
    store: Store, question: str, labels: tuple[str, ...], evidence: Sequence[Evidence], countries: bool = False
) -> list[AnswerPart]:
    asked = question.lower()
    parts: list[AnswerPart] = []
    seen: set[str] = set()
    relabelled: dict[str, dict[str, str]] = {}
    for item in evidence:
        article = item.article
        if article.id not in relabelled:
            relabelled[article.id] = ner.article_labels(article, list(store.sentences[article.id]))
        for entity in ner.entities(article, item.sentence):
            key = ner.normal(entity.text)
            label = relabelled[article.id].get(key, entity.label)
            if label not in labels or key in asked or any(_same(key, s) for s in seen):
                continue
            if countries and not ner.is_country(entity.text):
                continue  # "Which countries?" is not answered by a city or a mis-tagged name
            seen.add(key)
            span = Span(article_id=article.id, start=entity.start, end=entity.end, similarity=1.0)
            citation = cite(article, store.sentences[article.id], span)
            parts.append(AnswerPart(text=entity.text, citations=(citation,)))
            if len(parts) == MAX_ITEMS:
                return parts
    return parts


LIST_SYSTEM = (
    "You list what news passages say. Write each item that answers the question on its own line, "
    "copied word for word from the passages; no numbering, no other words. If the passages name "
    "none, reply NONE."
)
_LIST_EXAMPLE = (
    "The council cut the library budget and froze hiring. It also sold the old depot. "
    "Mayor Ellen Park said more savings would follow."
)
LIST_FEW_SHOT = (
    (
        f"Passages:\n{_LIST_EXAMPLE}\n\nQuestion: What measures did the council take?",
        "cut the library budget\nfroze hiring\nsold the old depot",
    ),
    (f"Passages:\n{_LIST_EXAMPLE}\n\nQuestion: Which schools were closed?", "NONE"),
)  # fmt: skip


def _listed_items(store: Store, question: str, chosen: Sequence[Evidence], model: ChatLLM | None) -> list[AnswerPart]:
    """The items the LLM lists from the chosen evidence sentences, each snapped onto one of them."""
    if model is None or not chosen:
        return []
    in_order = sorted(chosen, key=lambda e: (e.article.id, e.sentence.start))
    passages = " ".join(e.text for e in in_order)
    reply = model.chat(
        LIST_SYSTEM, LIST_FEW_SHOT, f"Passages:\n{passages}\n\nQuestion: {question}", max_tokens=80, stop=("\n\n",)
    )
    regions = [
        Region(article_id=e.article.id, text=e.article.text, start=e.sentence.start, end=e.sentence.end) for e in chosen
    ]
    parts: list[AnswerPart] = []
    seen: set[tuple[str, int, int]] = set()
    for line in reply.text.splitlines():
        item = line.strip(" -•*\t").strip()
        if not item or item.upper().startswith("NONE") or len(parts) == MAX_ITEMS:
            continue
        span = snap(item, regions)
        if span is None or span.similarity < 0.95 or (span.article_id, span.start, span.end) in seen:
            continue  # an item not in the articles, word for word, is not shown
        seen.add((span.article_id, span.start, span.end))
        article = store.articles[span.article_id]
        citation = cite(article, store.sentences[article.id], span)
        parts.append(AnswerPart(text=article.text[span.start : span.end], citations=(citation,)))
    return parts


def _same(a: str, b: str) -> bool:
    """Whether two names are one: equal, or one a word of the other ("Radoičić", "Milan Radoičić")."""
    return a == b or a in b.split() or b in a.split()


def _split_items(store: Store, citation: Citation) -> list[AnswerPart]:
    """The reader's span cut at commas and "and"s, each piece cited at its own offsets."""
    assert citation.answer_start is not None and citation.answer_end is not None
    article = store.articles[citation.article_id]
    text = article.text
    pieces, position = [], citation.answer_start
    for match in _SPLIT.finditer(text, citation.answer_start, citation.answer_end):
        pieces.append((position, match.start()))
        position = match.end()
    pieces.append((position, citation.answer_end))
    parts = []
    for start, end in pieces:
        if end > start:
            span = Span(article_id=article.id, start=start, end=end, similarity=1.0)
            piece = cite(article, store.sentences[article.id], span)
            parts.append(AnswerPart(text=text[start:end], citations=(piece,)))
    return parts


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
