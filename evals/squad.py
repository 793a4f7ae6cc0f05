"""SQuAD v1.1 evaluation of the real pipeline: open, closed and unanswerable settings."""

from __future__ import annotations

import hashlib
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evals.scoring import best_over, exact_match, f1, reading_record, short_answer
from index.build import build_index
from index.errors import IndexMismatchError
from index.models import cache_dir
from index.stores import Store
from index.stores.milvus_schema import MilvusLocation
from qa import Hit, HybridRetriever, Pipeline

DEFAULT_SEED = 13
RECALL_AT = (1, 5, 20)
SETTINGS = ("open", "closed", "unanswerable")
# Deep enough that after dropping the question's own Wikipedia article, top_k others remain.
UNANSWERABLE_DEPTH = 100


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    article_id: str


def load_squad(path: str | Path) -> tuple[dict[str, tuple[str, str]], list[Question]]:
    """Paragraphs by article id (``"<title>/<n>"`` -> (title, context)) and every question."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    paragraphs: dict[str, tuple[str, str]] = {}
    questions: list[Question] = []
    for article in data:
        title = article["title"].replace("_", " ")
        for n, paragraph in enumerate(article["paragraphs"]):
            article_id = f"{article['title']}/{n:03d}"
            paragraphs[article_id] = (title, paragraph["context"])
            for qa in paragraph["qas"]:
                answers = tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
                questions.append(Question(qa["id"], qa["question"], answers, article_id))
    return paragraphs, questions


def sample(questions: Sequence[Question], limit: int | None, seed: int = DEFAULT_SEED) -> list[Question]:
    """A repeatable sample stratified by Wikipedia article: each title keeps its share."""
    if limit is None or limit >= len(questions):
        return list(questions)
    by_title: dict[str, list[Question]] = {}
    for q in questions:
        by_title.setdefault(q.article_id.split("/")[0], []).append(q)
    rng = random.Random(seed)
    chosen: list[Question] = []
    remainders: list[tuple[float, str]] = []
    for title, group in sorted(by_title.items()):
        exact = limit * len(group) / len(questions)
        rng.shuffle(group)
        chosen.extend(group[: int(exact)])
        remainders.append((exact - int(exact), title))
    for _, title in sorted(remainders, reverse=True)[: limit - len(chosen)]:
        chosen.append(by_title[title][int(limit * len(by_title[title]) / len(questions))])
    rng.shuffle(chosen)
    return chosen


def corpus_dir(path: str | Path, paragraphs: dict[str, tuple[str, str]]) -> Path:
    """Write the paragraphs as articles (``# Title`` then the paragraph), once per dev-set file."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    root = cache_dir() / "squad" / digest
    corpus = root / "corpus"
    done = root / "corpus.complete"
    if not done.exists():
        for article_id, (title, context) in paragraphs.items():
            file = corpus / f"{article_id}.md"
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(f"# {title}\n\n{context}\n", encoding="utf-8")
        done.write_text("ok\n")
    return root


@dataclass(slots=True)
class Totals:
    """Running sums for one setting."""

    n: int = 0
    em: float = 0.0
    f1: float = 0.0
    abstained: int = 0
    citation_hits: int = 0
    recall: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RECALL_AT, 0))
    seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        n = max(self.n, 1)
        out: dict[str, Any] = {
            "questions": self.n,
            "exact_match": round(100 * self.em / n, 2),
            "f1": round(100 * self.f1 / n, 2),
            "abstention_rate": round(self.abstained / n, 4),
            "citation_hit_rate": round(self.citation_hits / n, 4),
            "seconds_per_question_median": round(statistics.median(self.seconds), 3) if self.seconds else None,
            "seconds_per_question_mean": round(statistics.fmean(self.seconds), 3) if self.seconds else None,
        }
        if any(self.recall.values()):
            out.update({f"recall@{k}": round(v / n, 4) for k, v in self.recall.items()})
        return out


def cached_index(corpus: Path, index_dir: Path) -> Path:
    """Build or update the index of a benchmark's corpus; one cached from another embedding model is rebuilt."""
    try:
        build_index([corpus], index_dir)
    except IndexMismatchError:
        build_index([corpus], index_dir, rebuild=True)
    return index_dir


def benchmark_pipeline(
    corpus: Path, index_dir: Path, store: str | MilvusLocation | None = None, **options: Any
) -> Pipeline:
    """The pipeline over a benchmark's corpus: its cached index folder, or the Milvus store named,
    built from the same files (incrementally, so a second run embeds nothing).

    A store made by another model is an error here, not rebuilt: unlike the cache folder, it is
    the caller's. ``options`` go to :class:`qa.Pipeline`.
    """
    if store is None:
        return Pipeline(cached_index(corpus, index_dir), **options)
    from index.stores.milvus_build import build_milvus  # pymilvus is imported only when used

    build_milvus([corpus], store)
    return Pipeline(store=store, **options)


def store_name(pipeline: Pipeline) -> str:
    """What the summary calls the store: the Milvus location, or "embedded"."""
    return "embedded" if pipeline.location is None else str(pipeline.location)


def own_passages(index: Store) -> dict[str, list[Hit]]:
    """Each article's chunks, as hits: what the closed setting reads."""
    chunks_of: dict[str, list[Hit]] = {}
    for chunk in index.chunks:
        chunks_of.setdefault(chunk.article_id, []).append(Hit(chunk=chunk, score=0.0, dense=0.0, lexical=0.0))
    return chunks_of


def passages_for(
    setting: str,
    q: Question,
    retriever: HybridRetriever,
    vector: np.ndarray,
    chunks_of: dict[str, list[Hit]],
    top_k: int,
) -> list[Hit]:
    """The passages a question is read against in ``setting``; for "open", the ranking to
    ``max(RECALL_AT)`` deep, of which the first ``top_k`` are read."""
    if setting == "open":
        return retriever.search(q.question, max(*RECALL_AT, top_k), query_vector=vector)
    if setting == "unanswerable":
        own_title = q.article_id.split("/")[0] + "/"
        hits = retriever.search(q.question, UNANSWERABLE_DEPTH, query_vector=vector)
        return [h for h in hits if not h.chunk.article_id.startswith(own_title)][:top_k]
    return chunks_of[q.article_id]


def evaluate(
    path: str | Path,
    *,
    limit: int | None = None,
    seed: int = DEFAULT_SEED,
    reader: str = "llm",
    settings: Sequence[str] = ("open", "closed"),
    top_k: int = 4,
    progress: Callable[[int, int], None] | None = None,
    repack: bool | None = True,
    llm: str | None = None,
    llm_model: str | None = None,
    llm_api: str = "auto",
    store: str | MilvusLocation | None = None,
) -> dict[str, Any]:
    """Run the real pipeline on SQuAD v1.1 dev and score it.

    Open: every dev paragraph is an article of one index; questions are asked with no hint.
    Closed: each question is read against its own paragraph alone.
    Unanswerable: each question is asked with every paragraph of its own Wikipedia article left
    out of the results (as if that article were not indexed); the right outcome is to abstain.

    ``repack`` is passed to the pipeline: an evaluation answers hundreds of questions from one load.
    ``llm``, ``llm_model`` and ``llm_api`` name an OpenAI-compatible LLM server to read with
    instead (see :class:`qa.Pipeline`). ``store`` names a Milvus store to index the paragraphs
    into and read from instead of the cached index folder (see :func:`benchmark_pipeline`).

    Returns:
        A JSON-ready summary per setting, with the sample size and seed.
    """
    unknown = [name for name in settings if name not in SETTINGS]
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; valid: {SETTINGS}")
    paragraphs, questions = load_squad(path)
    chosen = sample(questions, limit, seed)
    root = corpus_dir(path, paragraphs)
    pipeline = benchmark_pipeline(
        root / "corpus",
        root / "index",
        store,
        reader=reader,
        repack=repack,
        llm=llm,
        llm_model=llm_model,
        llm_api=llm_api,
    )
    index = pipeline.store
    chunks_of = own_passages(index)
    totals = {name: Totals() for name in settings}
    details: list[dict[str, Any]] = []
    steps = len(chosen) * len(settings)
    done = 0
    for q in chosen:
        for name in settings:
            began = time.perf_counter()
            vector = pipeline.retriever.embed_query(q.question)
            hits = passages_for(name, q, pipeline.retriever, vector, chunks_of, top_k)
            result = pipeline.read(q.question, hits[:top_k] if name == "open" else hits, query_vector=vector)
            if name == "open":
                ranked = [h.chunk.article_id for h in hits]
                for k in RECALL_AT:
                    totals[name].recall[k] += q.article_id in ranked[:k]
            totals[name].seconds.append(time.perf_counter() - began)
            t = totals[name]
            t.n += 1
            em = f1_score = 0.0
            predicted = short_answer(result)
            if predicted is None:
                t.abstained += 1
            else:
                em = best_over(exact_match, predicted, q.answers)
                f1_score = best_over(f1, predicted, q.answers)
                t.em += em
                t.f1 += f1_score
                t.citation_hits += any(a in c.quote for c in result.citations for a in q.answers)
            details.append(
                {
                    "id": q.id,
                    "setting": name,
                    "question": q.question,
                    "exact_match": em,
                    "f1": round(f1_score, 4),
                    **reading_record(result),
                }
            )
            done += 1
            if progress is not None:
                progress(done, steps)
    return {
        "dataset": str(path),
        "sample": {"questions": len(chosen), "of": len(questions), "seed": seed, "stratified_by": "article title"},
        "reader": reader,
        "top_k": top_k,
        "index": {
            "store": store_name(pipeline),
            "articles": len(index.articles),
            "chunks": len(index.chunks),
            "embedding_model": index.embedding_model,
        },
        **{name: totals[name].summary() for name in settings},
        "questions": details,
    }


def to_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2, ensure_ascii=False, default=lambda o: asdict(o))
