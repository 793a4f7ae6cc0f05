"""SQuAD v1.1 open setting on Milvus Lite beside the embedded store: same corpus, same model, same vectors.

The embedded index of every dev paragraph (the one ``citeqa eval squad`` caches) is copied into
Milvus Lite with ``migrate_to_milvus`` (nothing embedded again), then each sampled question is
asked of both stores in turn, with one reader shared by both (so load from other work on the
machine falls on both alike). Reported per store: recall@1/5/20 (the question's paragraph among the
retrieved chunks' articles), F1 and exact match of the full answer, abstention, and retrieval
p50/p95 (the store's search alone, the question already embedded); and how often the two stores
give the same top 5 articles and the same answer.

    nice -n 10 .venv/bin/python benchmarks/milvus_squad.py ../shared/data/squad-v1.1/dev-v1.1.json \\
        --limit 200 --reader llm --out milvus-squad.json

``--reader sentence`` (no LLM) measures retrieval and the sentence reader in minutes. Where both
stores hand the reader the same evidence sentences and passages, the second store's reading is
taken from the first's (the reader is deterministic given its input), which halves an LLM run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


class SameInputSameReading:
    """Wraps a reader so a read whose question, evidence sentences (in order) and passages were
    already read returns the stored reading instead of running the model again."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._seen: dict[tuple[Any, ...], Any] = {}
        self.reused = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def read(self, question: str, evidence: Any, passages: Any, *, on_text: Any = None) -> Any:
        key = (
            question,
            tuple((e.sentence.article_id, e.sentence.start, e.sentence.end) for e in evidence),
            tuple((p.article.id, p.start, p.end) for p in passages),
        )
        if key in self._seen:
            self.reused += 1
        else:
            self._seen[key] = self._reader.read(question, evidence, passages, on_text=on_text)
        return self._seen[key]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    from evals.scoring import best_over, exact_match, f1
    from evals.squad import RECALL_AT, cached_index, corpus_dir, load_squad, sample
    from index.stores.milvus_build import migrate_to_milvus
    from qa import Pipeline
    from qa.readers import make_reader

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dev", help="dev-v1.1.json")
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--reader", default="llm")
    parser.add_argument("--top-k", type=int, default=4)
    parser.add_argument("--store", help="Milvus Lite file (default: milvus.db beside the cached SQuAD index)")
    parser.add_argument("--out", help="write the summary and every question's records here")
    args = parser.parse_args(argv)

    paragraphs, questions = load_squad(args.dev)
    chosen = sample(questions, args.limit, args.seed)
    root = corpus_dir(args.dev, paragraphs)
    cached_index(root / "corpus", root / "index")
    lite = Path(args.store) if args.store else root / "milvus.db"
    began = time.perf_counter()
    copied = migrate_to_milvus(root / "index", f"milvus:{lite}")
    migrate_s = time.perf_counter() - began
    reader = SameInputSameReading(make_reader(args.reader, repack=True))
    pipelines = {
        "embedded": Pipeline(root / "index", reader=reader),
        "milvus": Pipeline(store=f"milvus:{lite}", reader=reader),
    }
    embedder = pipelines["embedded"].retriever.embedder
    depth = max(*RECALL_AT, args.top_k)
    records: list[dict[str, Any]] = []
    for n, q in enumerate(chosen, start=1):
        vector = embedder.embed([q.question])[0]
        row: dict[str, Any] = {"id": q.id, "article_id": q.article_id}
        for name, pipeline in pipelines.items():
            t0 = time.perf_counter()
            hits = pipeline.retriever.search(q.question, depth, query_vector=vector)
            search_s = time.perf_counter() - t0
            result = pipeline.read(q.question, hits[: args.top_k], query_vector=vector)
            ranked = [h.chunk.article_id for h in hits]
            row[name] = {
                "search_s": search_s,
                "ranked": ranked[:5],
                **{f"recall@{k}": q.article_id in ranked[:k] for k in RECALL_AT},
                "answer": result.text,
                "citations": [(c.article_id, c.start, c.end) for c in result.citations],
                "f1": best_over(f1, result.text, q.answers) if result.text is not None else 0.0,
                "em": best_over(exact_match, result.text, q.answers) if result.text is not None else 0.0,
            }
        records.append(row)
        print(f"{n}/{len(chosen)}", file=sys.stderr, end="\r")
        if args.out and (n % 10 == 0 or n == len(chosen)):  # a run stopped early still leaves its figures
            write(args, summarise(args, records, copied, migrate_s, list(pipelines), reader.reused), records)
    summary = summarise(args, records, copied, migrate_s, list(pipelines), reader.reused)
    print(json.dumps(summary, indent=2))
    return 0


def write(args: argparse.Namespace, summary: dict[str, Any], records: list[dict[str, Any]]) -> None:
    Path(args.out).write_text(json.dumps({**summary, "questions": records}, indent=2, ensure_ascii=False) + "\n")


def summarise(
    args: argparse.Namespace,
    records: list[dict[str, Any]],
    copied: Any,
    migrate_s: float,
    names: list[str],
    reused: int,
) -> dict[str, Any]:
    """The figures over the questions asked so far."""
    from evals.squad import RECALL_AT

    summary: dict[str, Any] = {
        "dataset": args.dev,
        "sample": {"questions": len(records), "of_limit": args.limit, "seed": args.seed},
        "reader": args.reader,
        "top_k": args.top_k,
        "corpus": {"articles": copied.articles, "sentences": copied.sentences, "chunks": copied.chunks},
        "migrate_seconds": round(migrate_s, 1),
        "readings_reused": reused,
    }
    for name in names:
        rows = [r[name] for r in records]
        times = [r["search_s"] for r in rows]
        summary[name] = {
            **{f"recall@{k}": round(sum(r[f"recall@{k}"] for r in rows) / len(rows), 4) for k in RECALL_AT},
            "f1": round(100 * statistics.fmean(r["f1"] for r in rows), 2),
            "exact_match": round(100 * statistics.fmean(r["em"] for r in rows), 2),
            "abstained": sum(r["answer"] is None for r in rows),
            "search_ms_p50": round(1000 * percentile(times, 0.5), 2),
            "search_ms_p95": round(1000 * percentile(times, 0.95), 2),
        }
    summary["agreement"] = {
        "same_top5_articles": sum(r["embedded"]["ranked"] == r["milvus"]["ranked"] for r in records),
        "same_answer": sum(r["embedded"]["answer"] == r["milvus"]["answer"] for r in records),
        "same_answer_and_citations": sum(
            (r["embedded"]["answer"], r["embedded"]["citations"]) == (r["milvus"]["answer"], r["milvus"]["citations"])
            for r in records
        ),
        "of": len(records),
    }
    return summary


if __name__ == "__main__":
    sys.exit(main())
