"""FAQ suggestions: questions a reader of an article would ask, answered with citations.

The local LLM proposes questions passage by passage; each is then asked of citeqa itself, over
the whole index, and kept only when the answer cites the article it came from. The result is
stored in the index folder (``faq.sqlite``), keyed by the article's content hash and the model,
so it is computed once per article version.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.chunk import chunk_sentences
from index.types import Article
from qa.errors import CiteqaError
from qa.llm import ChatLLM
from qa.types import Answer, ArticleFilter

if TYPE_CHECKING:
    from qa.pipeline import Pipeline

FAQ_FILE = "faq.sqlite"
MAX_ITEMS = 10
# What a news FAQ box asks of every story, in the order it asks: what happened, who, where, the
# toll. Each is kept only when the article answers it (a "Was anyone killed?" on a budget story
# is abstained on, and dropped). The LLM's own questions (who, why, how many) follow.
NEWS_QUESTIONS = (
    "What happened?",
    "Who is involved?",
    "Which countries are involved?",
    "Was anyone killed?",
    "Was anyone injured?",
)
QUESTIONS_PER_PASSAGE = 3
MAX_PASSAGES = 6
PASSAGE_CHARS = 900
# Corpora up to this many articles get their FAQs at index time; larger ones on first request.
PRECOMPUTE_MAX_ARTICLES = 25

SYSTEM = (
    "You write FAQ questions for a news article. Given a passage, write questions that a reader "
    "would ask and that the passage answers with a short phrase: a name, a number, a place, a date "
    "or a reason. Each question must make sense on its own: name the people and things, never write "
    "he, she, it, they or 'the passage'. Ask about different facts, and start with Who, Why, When, "
    "Where, How many or What. One question per line, no numbering, no answers."
)
_EXAMPLE = (
    "The city council of Dunmore voted on Tuesday to close two libraries after a budget shortfall of "
    "$4 million. Mayor Ellen Park said the decision was painful but necessary. The Elm Street library "
    "will become a youth centre run by the Hartley Trust."
)
FEW_SHOT: tuple[tuple[str, str], ...] = (
    (
        f"Passage:\n{_EXAMPLE}\n\nWrite 3 questions.",
        "Why did the Dunmore city council close two libraries?\n"
        "Who is the mayor of Dunmore?\n"
        "What will the Elm Street library become?",
    ),
)
# A kept question's answer must be at least this sure (stricter than the chat's abstention threshold).
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True, slots=True)
class FaqItem:
    """A suggested question and citeqa's cited answer to it."""

    question: str
    answer: Answer


_generating = threading.Lock()


class FaqError(CiteqaError):
    """The FAQ of an article cannot be made (no such article)."""


def _clean(line: str) -> str:
    line = re.sub(r"^\s*(?:[-*•]|\d+[.)]|Q\d*[:.])\s*", "", line).strip().strip('"').strip()
    return line


def propose_questions(model: ChatLLM, passage: str, count: int = QUESTIONS_PER_PASSAGE) -> list[str]:
    """Questions the LLM proposes for one passage (not yet checked)."""
    generation = model.chat(
        SYSTEM, FEW_SHOT, f"Passage:\n{passage}\n\nWrite {count} questions.", max_tokens=40 * count, stop=("\n\n",)
    )
    out = []
    for line in generation.text.splitlines():
        question = _clean(line)
        if question.endswith("?") and 3 <= len(question.split()) <= 30:
            out.append(question)
    return out[:count]


def _echoes(question: str, answer: str) -> bool:
    """True when every word of the answer is already in the question: it tells the reader nothing."""
    asked = set(re.findall(r"\w+", question.lower()))
    return set(re.findall(r"\w+", answer.lower())) <= asked


class FaqStore:
    """FAQs stored beside an index, by (article id, content hash, model)."""

    def __init__(self, index_dir: Path):
        self.path = index_dir / FAQ_FILE
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        db.execute(
            "CREATE TABLE IF NOT EXISTS faq (article_id TEXT, sha256 TEXT, model TEXT, items TEXT, "
            "PRIMARY KEY (article_id, sha256, model))"
        )
        return db

    def get(self, article_id: str, sha256: str, model: str) -> list[FaqItem] | None:
        with self._lock, self._connect() as db:
            row = db.execute(
                "SELECT items FROM faq WHERE article_id=? AND sha256=? AND model=?", (article_id, sha256, model)
            ).fetchone()
        if row is None:
            return None
        return [FaqItem(d["question"], Answer.from_dict(d["answer"])) for d in json.loads(row[0])]

    def put(self, article_id: str, sha256: str, model: str, items: Sequence[FaqItem]) -> None:
        data = json.dumps([{"question": i.question, "answer": i.answer.to_dict()} for i in items], ensure_ascii=False)
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM faq WHERE article_id=? AND model=?", (article_id, model))
            db.execute("INSERT INTO faq VALUES (?, ?, ?, ?)", (article_id, sha256, model, data))


def faq(
    pipeline: Pipeline,
    article_id: str,
    *,
    refresh: bool = False,
    min_confidence: float = MIN_CONFIDENCE,
) -> list[FaqItem]:
    """The FAQ of one article: generated questions that citeqa answers from that article.

    Computed on first request and stored with the index; later calls read it back. A question is
    kept when its answer cites this article with at least ``min_confidence`` and says more than
    the question already does.

    Raises:
        FaqError: No article with this id is indexed.
    """
    index = pipeline.store
    article = index.articles.get(article_id)
    if article is None:
        raise FaqError(f"no indexed article has the id {article_id!r}")
    model = pipeline.chat_model
    key = f"{model.model}|{pipeline.reader.name}"
    store = FaqStore(pipeline.index_dir)
    if not refresh:
        stored = store.get(article.id, article.sha256, key)
        if stored is not None:
            return stored
    with _generating:  # one generation at a time; a caller that waited may find it done
        if not refresh:
            stored = store.get(article.id, article.sha256, key)
            if stored is not None:
                return stored
        items = _generate(pipeline, article, model, min_confidence)
        store.put(article.id, article.sha256, key, items)
    return items


def _generate(
    pipeline: Pipeline,
    article: Article,
    model: ChatLLM,
    min_confidence: float,
) -> list[FaqItem]:
    index = pipeline.store
    chunks = chunk_sentences(
        article.text, list(index.sentences[article.id]), article_id=article.id, max_chars=PASSAGE_CHARS, overlap=0
    )[:MAX_PASSAGES]
    candidates: list[str] = list(NEWS_QUESTIONS)
    for chunk in chunks:
        candidates += propose_questions(model, chunk.text)
    items: list[FaqItem] = []
    seen_questions: set[str] = set()
    seen_spans: set[tuple[int, int]] = set()
    only_this = ArticleFilter(article_ids=frozenset({article.id}))
    for question in candidates:
        norm = " ".join(re.findall(r"\w+", question.lower()))
        if norm in seen_questions or len(items) >= MAX_ITEMS:
            continue
        seen_questions.add(norm)
        # A reader of the FAQ box is reading this story: its questions are asked of it alone.
        result = pipeline.answer(question, where=only_this)
        if not _holds_up(result, article, question, min_confidence):
            continue
        # Two questions with one answer span ask one thing; a summary's sentences may be asked after.
        spans = {(c.answer_start or 0, c.answer_end or 0) for c in result.citations}
        if spans & seen_spans:
            continue
        if result.kind != "summary":
            seen_spans |= spans
        items.append(FaqItem(question, result))
    return items


def _holds_up(result: Answer, article: Article, question: str, min_confidence: float) -> bool:
    """Whether an answer may stand in the FAQ: answered, cited from this article only, sure enough
    (factoids and explanations, whose score is the support check's), and telling more than the
    question; a list of one item is a factoid in disguise, and a "No" to a stock question is noise."""
    if result.abstained or any(c.article_id != article.id for c in result.citations):
        return False
    if result.kind in ("factoid", "explanation") and result.score < min_confidence:
        return False
    if result.kind == "list" and len(result.parts) < 2:
        return False
    if result.kind == "yes/no" and question in NEWS_QUESTIONS and not result.verdict:
        return False
    return not _echoes(question, result.text or "")


def faq_markdown(article: Article, items: Sequence[FaqItem]) -> str:
    """The article as Markdown with its FAQ section filled: under its "Frequently Asked Questions"
    heading when it has one, else in a new section at the end. Citations are numbered footnotes."""
    blocks, note = [], 1
    for item in items:
        blocks.append(f"### {_inert_line(item.question)}\n\n" + item.answer.to_markdown(first_note=note, heading=False))
        note += len(item.answer.citations)
    section = "\n".join(blocks) if blocks else "(No question held up: none was answered from this article.)\n"
    text = article.text[article.body_start :]
    heading = _FAQ_HEADING.search(text)
    if heading is None:
        return text.rstrip() + "\n\n## Frequently Asked Questions (FAQ)\n\n" + section
    return text[: heading.end()].rstrip() + "\n\n" + section + "\n" + text[heading.end() :].strip("\n")


_FAQ_HEADING = re.compile(r"^[#\s]*(?:Frequently Asked Questions(?: \(FAQs?\))?|FAQs?)\s*:?\s*$", re.I | re.M)


def _inert_line(text: str) -> str:
    """A question as inert Markdown (no raw HTML, links or images), as answers are."""
    return Answer(question=text, text=None, score=0.0).to_markdown().split("\n", 1)[0].removeprefix("**Q:** ")
