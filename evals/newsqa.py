"""NewsQA evaluation of the real pipeline over CNN stories: open and closed settings, and where answers are lost.

The stories folder is indexed as it is (one article per story file); each question is asked with
no hint (open: recall@k of its story, the reader sees the top passages) or against its own story's
passages only (closed: reading without finding). Scores use the SQuAD scorer. For each question
the stage that lost its answer is named, in pipeline order (see :data:`STAGES`).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals.scoring import best_over, exact_match, f1, reading_record, short_answer
from evals.squad import RECALL_AT, Question, Totals, benchmark_pipeline, own_passages, passages_for, store_name
from index.dedup import text_key
from index.models import cache_dir
from index.stores import Store
from index.stores.milvus_schema import MilvusLocation
from qa import Answer, Evidence

SETTINGS = ("open", "closed")
DEFAULT_SEED = 7
SHOWN_FIRST, SHOWN_WIDER = 3, 6  # evidence sentences the reader sees at first, and on a second look
# Where an answer was lost, in pipeline order; "right" and "partial" are answered questions.
STAGES = (
    "retrieval",  # its story is not among the passages read
    "evidence",  # the story was read, but the answer is in none of the sentences the reader may see
    "relevance gate",  # no evidence sentence close enough: no reader was asked
    "reader refused",  # the model said the passages do not answer
    "not snapped",  # the model's text is not in the articles
    "confidence gate",  # the reader was too unsure
    "support check",  # the cited sentence did not look like an answer
    "wrong span",  # answered, F1 0
    "partial span",  # answered, 0 < F1 < 1
    "right",  # answered, F1 1
)
_REASONS = {
    "close enough": "relevance gate",
    "found no answer": "reader refused",
    "is not in the articles": "not snapped",
    "too uncertain": "confidence gate",
    "does not appear to answer": "support check",
}


def load_newsqa(folder: str | Path) -> tuple[Path, list[Question]]:
    """The stories folder and every question (``article_id`` is the story's file name without .txt)."""
    root = Path(folder)
    stories = root / "stories"
    questions = []
    with open(root / "questions.jsonl", encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            row = json.loads(line)
            answers = tuple(dict.fromkeys(row["answers"]))
            questions.append(Question(f"{row['story']}#{n}", row["question"], answers, row["story"]))
    return stories, questions


def sample(questions: Sequence[Question], limit: int | None, seed: int = DEFAULT_SEED) -> list[Question]:
    """A repeatable random sample (all questions when ``limit`` is None or larger)."""
    if limit is None or limit >= len(questions):
        return list(questions)
    return random.Random(seed).sample(list(questions), limit)


def index_dir_for(stories: Path) -> Path:
    """Where the stories' index is kept: by the hash of the story file names and sizes."""
    listing = "\n".join(f"{p.name}:{p.stat().st_size}" for p in sorted(stories.glob("*.txt")))
    return cache_dir() / "newsqa" / hashlib.sha256(listing.encode()).hexdigest()[:16] / "index"


def indexed_story_ids(stories: Path, store: Store) -> dict[str, str]:
    """Each story file's article id in the index: its own, or that of the identical story the
    index keeps in its place (exact copies are indexed once)."""
    by_text = {text_key(a.text): a.id for a in store.articles.values()}
    out = {}
    for path in sorted(stories.glob("*.txt")):
        if path.stem in store.articles:
            out[path.stem] = path.stem
        elif (kept := by_text.get(text_key(path.read_text(encoding="utf-8")))) is not None:
            out[path.stem] = kept
    return out


def lost_at(result: Answer, story_read: bool, shown: bool, answers: Sequence[str]) -> str:
    """The stage of :data:`STAGES` that decided this question's outcome."""
    predicted = short_answer(result)
    if predicted is not None:
        score = best_over(f1, predicted, answers)
        return "right" if score == 1.0 else "partial span" if score > 0 else "wrong span"
    if not story_read:
        return "retrieval"
    if not shown:
        return "evidence"
    return next((stage for key, stage in _REASONS.items() if key in result.reason), "reader refused")


def shown_within(evidence: Sequence[Evidence], answers: Sequence[str], depth: int) -> bool:
    return any(a in e.text for e in evidence[:depth] for a in answers)


def evaluate(
    folder: str | Path,
    *,
    limit: int | None = None,
    seed: int = DEFAULT_SEED,
    reader: str = "llm",
    settings: Sequence[str] = SETTINGS,
    top_k: int = 4,
    progress: Callable[[int, int], None] | None = None,
    repack: bool | None = True,
    llm: str | None = None,
    llm_model: str | None = None,
    llm_api: str = "auto",
    store: str | MilvusLocation | None = None,
) -> dict[str, Any]:
    """Run the real pipeline on NewsQA dev and score it, with the loss stage of every question.

    ``llm``, ``llm_model`` and ``llm_api`` name an OpenAI-compatible server to read with (see
    :class:`qa.Pipeline`); by default the in-process model reads. ``store`` names a Milvus store
    to index the stories into and read from (see :func:`evals.squad.benchmark_pipeline`).

    Returns:
        A JSON-ready summary per setting (the SQuAD eval's figures, plus how often the answer was
        in the first 3 and 6 evidence sentences, and the count of questions lost at each stage),
        and every question's record under ``"questions"``.
    """
    unknown = [name for name in settings if name not in SETTINGS]
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; valid: {SETTINGS}")
    stories, questions = load_newsqa(folder)
    chosen = sample(questions, limit, seed)
    pipeline = benchmark_pipeline(
        stories,
        index_dir_for(stories),
        store,
        reader=reader,
        repack=repack,
        llm=llm,
        llm_model=llm_model,
        llm_api=llm_api,
    )
    index = pipeline.store
    indexed = indexed_story_ids(stories, index)
    chosen = [Question(q.id, q.question, q.answers, indexed.get(q.article_id, q.article_id)) for q in chosen]

    def story(article_id: str) -> str:
        # Near-duplicate versions of one story share its id: search returns one version, either counts.
        article = index.articles.get(article_id)
        return article.story or article_id if article is not None else article_id

    chunks_of = own_passages(index)
    totals = {name: Totals() for name in settings}
    shown = {name: Counter[int]() for name in settings}
    stages = {name: Counter[str]() for name in settings}
    details: list[dict[str, Any]] = []
    done = 0
    for q in chosen:
        for name in settings:
            began = time.perf_counter()
            vector = pipeline.retriever.embed_query(q.question)
            hits = passages_for(name, q, pipeline.retriever, vector, chunks_of, top_k)
            read = hits[:top_k] if name == "open" else hits
            result = pipeline.read(q.question, read, query_vector=vector)
            t = totals[name]
            t.seconds.append(time.perf_counter() - began)
            t.n += 1
            own = story(q.article_id)
            if name == "open":
                ranked = [story(h.chunk.article_id) for h in hits]
                for k in RECALL_AT:
                    t.recall[k] += own in ranked[:k]
            evidence = pipeline.evidence(q.question, vector, read)
            first, wider = (shown_within(evidence, q.answers, d) for d in (SHOWN_FIRST, SHOWN_WIDER))
            shown[name][SHOWN_FIRST] += first
            shown[name][SHOWN_WIDER] += wider
            stage = lost_at(result, any(story(h.chunk.article_id) == own for h in read), wider, q.answers)
            stages[name][stage] += 1
            em = f1_score = 0.0
            predicted = short_answer(result)
            if predicted is None:
                t.abstained += 1
            else:
                em, f1_score = best_over(exact_match, predicted, q.answers), best_over(f1, predicted, q.answers)
                t.em += em
                t.f1 += f1_score
                t.citation_hits += any(a in c.quote for c in result.citations for a in q.answers)
            details.append(
                {
                    "id": q.id,
                    "setting": name,
                    "question": q.question,
                    "answers": list(q.answers),
                    "f1": round(f1_score, 4),
                    "stage": stage,
                    **reading_record(result),
                }
            )
            done += 1
            if progress is not None:
                progress(done, len(chosen) * len(settings))
    summary: dict[str, Any] = {}
    for name in settings:
        n = max(totals[name].n, 1)
        summary[name] = {
            **totals[name].summary(),
            f"answer_in_first_{SHOWN_FIRST}_sentences": round(shown[name][SHOWN_FIRST] / n, 4),
            f"answer_in_first_{SHOWN_WIDER}_sentences": round(shown[name][SHOWN_WIDER] / n, 4),
            "lost_at": {stage: stages[name][stage] for stage in STAGES},
        }
    return {
        "dataset": str(folder),
        "sample": {"questions": len(chosen), "of": len(questions), "seed": seed},
        "reader": reader,
        "top_k": top_k,
        "index": {
            "store": store_name(pipeline),
            "articles": len(pipeline.store.articles),
            "chunks": len(pipeline.store.chunks),
        },
        **summary,
        "questions": details,
    }
