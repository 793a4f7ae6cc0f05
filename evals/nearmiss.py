"""Near misses: unanswerable questions that one paragraph or story almost answers (SQuAD 2.0's recipe).

Each question of ``evals/data/near_miss.jsonl`` names the SQuAD v1.1 dev paragraph or NewsQA dev
story that nearly answers it and the sentence it nearly matches; the right outcome is to abstain.
They are asked in the open setting, over two corpora, one per source: SQuAD near misses over all
2,067 SQuAD dev paragraphs (the index of ``citeqa eval squad``), NewsQA near misses over the NewsQA
dev stories (the index of ``citeqa eval newsqa``). One corpus per source keeps each near miss among
the same passages and distractors as the answerable questions of its source, so its abstention
compares directly with that eval's answerable abstention; and both indexes are already cached.

The questions are split into two halves by ``crc32(id)`` (even: "dev", odd: "held-out") so a check
can be chosen on one and confirmed on the other; every answer is kept with its citation and support
signals (:func:`evals.scoring.reading_record`) so checks can be studied without reading again.
"""

from __future__ import annotations

import json
import random
import statistics
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals import newsqa, squad
from evals.scoring import reading_record
from qa import Pipeline

SOURCES = ("squad", "newsqa")
RECIPES = (
    "entity-swap",  # another name, place or organisation than the one the sentence speaks of
    "negation",  # the sentence says it did not happen
    "antonym",  # the sentence says the opposite (entered / left, weakened / strengthened)
    "impossible-condition",  # asks for what cannot be (the scorer of a 2-0 loss)
    "changed-number",  # another number or date than the sentence's
    "unmentioned-attribute",  # an attribute the text never gives of a thing it mentions
)
DEFAULT_SQUAD = Path("../shared/data/squad-v1.1/dev-v1.1.json")
DEFAULT_NEWSQA = Path("../shared/data/newsqa-dev")
DEFAULT_SEED = 7


@dataclass(frozen=True, slots=True)
class NearMiss:
    """One near-miss question.

    Attributes:
        id: Its id in the set.
        source: ``"squad"`` or ``"newsqa"``.
        article_id: The paragraph (``"<title>/<n:03d>"``) or story (file name without .txt) that
            nearly answers it.
        question: The question.
        recipe: How it was made from the text (one of :data:`RECIPES`).
        sentence: Offsets of the sentence it nearly matches, in the paragraph's context or the
            story file's text (characters, half-open).
    """

    id: str
    source: str
    article_id: str
    question: str
    recipe: str
    sentence: tuple[int, int]


def load_near_misses(path: str | Path) -> list[NearMiss]:
    """Every question of a near-miss file (one JSON object a line)."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["source"] not in SOURCES:
            raise ValueError(f"line {n}: source must be one of {SOURCES}, got {row['source']!r}")
        if row["recipe"] not in RECIPES:
            raise ValueError(f"line {n}: recipe must be one of {RECIPES}, got {row['recipe']!r}")
        own = f"{row['title']}/{row['paragraph']:03d}" if row["source"] == "squad" else row["story"]
        start, end = row["sentence"]
        out.append(NearMiss(row["id"], row["source"], own, row["question"], row["recipe"], (start, end)))
    return out


def half(question_id: str) -> str:
    """``"dev"`` for an even ``crc32`` of the id (rules are chosen there), else ``"held-out"``."""
    return "dev" if zlib.crc32(question_id.encode("utf-8")) % 2 == 0 else "held-out"


def _index_of(source: str, squad_path: Path, newsqa_folder: Path) -> Path:
    """The source's cached index folder (built when missing), as its own eval builds it."""
    if source == "squad":
        paragraphs, _ = squad.load_squad(squad_path)
        root = squad.corpus_dir(squad_path, paragraphs)
        return squad.cached_index(root / "corpus", root / "index")
    stories = newsqa_folder / "stories"
    return squad.cached_index(stories, newsqa.index_dir_for(stories))


def evaluate(
    path: str | Path,
    *,
    squad_path: str | Path = DEFAULT_SQUAD,
    newsqa_folder: str | Path = DEFAULT_NEWSQA,
    limit: int | None = None,
    seed: int = DEFAULT_SEED,
    reader: str = "llm",
    top_k: int = 4,
    progress: Callable[[int, int], None] | None = None,
    repack: bool | None = True,
    llm: str | None = None,
    llm_model: str | None = None,
    llm_api: str = "auto",
) -> dict[str, Any]:
    """Ask every near miss in the open setting and count how often the pipeline abstains.

    Returns:
        A JSON-ready summary: abstention overall, per source, per half and per recipe; how often
        the near-miss text was among the passages read and how often an answer cited it; seconds per
        question; and every question's record under ``"questions"``.
    """
    chosen = load_near_misses(path)
    if limit is not None and limit < len(chosen):
        chosen = random.Random(seed).sample(chosen, limit)
    squad_path, newsqa_folder = Path(squad_path), Path(newsqa_folder)
    pipelines: dict[str, Pipeline] = {}
    own_ids: dict[str, dict[str, str]] = {}
    records: list[dict[str, Any]] = []
    for source in SOURCES:
        mine = [q for q in chosen if q.source == source]
        if not mine:
            continue
        index_dir = _index_of(source, squad_path, newsqa_folder)
        shared = next(iter(pipelines.values())).reader if pipelines else reader  # one model load for both
        pipeline = Pipeline(index_dir, reader=shared, repack=repack, llm=llm, llm_model=llm_model, llm_api=llm_api)
        pipelines[source] = pipeline
        stories = newsqa_folder / "stories"
        own_ids[source] = newsqa.indexed_story_ids(stories, pipeline.store) if source == "newsqa" else {}
        for q in mine:
            began = time.perf_counter()
            vector = pipeline.retriever.embed_query(q.question)
            own = own_ids[source].get(q.article_id, q.article_id)
            asked = squad.Question(q.id, q.question, (), own)
            ranked = squad.passages_for("open", asked, pipeline.retriever, vector, {}, top_k)
            hits = ranked[:top_k]
            result = pipeline.read(q.question, hits, query_vector=vector)
            seconds = time.perf_counter() - began
            record = reading_record(result)
            cited = record["citation"]
            records.append(
                {
                    "id": q.id,
                    "source": source,
                    "recipe": q.recipe,
                    "half": half(q.id),
                    "article_id": own,
                    "question": q.question,
                    "abstained": result.abstained,
                    "own_text_rank": next((n for n, h in enumerate(ranked, 1) if h.chunk.article_id == own), None),
                    "own_text_read": any(h.chunk.article_id == own for h in hits),
                    "cited_own_text": cited is not None and cited["article_id"] == own,
                    "seconds": round(seconds, 3),
                    **record,
                }
            )
            if progress is not None:
                progress(len(records), len(chosen))
    return {
        "dataset": str(path),
        "sample": {"questions": len(chosen), "seed": seed if limit is not None else None},
        "reader": reader,
        "top_k": top_k,
        "corpora": {
            source: {"articles": len(p.store.articles), "chunks": len(p.store.chunks)}
            for source, p in pipelines.items()
        },
        **figures(records),
        "questions": records,
    }


def figures(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Abstention overall and by source, half and recipe, from the per-question records."""

    def rate(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"questions": len(rows), "abstention_rate": round(sum(r["abstained"] for r in rows) / len(rows), 4)}

    def by(key: str) -> dict[str, Any]:
        groups = Counter(r[key] for r in records)
        return {name: rate([r for r in records if r[key] == name]) for name in sorted(groups)}

    if not records:
        return {"overall": {"questions": 0}}
    seconds = [r["seconds"] for r in records]
    answered = [r for r in records if not r["abstained"]]
    return {
        "overall": {
            **rate(records),
            "own_text_read": round(sum(r["own_text_read"] for r in records) / len(records), 4),
            "answers_citing_own_text": sum(r["cited_own_text"] for r in answered),
            "seconds_per_question_median": round(statistics.median(seconds), 3),
            "seconds_per_question_mean": round(statistics.fmean(seconds), 3),
        },
        "by_source": by("source"),
        "by_half": by("half"),
        "by_recipe": by("recipe"),
    }
