"""The answering pipeline: retrieve, rank evidence, read, cite, and decide whether to answer."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np

from index.build import ProgressCallback as BuildProgress
from index.chunk import paragraph_bounds
from index.embed import Embedder
from index.errors import IndexNotFoundError
from index.library import AddReport, add_files
from index.stores import DEFAULT_SEARCH, SearchSettings, Store
from index.stores.milvus import MilvusStore
from index.stores.milvus_build import build_milvus
from index.stores.milvus_schema import MilvusLocation, local_folder, parse_location
from index.types import Article
from qa.abstention import DEFAULT_POLICY, AbstentionPolicy
from qa.config import DEFAULT_EVIDENCE, EvidenceWeights
from qa.conversation import REWRITER_CONTEXT, needs_context, rewrite_question
from qa.evidence import rank_sentences
from qa.kinds import entities, predicate
from qa.kinds.detect import classify
from qa.kinds.factoid import answer_factoid
from qa.kinds.route import answer_kind
from qa.kinds.timing import date_filter, newest_articles, newest_hits_first, resolve_scope
from qa.kinds.yesno_reader import ReadYesNo
from qa.llm import DEFAULT_LLM, ChatLLM, ChatModel, ServerChatModel, repacks
from qa.questions import validate_question, validate_top_k
from qa.readers import DEFAULT_READER, Reader, make_reader
from qa.retrieve import DEFAULT_TOP_K, HybridRetriever
from qa.support import SupportModel
from qa.types import Answer, ArticleFilter, Citation, Evidence, Hit, ProgressCallback


class Pipeline:
    """An index, a retriever and a reader, answering questions with citations.

    The index is reloaded when another process publishes a new generation of it, so articles
    added with ``citeqa index`` become answerable without a restart.

    Args:
        index_dir: Index folder (None when ``store`` names a Milvus store).
        reader: A :class:`~qa.readers.Reader` or a reader name (see :func:`qa.readers.make_reader`).
        min_relevance: Shorthand for ``policy.min_relevance``.
        min_confidence: Shorthand for ``policy.min_confidence``.
        embedder: The embedding model; by default the one named in the index manifest. One with
            another name is refused, since its vectors would not match the index.
        evidence: How evidence sentences are ordered (see :class:`~qa.config.EvidenceWeights`).
        search: How passages are found and fused (see :class:`index.stores.SearchSettings`).
        policy: When to withhold an answer; a reader with a support model is also checked against it.
        repack: Prefer repacking LLM weights at load, for a process that answers many questions
            (see :func:`qa.llm.repacks`); None: each model's choice.
        llm: An OpenAI-compatible server's API root (``http://host:port/v1``), or a
            :class:`~qa.llm.ChatLLM`, to read, rewrite follow-ups and write FAQs with instead of
            the in-process model; None: in-process.
        llm_model: The model's name on that server (None: its only model).
        llm_api: ``"auto"``, ``"completions"`` or ``"chat"`` (see :class:`~qa.llm.ServerChatModel`).
        store: A Milvus store instead of the index folder: ``"milvus:./archive.db"`` (Milvus Lite),
            ``"http://host:19530"`` or a :class:`index.stores.milvus_schema.MilvusLocation`; its FAQs
            are kept in a folder beside it (see :func:`index.stores.milvus_schema.local_folder`).
        worded: Let the LLM shorten summary sentences, each shown only when proven against its
            cited sentence (see :mod:`qa.kinds.verify`); False: copied sentences.
        yes_no_llm: Let the LLM settle the yes/no questions the rules leave open, past these gates
            (``qa.kinds.yesno_reader.DEFAULT_READ``); None, the default: on unseen questions it
            added as many wrong verdicts as right ones (docs/question-kinds.md).
    """

    def __init__(
        self,
        index_dir: str | os.PathLike[str] | None = None,
        *,
        reader: str | Reader = DEFAULT_READER,
        min_relevance: float | None = None,
        min_confidence: float | None = None,
        embedder: Embedder | None = None,
        evidence: EvidenceWeights = DEFAULT_EVIDENCE,
        search: SearchSettings = DEFAULT_SEARCH,
        policy: AbstentionPolicy = DEFAULT_POLICY,
        repack: bool | None = None,
        llm: str | ChatLLM | None = None,
        llm_model: str | None = None,
        llm_api: str = "auto",
        store: str | MilvusLocation | None = None,
        worded: bool = False,
        yes_no_llm: ReadYesNo | None = None,
    ):
        self.location = parse_location(store) if store is not None else None
        if self.location is None and index_dir is None:
            raise TypeError("Pipeline needs an index_dir or a store")
        self.index_dir = (
            local_folder(self.location) if self.location is not None else Path(str(index_dir)).expanduser().resolve()
        )
        if self.location is None and not self.index_dir.is_dir():
            what = "is a file, not a folder" if self.index_dir.exists() else "the folder does not exist"
            raise IndexNotFoundError(f"no index at {self.index_dir}: {what}")
        self.llm: ChatLLM | None = ServerChatModel(llm, llm_model, api=llm_api) if isinstance(llm, str) else llm
        self.reader = make_reader(reader, repack=repack, chat_model=self.llm)
        if min_relevance is not None:
            policy = replace(policy, min_relevance=min_relevance)
        if min_confidence is not None:
            policy = replace(policy, min_confidence=min_confidence)
        self.policy = policy
        self.evidence_weights = evidence
        self.repack = repack
        self.worded, self.yes_no_llm = worded, yes_no_llm
        self._retrievers = _Reloader(self.index_dir, embedder, search, self.location)
        self._chat_model: ChatLLM | None = self.llm

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever over the live generation of the index (reloaded when it changes)."""
        return self._retrievers.current()

    @property
    def store(self) -> Store:
        return self.retriever.store

    @property
    def support(self) -> SupportModel | None:
        """The reader's support check, if it has one."""
        return self.reader.support

    def article(self, article_id: str) -> Article:
        """The indexed article with this id.

        Raises:
            KeyError: No such article in the index.
        """
        return self.store.articles[article_id]

    def articles(self) -> list[Article]:
        """Every indexed article, newest first (undated last), then by title."""
        return sorted(
            self.store.articles.values(),
            key=lambda a: (a.published is None, -(a.published.toordinal() if a.published else 0), a.title),
        )

    def paragraph(self, citation: Citation) -> tuple[int, int]:
        """Offsets ``(start, end)`` of the paragraph around a citation, half-open."""
        article = self.article(citation.article_id)
        return paragraph_bounds(article.text, citation.start, citation.end, article.body_start)

    def retrieve(self, question: str, top_k: int = DEFAULT_TOP_K) -> list[Hit]:
        """The best chunks for ``question``."""
        return self.retriever.search(validate_question(question), top_k)

    def evidence(self, question: str, question_vector: np.ndarray, hits: Sequence[Hit]) -> list[Evidence]:
        """Every sentence of the hits, best evidence first."""
        return rank_sentences(self.store, question, question_vector, hits, self.evidence_weights)

    def answer(
        self,
        question: str,
        *,
        top_k: int = DEFAULT_TOP_K,
        where: ArticleFilter | None = None,
        history: Sequence[tuple[str, str | None]] = (),
        progress: ProgressCallback | None = None,
        today: date | None = None,
    ) -> Answer:
        """Answer ``question`` from the index, or abstain, in the shape it asks for (see
        :data:`qa.types.KINDS`): a span, a yes/no verdict, an explanation, a summary or a list.

        Args:
            question: The question.
            top_k: Passages retrieved and read.
            where: Only answer from the articles this filter allows.
            history: Earlier (question, answer text or None) turns of the conversation, oldest
                first. A follow-up that leans on them ("What party is he in?") is rewritten into a
                standalone question before retrieval; ``Answer.standalone_question`` shows it.
            progress: Told what is happening, and the answer text as it is produced.
            today: What "now" is for time words ("the latest", "last week"); None: the newest
                indexed article's date.

        Raises:
            InvalidQuestionError: Empty, whitespace or over :data:`qa.MAX_QUESTION_CHARS` characters.
            ValueError: ``top_k`` is not positive.
        """
        question = validate_question(question)
        validate_top_k(top_k)
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
        store = retriever.store
        kind = classify(searched)
        scope = resolve_scope(kind.time, today, store)
        where, scope, unmatched = date_filter(store, where, scope, strict=kind.kind == "summary")
        if unmatched:
            return Answer(
                question=question, text=None, score=0.0, reason=unmatched, standalone_question=standalone,
                kind=kind.kind, time=scope,
            )  # fmt: skip
        vector = retriever.embed_query(searched)
        hits = retriever.search(searched, top_k, query_vector=vector, where=where)
        newest_first = scope is not None and scope.newest_first
        if newest_first:
            hits = newest_hits_first(store, hits)
        candidates = () if kind.topic else newest_articles(store, where, hits)
        result = answer_kind(
            store,
            retriever.embedder,
            self.reader,
            searched,
            kind,
            hits,
            vector,
            newest_first=newest_first,
            candidates=candidates,
            weights=self.evidence_weights,
            policy=self.policy,
            progress=progress,
            wording=self.chat_model if self.worded else None,
            yes_no_llm=self.yes_no_llm,
        )
        return replace(result, question=question, standalone_question=standalone, time=scope)

    def read(self, question: str, hits: Sequence[Hit], *, query_vector: np.ndarray | None = None) -> Answer:
        """Answer ``question`` as a factoid from the given passages only (no retrieval), or abstain."""
        retriever = self.retriever  # one index generation for the whole question
        vector = retriever.embed_query(question) if query_vector is None else query_vector
        return answer_factoid(
            retriever.store, retriever.embedder, self.reader, question, hits, vector,
            weights=self.evidence_weights, policy=self.policy,
        )  # fmt: skip

    def warm_in_background(self) -> None:
        """Load the reader's model on a thread while the index loads, then list answers' entity
        model and yes/no questions' parser; any failure is left for the first question to report, as usual."""

        def run() -> None:
            with contextlib.suppress(Exception):  # the first answer() raises it, with its own message
                self.reader.warm()
                entities.warm()
                predicate.warm()  # yes/no questions parse with spaCy's tagger and parser

        threading.Thread(target=run, name="citeqa-warm", daemon=True).start()

    @property
    def chat_model(self) -> ChatLLM:
        """The LLM that rewrites follow-ups and writes FAQs: the LLM server when there is one, else
        the reader's model when it has one, in a context of its own."""
        if self._chat_model is None:
            model = self.reader.llm or DEFAULT_LLM
            self._chat_model = ChatModel(model, n_ctx=REWRITER_CONTEXT, repack=repacks(model, prefer=self.repack))
        return self._chat_model

    def add_files(
        self,
        files: Sequence[str | os.PathLike[str]],
        *,
        progress: BuildProgress | None = None,
    ) -> AddReport:
        """Add uploaded ``.txt``/``.md`` files to this index (see :func:`index.library.add_files`)."""
        retriever, embedder = self.retriever, self.retriever.embedder
        # Uploads to a Milvus store go into it; the side folder only keeps the uploaded files.
        build = (
            partial(build_milvus, location=self.location, embedder=embedder, progress=progress)
            if self.location
            else None
        )
        return add_files(
            files, self.index_dir, embedder=embedder, progress=progress, existing=retriever.store.articles, build=build
        )


class _Reloader:
    """Keeps a retriever over the live generation of an index folder, loading a new one when it goes live."""

    def __init__(
        self, index_dir: Path, embedder: Embedder | None, search: SearchSettings, location: MilvusLocation | None = None
    ):
        self.index_dir = index_dir
        self.location = location
        self.embedder = embedder
        self.search = search
        self._lock = threading.Lock()
        self._retriever: HybridRetriever | None = None
        self._milvus: MilvusStore | None = None

    def current(self) -> HybridRetriever:
        from index.embed import make_embedder
        from index.errors import IndexMismatchError, StoreUnreachableError
        from index.stores import current_generation, load_index
        from index.stores.milvus import live_generation, open_milvus  # pymilvus is imported only when used

        with self._lock:
            if self.location is not None:
                try:
                    live = live_generation(self._milvus) if self._milvus else None
                except StoreUnreachableError:  # its server went away: connect afresh (it may be back)
                    self._milvus = self._retriever = None
                    live = None
            else:
                live = current_generation(self.index_dir)
            if self._retriever is None or live != self._retriever.store.generation:
                store: Store
                if self.location is not None:  # reopened on the same client: a Lite file takes one per process
                    client = self._milvus.client if self._milvus else None
                    store = self._milvus = open_milvus(self.location, client=client)
                else:
                    store = load_index(self.index_dir)
                embedder = self.embedder or make_embedder(store.embedding_model)
                if embedder.name != store.embedding_model:
                    raise IndexMismatchError(
                        f"index at {self.location or self.index_dir} was built with {store.embedding_model!r}, "
                        f"not {embedder.name!r}"
                    )
                self._retriever = HybridRetriever(store, embedder, settings=self.search)
            return self._retriever
