"""Question answering: retrieve, select evidence, read, cite."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from index.build import ProgressCallback as BuildProgress
from index.build import build_index
from index.chunk import is_heading, paragraph_bounds
from index.embed import Embedder, make_embedder
from index.errors import IndexMismatchError, IndexNotFoundError
from index.library import AddReport, add_files
from index.store import CorpusIndex, current_generation, load_index
from index.types import Article
from qa.conversation import REWRITER_CONTEXT, needs_context, rewrite_question
from qa.errors import InvalidQuestionError
from qa.llm import DEFAULT_LLM, ChatModel, cache_dir
from qa.readers import Reader, Reading, make_reader
from qa.retrieve import DEFAULT_TOP_K, HybridRetriever
from qa.support import SupportModel
from qa.types import Answer, ArticleFilter, Citation, Evidence, Hit

MAX_QUESTION_CHARS = 2000
DEFAULT_READER = "llm"
# Below this cosine between the question and its best evidence sentence, the articles are taken
# not to speak to the question at all and no reader is asked.
MIN_RELEVANCE = 0.25
# Evidence sentences are ordered by cosine + SENTENCE_LEXICAL_WEIGHT x (share of the question's
# rare words present) + PASSAGE_SCORE_WEIGHT x (their passage's retrieval score less the best
# passage's) - PASSAGE_RANK_PENALTY x (their passage's rank) - HEADING_PENALTY for a heading line.
# On 1,000 SQuAD questions the score term (0.7 overlap, 1.5 score, no rank penalty) put the answer
# in the first 3 sentences more often and raised open F1 by 1.6 (docs/quality.md, sixth round),
# but on the seed article the reader then completed a name from another sentence and a right
# answer was withheld, so the default keeps the fifth round's overlap and rank terms.
SENTENCE_LEXICAL_WEIGHT = 0.3
PASSAGE_SCORE_WEIGHT = 0.0
PASSAGE_RANK_PENALTY = 0.05
# A heading shares the question's words and ranked high, filling about a third of the first 3
# places, but it names a topic rather than stating a fact. Below the body sentences, the first 3
# hold the answer for 0.882/0.873/0.875 of 1,000 questions (seeds 13, 7, 21), against
# 0.860/0.859/0.862 with headings in place.
HEADING_PENALTY = 1.0
# Below this reader confidence the answer is withheld.
MIN_CONFIDENCE = 0.3
# Passages shown with an abstention, so a person can judge for themselves.
CONSIDERED_SHOWN = 3
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

ProgressCallback = Callable[[str, str], None]
"""Called as ``progress(stage, detail)`` while a question is answered. Stages, in order:
``"rewriting"`` (a follow-up is being made standalone), ``"searching"``, ``"reading"``, then
``"answer"`` any number of times with the answer text produced so far."""


def default_index_dir() -> Path:
    """Where the index of ``seeds/`` lives: ``$CITEQA_INDEX_DIR`` or ``<cache>/index/seeds``."""
    return Path(os.environ.get("CITEQA_INDEX_DIR") or cache_dir() / "index" / "seeds")


def ensure_default_index() -> Path:
    """Build or update the index of ``seeds/`` when it is missing or stale; return its folder."""
    directory = default_index_dir()
    try:
        build_index([SEEDS_DIR], directory)
    except IndexMismatchError:
        # Built by an older citeqa with another embedding model: this index is only a cache of seeds/.
        build_index([SEEDS_DIR], directory, rebuild=True)
    return directory


def validate_question(question: object) -> str:
    """The question stripped, or :class:`InvalidQuestionError` saying what is wrong with it."""
    if not isinstance(question, str):
        raise InvalidQuestionError(f"question must be a string, got {type(question).__name__}")
    stripped = question.strip()
    if not stripped:
        raise InvalidQuestionError("question is empty: ask something about the articles")
    if len(stripped) > MAX_QUESTION_CHARS:
        raise InvalidQuestionError(
            f"question is {len(stripped):,} characters long; the limit is {MAX_QUESTION_CHARS:,}"
        )
    return stripped


class Pipeline:
    """An index, a retriever and a reader, answering questions with citations.

    The index is reloaded when another process publishes a new generation of it, so articles
    added with ``citeqa index`` become answerable without a restart.

    Args:
        index_dir: Index folder.
        reader: A :class:`~qa.readers.Reader` or a reader name (see :func:`qa.readers.make_reader`).
        min_relevance: Abstain without reading when no evidence sentence is this close (cosine).
        min_confidence: Abstain when the reader's confidence is below this. Readers that come with
            a :class:`~qa.support.SupportModel` (the LLM readers) are also checked against it.
        embedder: The embedding model; by default the one named in the index manifest. One with
            another name is refused, since its vectors would not match the index.
    """

    def __init__(
        self,
        index_dir: str | os.PathLike[str],
        *,
        reader: str | Reader = DEFAULT_READER,
        min_relevance: float = MIN_RELEVANCE,
        min_confidence: float = MIN_CONFIDENCE,
        embedder: Embedder | None = None,
    ):
        self.index_dir = Path(index_dir).expanduser().resolve()
        if not self.index_dir.is_dir():
            raise IndexNotFoundError(f"no index at {self.index_dir}: the folder does not exist")
        self.reader = make_reader(reader)
        self.min_relevance = min_relevance
        self.min_confidence = min_confidence
        self._lock = threading.Lock()
        self._embedder = embedder
        self._retriever: HybridRetriever | None = None
        self._chat_model: ChatModel | None = None

    @property
    def index(self) -> CorpusIndex:
        return self.retriever.index

    @property
    def retriever(self) -> HybridRetriever:
        with self._lock:
            live = current_generation(self.index_dir)
            if self._retriever is None or live != self._retriever.index.generation:
                index = load_index(self.index_dir)
                embedder = self._embedder or make_embedder(index.manifest.embedding_model)
                if embedder.name != index.manifest.embedding_model:
                    raise IndexMismatchError(
                        f"index at {self.index_dir} was built with {index.manifest.embedding_model!r}, "
                        f"not {embedder.name!r}"
                    )
                self._retriever = HybridRetriever(index, embedder)
            return self._retriever

    def article(self, article_id: str) -> Article:
        """The indexed article with this id.

        Raises:
            KeyError: No such article in the index.
        """
        return self.index.articles[article_id]

    def paragraph(self, citation: Citation) -> tuple[int, int]:
        """Offsets ``(start, end)`` of the paragraph around a citation, half-open."""
        article = self.article(citation.article_id)
        return paragraph_bounds(article.text, citation.start, citation.end, article.body_start)

    def retrieve(self, question: str, top_k: int = DEFAULT_TOP_K) -> list[Hit]:
        """The best chunks for ``question``."""
        return self.retriever.search(validate_question(question), top_k)

    def evidence(self, question: str, question_vector: np.ndarray, hits: Sequence[Hit]) -> list[Evidence]:
        """Every sentence of the hits, best evidence first."""
        return _rank_sentences(self.retriever, question, question_vector, hits)

    def answer(
        self,
        question: str,
        *,
        top_k: int = DEFAULT_TOP_K,
        where: ArticleFilter | None = None,
        history: Sequence[tuple[str, str | None]] = (),
        progress: ProgressCallback | None = None,
    ) -> Answer:
        """Answer ``question`` from the index, or abstain.

        Args:
            question: The question.
            top_k: Passages retrieved and read.
            where: Only answer from the articles this filter allows.
            history: Earlier (question, answer text or None) turns of the conversation, oldest
                first. A follow-up that leans on them ("What party is he in?") is rewritten into a
                standalone question before retrieval; ``Answer.standalone_question`` shows it.
            progress: Told what is happening, and the answer text as it is produced.

        Raises:
            InvalidQuestionError: Empty, whitespace or over :data:`MAX_QUESTION_CHARS` characters.
            ValueError: ``top_k`` is not positive.
        """
        question = validate_question(question)
        if top_k <= 0:
            raise ValueError(f"top_k must be greater than 0, got {top_k}")
        standalone = None
        if history and needs_context(question):
            if progress:
                progress("rewriting", question)
            rewritten = rewrite_question(self.chat_model, question, history)
            standalone = rewritten if rewritten != question else None
        searched = standalone or question
        if progress:
            progress("searching", searched)
        retriever = self.retriever
        allowed = None
        if where is not None and where.active:
            allowed = self._allowed_rows(retriever.index, where)
            if not allowed:
                return Answer(question, None, 0.0, (), "no indexed article matches the filter", (), standalone)
        vector = retriever.embed_query(searched)
        hits = retriever.search(searched, top_k, query_vector=vector, allowed=allowed)
        result = self._read(retriever, searched, hits, vector, progress)
        return replace(result, question=question, standalone_question=standalone)

    @property
    def support(self) -> SupportModel | None:
        """The reader's support check, if it has one."""
        return getattr(self.reader, "support", None)

    def warm_in_background(self) -> None:
        """Start loading the reader's model on a thread, so it loads while the index does.

        Any failure is left for the first question to report, where it is raised as usual.
        """
        warm = getattr(self.reader, "warm", None)
        if warm is None:
            return

        def run() -> None:
            with contextlib.suppress(Exception):  # the first answer() raises it, with its own message
                warm()

        threading.Thread(target=run, name="citeqa-warm", daemon=True).start()

    @property
    def chat_model(self) -> ChatModel:
        """The LLM that rewrites follow-ups: the reader's model when it has one, in a context of its own."""
        if self._chat_model is None:
            reader_model = getattr(self.reader, "chat_model", None)
            model = reader_model.model if isinstance(reader_model, ChatModel) else DEFAULT_LLM
            self._chat_model = ChatModel(model, n_ctx=REWRITER_CONTEXT)
        return self._chat_model

    @staticmethod
    def _allowed_rows(index: CorpusIndex, where: ArticleFilter) -> list[int]:
        ok = {a.id for a in index.articles.values() if where.allows(a.id, a.published)}
        return [row for row, chunk in enumerate(index.chunks) if chunk.article_id in ok]

    def read(self, question: str, hits: Sequence[Hit], *, query_vector: np.ndarray | None = None) -> Answer:
        """Answer ``question`` from the given passages only (no retrieval), or abstain."""
        retriever = self.retriever
        vector = retriever.embed_query(question) if query_vector is None else query_vector
        return self._read(retriever, question, hits, vector)

    def _read(
        self,
        retriever: HybridRetriever,
        question: str,
        hits: Sequence[Hit],
        vector: np.ndarray,
        progress: ProgressCallback | None = None,
    ) -> Answer:
        # One retriever (one index generation) for the whole question, even if a new one goes live meanwhile.
        index = retriever.index
        evidence = _rank_sentences(retriever, question, vector, hits)
        considered = tuple(_quote(index, e) for e in evidence[:CONSIDERED_SHOWN])
        best = max((e.relevance for e in evidence), default=0.0)
        if best < self.min_relevance:
            return Answer(
                question,
                None,
                max(0.0, best),
                (),
                "no passage in the articles is close enough to the question",
                considered,
            )
        if progress:
            progress("reading", f"{len(hits)} passages")
            reading = self.reader.read(question, evidence, hits, index, on_text=lambda t: progress("answer", t))
        else:
            reading = self.reader.read(question, evidence, hits, index)
        if reading.span is None:
            return Answer(question, None, reading.confidence, (), reading.reason, considered)
        citation = cite(index, reading)
        signals = _signals(retriever, question, vector, reading, citation, evidence, best)
        support = self.support
        score = support.support(signals) if support is not None else reading.confidence
        if reading.confidence < self.min_confidence:
            why = f"the best candidate was too uncertain ({reading.confidence:.2f})"
            return Answer(question, None, score, (), why, considered, signals=signals)
        if support is not None and score < support.threshold:
            why = f"the closest passage does not appear to answer the question (support {score:.2f})"
            return Answer(question, None, score, (), why, considered, signals=signals)
        return Answer(question, _answer_text(index, reading), score, (citation,), signals=signals)

    def articles(self) -> list[Article]:
        """Every indexed article, newest first (undated last), then by title."""
        return sorted(
            self.index.articles.values(),
            key=lambda a: (a.published is None, -(a.published.toordinal() if a.published else 0), a.title),
        )

    def add_files(
        self,
        files: Sequence[str | os.PathLike[str]],
        *,
        progress: BuildProgress | None = None,
    ) -> AddReport:
        """Add uploaded ``.txt``/``.md`` files to this index (see :func:`index.library.add_files`)."""
        retriever = self.retriever
        embedder = self._embedder or retriever.embedder
        return add_files(files, self.index_dir, embedder=embedder, progress=progress, existing=retriever.index.articles)


def _quote(index: CorpusIndex, item: Evidence) -> Citation:
    s = item.sentence
    article = index.articles[s.article_id]
    return Citation(article.id, article.title, article.published, s.start, s.end, article.text[s.start : s.end])


def _rank_sentences(
    retriever: HybridRetriever, question: str, question_vector: np.ndarray, hits: Sequence[Hit]
) -> list[Evidence]:
    """Every sentence of ``hits``, best evidence first (see :attr:`Evidence.score`)."""
    index = retriever.index
    rank: dict[tuple[str, int], int] = {}
    sentences = []
    for position, hit in enumerate(hits):
        chunk = hit.chunk
        for s in index.sentences[chunk.article_id][chunk.first_sentence : chunk.last_sentence]:
            if (s.article_id, s.index) not in rank:
                rank[s.article_id, s.index] = position
                sentences.append(s)
    if not sentences:
        return []
    best_hit = max(hit.score for hit in hits)
    texts = [index.articles[s.article_id].text[s.start : s.end] for s in sentences]
    stored = np.vstack([index.vectors_of_sentences(s.article_id, s.index, s.index + 1) for s in sentences])
    relevance = stored @ question_vector
    lexical = index.bm25.overlap(question, texts)
    positions = np.asarray([rank[s.article_id, s.index] for s in sentences], dtype=np.float32)
    behind = np.asarray([hits[rank[s.article_id, s.index]].score - best_hit for s in sentences], dtype=np.float32)
    headings = np.asarray([is_heading(index.articles[s.article_id].text, s) for s in sentences], dtype=np.float32)
    scores = (
        relevance
        + SENTENCE_LEXICAL_WEIGHT * lexical
        + PASSAGE_SCORE_WEIGHT * behind
        - PASSAGE_RANK_PENALTY * positions
        - HEADING_PENALTY * headings
    )
    order = np.argsort(-scores, kind="stable")
    return [Evidence(sentences[i], float(relevance[i]), float(scores[i])) for i in order]


def _signals(
    retriever: HybridRetriever,
    question: str,
    vector: np.ndarray,
    reading: Reading,
    citation: Citation,
    evidence: Sequence[Evidence],
    best_cosine: float,
) -> dict[str, float]:
    """The inputs of the support score (see :mod:`qa.support`)."""
    span = reading.span
    assert span is not None
    quoted = [
        e.relevance
        for e in evidence
        if e.sentence.article_id == span.article_id
        and e.sentence.start == citation.start
        and e.sentence.end == citation.end
    ]
    quote_cosine = quoted[0] if quoted else float(retriever.embedder.embed([citation.quote])[0] @ vector)
    return {
        "reader": float(reading.confidence),
        "quote_cosine": float(quote_cosine),
        "quote_overlap": float(retriever.index.bm25.overlap(question, [citation.quote])[0]),
        "best_cosine": best_cosine,
    }


def _answer_text(index: CorpusIndex, reading: Reading) -> str:
    span = reading.span
    assert span is not None
    return index.articles[span.article_id].text[span.start : span.end]


def cite(index: CorpusIndex, reading: Reading) -> Citation:
    """The citation for a reading: the whole sentence(s) that hold its span."""
    span = reading.span
    assert span is not None
    article = index.articles[span.article_id]
    inside = [s for s in index.sentences[article.id] if s.start < span.end and span.start < s.end]
    start = min([span.start, *(s.start for s in inside)])
    end = max([span.end, *(s.end for s in inside)])
    return Citation(
        article.id, article.title, article.published, start, end, article.text[start:end], span.start, span.end
    )


_pipelines: dict[tuple[str, str], Pipeline] = {}
_pipelines_lock = threading.Lock()


def get_pipeline(index_dir: str | os.PathLike[str] | None = None, reader: str | Reader = DEFAULT_READER) -> Pipeline:
    """A shared pipeline per (index folder, reader name); the default index is built when needed."""
    directory = Path(index_dir).expanduser().resolve() if index_dir is not None else None
    key_reader = reader if isinstance(reader, str) else f"{type(reader).__name__}@{id(reader)}"
    with _pipelines_lock:
        if directory is None:
            directory = ensure_default_index().resolve()
        key = (str(directory), key_reader)
        if key not in _pipelines:
            _pipelines[key] = Pipeline(directory, reader=reader)
            _pipelines[key].warm_in_background()
        return _pipelines[key]


def answer(
    question: str,
    *,
    index_dir: str | os.PathLike[str] | None = None,
    top_k: int = DEFAULT_TOP_K,
    reader: str | Reader = DEFAULT_READER,
    where: ArticleFilter | None = None,
    history: Sequence[tuple[str, str | None]] = (),
) -> Answer:
    """Answer a question from indexed articles, citing the exact spans that support it.

    Args:
        question: A question in plain language, at most 2,000 characters.
        index_dir: Index folder; None uses the index of ``seeds/``, built when missing or stale.
        top_k: Passages retrieved and read.
        reader: ``"llm"`` (default), ``"llm-fast"``, ``"sentence"``, ``"extractive:<model>"``, or
            a :class:`~qa.readers.Reader`.
        where: Only answer from the articles this :class:`ArticleFilter` allows.
        history: Earlier (question, answer) turns; a follow-up is rewritten into a standalone question.

    Returns:
        An :class:`Answer`; ``answer.text is None`` when the articles do not say.

    Raises:
        InvalidQuestionError: The question is empty or too long.
        IndexNotFoundError: ``index_dir`` holds no index.

    Example:
        >>> from qa import answer
        >>> a = answer("Who led the armed group?")  # doctest: +SKIP
        >>> a.text, a.citations[0].quote  # doctest: +SKIP
        ('Milan Radoičić', 'The armed group was led by Milan Radoičić, the deputy leader of ...')
        >>> answer("What party is he the deputy leader of?", history=[(a.question, a.text)]).text  # doctest: +SKIP
        'Serb List'
    """
    question = validate_question(question)
    if top_k <= 0:
        raise ValueError(f"top_k must be greater than 0, got {top_k}")
    return get_pipeline(index_dir, reader).answer(question, top_k=top_k, where=where, history=history)
