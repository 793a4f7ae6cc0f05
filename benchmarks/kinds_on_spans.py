"""What question kinds cost on span-labelled sets: SQuAD v1.1 and NewsQA questions that the rules
read as yes/no, explanation, summary or list, answered in their shape and as plain factoids.

Both runs use the same index, retrieval and reader; only the routing differs. Answers are scored by
:func:`evals.scoring.short_answer` (a yes/no by its settling clause), against the gold spans.

    python benchmarks/kinds_on_spans.py ../shared/data/squad-v1.1/dev-v1.1.json \
        --newsqa ../shared/data/newsqa-dev --limit 1000 --seed 7 --out /tmp/kinds.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from evals import newsqa, squad
from evals.scoring import best_over, f1, short_answer
from qa import DEFAULT_TOP_K, Answer, Pipeline
from qa.kinds.detect import classify
from qa.kinds.factoid import answer_factoid


def factoid(pipeline: Pipeline, question: str) -> Answer:
    """The pipeline as it was before kinds: the same retrieval, read as a factoid."""
    retriever = pipeline.retriever
    vector = retriever.embed_query(question)
    hits = retriever.search(question, DEFAULT_TOP_K, query_vector=vector)
    return answer_factoid(
        retriever.store,
        retriever.embedder,
        pipeline.reader,
        question,
        hits,
        vector,
        weights=pipeline.evidence_weights,
        policy=pipeline.policy,
    )


def run(pipeline: Pipeline, questions: list[tuple[str, tuple[str, ...]]], routed: bool) -> dict[str, Any]:
    scores: list[float] = []
    seconds: list[float] = []
    abstained = 0
    shapes: Counter[str] = Counter()
    for question, answers in questions:
        began = time.perf_counter()
        result = pipeline.answer(question) if routed else factoid(pipeline, question)
        seconds.append(time.perf_counter() - began)
        shapes[result.kind] += 1
        predicted = short_answer(result)
        abstained += predicted is None
        scores.append(0.0 if predicted is None else best_over(f1, predicted, answers))
    n = max(len(questions), 1)
    return {
        "f1": round(100 * sum(scores) / n, 1),
        "abstained": round(abstained / n, 3),
        "seconds_median": round(statistics.median(seconds), 2) if seconds else None,
        "kinds": dict(shapes),
    }


def compare(pipeline: Pipeline, questions: list[Any]) -> dict[str, Any]:
    """The same questions answered in their shape and as factoids."""
    items = [(q.question, q.answers) for q in questions]
    return {"questions": len(items), "routed": run(pipeline, items, True), "factoid": run(pipeline, items, False)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", help="SQuAD v1.1 dev JSON")
    parser.add_argument("--newsqa", help="the NewsQA dev folder (stories/, questions.jsonl)")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    report: dict[str, Any] = {"seed": args.seed, "limit": args.limit}
    paragraphs, questions = squad.load_squad(args.squad)
    chosen = [q for q in squad.sample(questions, args.limit, args.seed) if classify(q.question).kind != "factoid"]
    root = squad.corpus_dir(args.squad, paragraphs)
    pipeline = Pipeline(squad.cached_index(root / "corpus", root / "index"), repack=True)
    report["squad"] = compare(pipeline, chosen)
    print(json.dumps(report["squad"]), flush=True)
    if args.newsqa:
        stories, news = newsqa.load_newsqa(args.newsqa)
        picked = [q for q in news if classify(q.question).kind != "factoid"]
        pipeline = Pipeline(squad.cached_index(stories, newsqa.index_dir_for(stories)), repack=True)
        report["newsqa"] = compare(pipeline, picked)
        print(json.dumps(report["newsqa"]), flush=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
