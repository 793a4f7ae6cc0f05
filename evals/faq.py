"""News-FAQ evaluation (``citeqa eval faq FILE``): questions of every kind, each asked in the FAQ-box setting.

One index holds the seed article, the NewsQA stories the file names (read from
``../shared/data/newsqa-dev/stories``, never copied into the repository) and the dated stories
next to the file (``dated_stories/``); it is cached by the files' names and bytes. Each question
is asked restricted to its own article (``where=ArticleFilter(article_ids=...)``); a question
over the dated set (``story: "dated"``) is asked over every dated story, on its ``today``.
Right answers are told by the rules in :mod:`evals.faq_scoring`.

The table has a row per kind, one for the time-aware questions (of any kind) and one for all:
questions, right-rate, evidence hit (of the answerable questions that were answered), abstention
on unanswerable and on answerable questions, kind detected by :func:`qa.kinds.detect.classify`,
and the median seconds per question.
"""

from __future__ import annotations

import hashlib
import inspect
import random
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evals.faq_scoring import (
    DATED,
    SEED_PREFIX,
    FaqQuestion,
    article_id,
    evidence_hit,
    is_right,
    items_named,
    load_faq,
)
from evals.scoring import best_over, f1
from evals.squad import benchmark_pipeline, store_name
from index.models import cache_dir
from index.stores.milvus_schema import MilvusLocation
from qa import Answer, ArticleFilter, Pipeline
from qa.kinds.detect import classify
from qa.llm import ChatLLM
from qa.seeds import SEEDS_DIR
from qa.types import KINDS

DEFAULT_STORIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "newsqa-dev" / "stories"
DEFAULT_SEED = 7
TIME_AWARE, ALL = "time-aware", "all"
ROWS = (*KINDS, TIME_AWARE, ALL)
COLUMNS = (
    ("questions", "n"),
    ("right", "right"),
    ("evidence_hit", "evidence hit"),
    ("abstained_unanswerable", "abstained, unanswerable"),
    ("abstained_answerable", "abstained, answerable"),
    ("kind_detected", "kind detected"),
    ("seconds_p50", "p50 s"),
)


def dated_dir_for(path: str | Path) -> Path:
    """The dated stories of a labelled file: ``dated_stories/`` beside it."""
    return Path(path).parent / "dated_stories"


def source_files(questions: Sequence[FaqQuestion], stories: Path, dated: Path) -> dict[str, Path]:
    """Each article the questions need, by the id it gets in the index (its file stem).

    Raises:
        FileNotFoundError: A story the questions name is not in ``stories`` (or ``seeds/``).
    """
    files: dict[str, Path] = {}
    for q in questions:
        if q.story == DATED:
            continue
        folder = SEEDS_DIR if q.story.startswith(SEED_PREFIX) else stories
        path = folder / f"{article_id(q.story)}.txt"
        if not path.is_file():
            raise FileNotFoundError(f"{q.id}: no story file {path} (NewsQA stories are read from --stories)")
        files[path.stem] = path
    if any(q.story == DATED for q in questions):
        files.update({p.stem: p for p in sorted(dated.glob("*.txt"))})
    return files


def corpus_dir(files: dict[str, Path]) -> Path:
    """A cached folder holding copies of ``files`` (outside the repository), keyed by their names and bytes."""
    digest = hashlib.sha256()
    for stem, path in sorted(files.items()):
        digest.update(stem.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    root = cache_dir() / "faq" / digest.hexdigest()[:16]
    corpus, done = root / "corpus", root / "corpus.complete"
    if not done.exists():
        corpus.mkdir(parents=True, exist_ok=True)
        for stem, path in files.items():
            shutil.copyfile(path, corpus / f"{stem}.txt")
        done.write_text("ok\n")
    return root


def choose(
    questions: Sequence[FaqQuestion], kinds: Sequence[str] | None, limit: int | None, seed: int = DEFAULT_SEED
) -> list[FaqQuestion]:
    """The questions of ``kinds`` (all when None), then a repeatable sample of ``limit``, in file order."""
    unknown = [k for k in kinds or () if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown kind {unknown[0]!r}; valid: {', '.join(KINDS)}")
    if limit is not None and limit <= 0:
        raise ValueError(f"limit must be greater than 0, got {limit}")
    chosen = [q for q in questions if kinds is None or q.kind in kinds]
    if limit is None or limit >= len(chosen):
        return chosen
    keep = sorted(random.Random(seed).sample(range(len(chosen)), limit))
    return [chosen[i] for i in keep]


def ask(pipeline: Pipeline, q: FaqQuestion, dated_ids: frozenset[str], takes_today: bool) -> Answer:
    """Ask ``q`` restricted to its article, or to the dated set, on its ``today`` where the pipeline takes one."""
    ids = dated_ids if q.story == DATED else frozenset({article_id(q.story)})
    options: dict[str, Any] = {"where": ArticleFilter(article_ids=ids)}
    if q.today is not None and takes_today:
        options["today"] = q.today
    return pipeline.answer(q.question, **options)


def record(q: FaqQuestion, answer: Answer, seconds: float) -> dict[str, Any]:
    """What one question's outcome is scored and reported from."""
    answered = q.answerable and not answer.abstained
    return {
        "id": q.id,
        "question": q.question,
        "kind": q.kind,
        "detected": classify(q.question).kind,
        "answer_kind": answer.kind,
        "time": q.time,
        "today": q.today.isoformat() if q.today else None,
        "answerable": q.answerable,
        "abstained": answer.abstained,
        "right": is_right(q, answer),
        "evidence_hit": evidence_hit(answer, q.evidence) if answered else None,
        "verdict": answer.verdict,
        "gold_verdict": q.verdict,
        "items_named": f"{items_named(answer, q.items)}/{len(q.items)}" if q.items else None,
        "f1": round(best_over(f1, answer.text or "", q.answers), 3) if q.answers and answered else None,
        "text": answer.text,
        "parts": [p.text for p in answer.parts],
        "citations": [[c.article_id, c.start, c.end] for c in answer.citations],
        "reason": answer.reason,
        "score": round(answer.score, 4),
        "signals": asdict(answer.signals) if answer.signals else None,
        "seconds": round(seconds, 3),
    }


def summarize(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The table's figures for each of :data:`ROWS` that has questions."""

    def rate(rows: list[dict[str, Any]], key: str) -> float | None:
        return round(sum(bool(r[key]) for r in rows) / len(rows), 3) if rows else None

    out: dict[str, dict[str, Any]] = {}
    for row in ROWS:
        rows = [r for r in records if row == ALL or r["kind"] == row or (row == TIME_AWARE and r["time"])]
        if not rows:
            continue
        answerable = [r for r in rows if r["answerable"]]
        out[row] = {
            "questions": len(rows),
            "answerable": len(answerable),
            "right": rate(rows, "right"),
            "evidence_hit": rate([r for r in answerable if not r["abstained"]], "evidence_hit"),
            "abstained_unanswerable": rate([r for r in rows if not r["answerable"]], "abstained"),
            "abstained_answerable": rate(answerable, "abstained"),
            "kind_detected": round(sum(r["detected"] == r["kind"] for r in rows) / len(rows), 3),
            "seconds_p50": round(statistics.median(r["seconds"] for r in rows), 2),
        }
    return out


def evaluate(
    path: str | Path,
    *,
    stories: str | Path = DEFAULT_STORIES,
    dated: str | Path | None = None,
    kinds: Sequence[str] | None = None,
    limit: int | None = None,
    seed: int = DEFAULT_SEED,
    reader: str = "llm",
    progress: Callable[[int, int], None] | None = None,
    repack: bool | None = True,
    llm: str | ChatLLM | None = None,
    llm_model: str | None = None,
    llm_api: str = "auto",
    store: str | MilvusLocation | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Ask every chosen question of a labelled file and score it.

    Args:
        path: The labelled file (JSON lines, see :mod:`evals.faq_scoring`).
        stories: The NewsQA stories folder.
        dated: The dated stories folder (default: ``dated_stories/`` beside ``path``).
        kinds: Only questions of these kinds.
        limit: A repeatable sample of this many questions (seeded by ``seed``).
        reader, repack, llm, llm_model, llm_api: As for :class:`qa.Pipeline`.
        store: A Milvus store to index the stories into and read from instead of the cached index
            folder (see :func:`evals.squad.benchmark_pipeline`).
        progress: Called with ``(done, total)`` after each question.
        options: More options of :class:`qa.Pipeline` (``yes_no_llm=``; ``llm=`` a ChatLLM).

    Returns:
        JSON-ready figures per row of :data:`ROWS` under ``"kinds"``, and every question's record
        under ``"questions"``.

    Example:
        >>> summary = evaluate("evals/data/news_faq.jsonl", kinds=["yes/no"], limit=10)  # doctest: +SKIP
        >>> print(table(summary))  # doctest: +SKIP
    """
    questions = load_faq(path)
    chosen = choose(questions, kinds, limit, seed)
    dated_dir = dated_dir_for(path) if dated is None else Path(dated)
    files = source_files(questions, Path(stories), dated_dir)  # one index per file, whatever is chosen
    dated_ids = frozenset(stem for stem, file in files.items() if file.parent == dated_dir)
    root = corpus_dir(files)
    pipeline = benchmark_pipeline(
        root / "corpus",
        root / "index",
        store,
        reader=reader,
        repack=repack,
        llm=llm,
        llm_model=llm_model,
        llm_api=llm_api,
        **options,
    )
    takes_today = "today" in inspect.signature(pipeline.answer).parameters  # `today=` is landing in qa
    records = []
    for n, q in enumerate(chosen, start=1):
        began = time.perf_counter()
        answer = ask(pipeline, q, dated_ids, takes_today)
        records.append(record(q, answer, time.perf_counter() - began))
        if progress is not None:
            progress(n, len(chosen))
    return {
        "file": str(path),
        "sample": {"questions": len(chosen), "seed": seed, "kinds": list(kinds) if kinds else list(KINDS)},
        "reader": reader,
        "today_passed": takes_today,
        "index": {
            "store": store_name(pipeline),
            "articles": len(pipeline.store.articles),
            "chunks": len(pipeline.store.chunks),
        },
        "kinds": summarize(records),
        "questions": records,
    }


def table(summary: dict[str, Any]) -> str:
    """The per-kind figures as a Markdown table ("–" where a row has no such questions)."""
    lines = ["| kind | " + " | ".join(title for _, title in COLUMNS) + " |", "|" + " --- |" * (len(COLUMNS) + 1)]
    for row, figures in summary["kinds"].items():
        cells = ["–" if figures[key] is None else str(figures[key]) for key, _ in COLUMNS]
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
