"""The one-call API: ``answer()``, over pipelines shared per index, reader, repack choice and LLM server."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from index.stores.milvus_schema import MilvusLocation, parse_location
from qa.pipeline import Pipeline
from qa.questions import validate_location, validate_question, validate_top_k
from qa.readers import DEFAULT_READER, Reader
from qa.retrieve import DEFAULT_TOP_K
from qa.seeds import ensure_default_index
from qa.types import Answer, ArticleFilter

_pipelines: dict[tuple[str, str, bool | None, str | None, str | None, str, str], Pipeline] = {}
_pipelines_lock = threading.Lock()


def get_pipeline(
    index_dir: str | os.PathLike[str] | None = None,
    reader: str | Reader = DEFAULT_READER,
    *,
    repack: bool | None = None,
    llm: str | None = None,
    llm_model: str | None = None,
    llm_api: str = "auto",
    store: str | MilvusLocation | None = None,
) -> Pipeline:
    """A shared pipeline per (index folder or store, reader, repack choice, LLM server); the default
    index is built when needed. ``store`` names a Milvus store instead of an index folder
    (``"milvus:./archive.db"``, ``"http://host:19530"``; see :class:`Pipeline`).

    ``repack=True`` suits a process that answers many questions from one model load (the chat
    server, an evaluation); see :func:`qa.llm.repacks`. ``llm``, ``llm_model`` and ``llm_api``
    name an OpenAI-compatible server to use instead of the in-process LLM (see :class:`Pipeline`).
    """
    directory = Path(index_dir).expanduser().resolve() if index_dir is not None else None
    key_reader = reader if isinstance(reader, str) else f"{type(reader).__name__}@{id(reader)}"
    if store is not None and index_dir is not None:
        raise ValueError(f"give index_dir or store, not both (got {index_dir!r} and {store!r})")
    location = parse_location(store) if store is not None else None
    with _pipelines_lock:
        if directory is None and location is None:
            directory = ensure_default_index().resolve()
        key = (str(directory), key_reader, repack, llm, llm_model, llm_api, str(hash(location)))  # hash: no token shown
        if key not in _pipelines:
            _pipelines[key] = Pipeline(
                directory, reader=reader, repack=repack, llm=llm, llm_model=llm_model, llm_api=llm_api, store=location
            )
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
    llm: str | None = None,
    llm_model: str | None = None,
    llm_api: str = "auto",
    store: str | MilvusLocation | None = None,
    today: date | None = None,
) -> Answer:
    """Answer a question from indexed articles, citing the exact spans that support it.

    The answer takes the shape the question asks for (``Answer.kind``): a short span, "Yes"/"No"
    with the clause that settles it, an explanation, a summary or a list, each part cited.

    Args:
        question: A question in plain language, at most 2,000 characters.
        index_dir: Index folder; None uses the index of ``seeds/``, built when missing or stale.
        top_k: Passages retrieved and read.
        reader: ``"llm"`` (default), ``"llm-fast"``, ``"sentence"``, ``"extractive:<model>"``, or
            a :class:`~qa.readers.Reader`.
        where: Only answer from the articles this :class:`ArticleFilter` allows.
        history: Earlier (question, answer) turns; a follow-up is rewritten into a standalone question.
        llm: An OpenAI-compatible LLM server's API root (``"http://127.0.0.1:8080/v1"``) to read
            and rewrite with, instead of the in-process model.
        llm_model: The model's name on that server (None: its only model).
        llm_api: How to talk to it: ``"auto"``, ``"completions"`` or ``"chat"`` (see
            :class:`qa.llm.ServerChatModel`).
        store: A Milvus store to answer from instead of an index folder: ``"milvus:./archive.db"``
            (Milvus Lite) or ``"http://host:19530"`` (token from ``$CITEQA_MILVUS_TOKEN``).
        today: What "now" is for time words ("the latest", "last week"); None: the newest
            indexed article's date.

    Returns:
        An :class:`Answer`; ``answer.text is None`` when the articles do not say.

    Raises:
        InvalidQuestionError: The question is empty or too long.
        IndexNotFoundError: ``index_dir`` holds no index.
        LLMServerError: The LLM server is down, times out, or has no model ``llm_model``.

    Example:
        >>> from qa import answer
        >>> a = answer("Who led the armed group?")  # doctest: +SKIP
        >>> a.text, a.citations[0].quote  # doctest: +SKIP
        ('Milan Radoičić', 'The armed group was led by Milan Radoičić, the deputy leader of ...')
        >>> answer("What party is he the deputy leader of?", history=[(a.question, a.text)]).text  # doctest: +SKIP
        'Serb List'
    """
    question = validate_question(question)
    validate_top_k(top_k)
    validate_location(index_dir, reader)
    pipeline = get_pipeline(index_dir, reader, llm=llm, llm_model=llm_model, llm_api=llm_api, store=store)
    if today is not None and not isinstance(today, date):
        raise TypeError(f"today must be a datetime.date, got {type(today).__name__}: {today!r}")
    return pipeline.answer(question, top_k=top_k, where=where, history=history, today=today)
