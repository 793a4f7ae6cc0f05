"""Milvus Lite at scale beside the embedded store's FAISS index: build, disk, memory, latency, recall@10.

The chunks are ``--chunks`` realistic vectors (``benchmarks/performance.py``'s generator: two real
SQuAD sentence embeddings mixed, plus noise; real SQuAD questions as queries), ten chunks an
article, each with the BM25 terms of two dev sentences and a date. They are written to a Milvus Lite
store made by citeqa's own schema (HNSW M=32, efConstruction=200, the BM25 function) and, beside
it, to the index citeqa's embedded store builds from 50,000 chunks on (FAISS HNSW32-SQ8,
efConstruction 80, efSearch 1024). Recall@10 is against exact search over the same vectors.

    nice -n 10 .venv/bin/python benchmarks/milvus_scale.py ../shared/data/squad-v1.1/dev-v1.1.json \\
        --chunks 100000 --queries 200 --out milvus-scale.json

Milvus Lite runs inside this process, so the resident memory reported is this process's, measured
before and after the store is written and loaded. Only the chunks collection is written (the
sentence vectors evidence ranking reads are not searched; at ~4 sentences a chunk they add ~4x the
chunk vectors' bytes on disk in both stores).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def rss_mib(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def progress(message: str, since: float) -> None:
    # Hours-long runs: say where they are, so a stopped one still tells how far it got.
    print(f"[{time.perf_counter() - since:8.1f} s, rss {rss_mib():,.0f} MiB] {message}", file=sys.stderr, flush=True)


def disk_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def latency(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(1000 * ordered[len(ordered) // 2], 2),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def recall(found: list[list[int]], truth: np.ndarray) -> float:
    return round(float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])), 4)


def wait_for_background_indexes(store: Path, collection: str) -> None:
    """Milvus Lite compacts segments and builds their indexes on a worker thread after a flush and
    searches unindexed segments exhaustively meanwhile: wait for it, so searches meet what a store
    in use has. Lite runs in this process; its worker has no public drain (``_wait_for_bg`` is its own tests')."""
    from milvus_lite.server_manager import server_manager_instance

    _, db, _ = server_manager_instance._servers[str(store.resolve())]
    db.get_collection(collection)._wait_for_bg()


def embedded_row(data: np.ndarray, xq: np.ndarray, truth: np.ndarray) -> dict[str, Any]:
    import faiss

    from index.stores.embedded import vector_index

    before = rss_mib()
    t = time.perf_counter()
    index = vector_index(data, approximate_from=0)
    build_s = time.perf_counter() - t
    times, found = [], []
    for q in xq:
        t = time.perf_counter()
        _, ids = index.search(q.reshape(1, -1), 10)
        times.append(time.perf_counter() - t)
        found.append([int(i) for i in ids[0]])
    row = {
        "build_s": round(build_s, 1),
        "index_mib": round(faiss.serialize_index(index).nbytes / 2**20, 1),
        "rss_added_mib": round(rss_mib() - before, 1),
        **latency(times),
        "recall@10": recall(found, truth),
    }
    del index
    return row


def main(argv: list[str] | None = None) -> int:
    from performance import realistic_vectors

    from evals.squad import load_squad
    from index.bm25 import tokenize
    from index.chunk import split_sentences
    from index.stores.milvus_schema import MilvusManifest, connect, create_collections, parse_location

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("squad", type=Path)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--store", type=Path, default=Path("/tmp/citeqa-milvus-scale.db"))
    parser.add_argument("--out")
    parser.add_argument("--skip-milvus", action="store_true", help="only the embedded store's index")
    parser.add_argument("--reuse", action="store_true", help="search the store --store holds (built by a run before)")
    parser.add_argument(
        "--skip-embedded", action="store_true", help="only Milvus Lite (the embedded index at 1M is measured already)"
    )
    args = parser.parse_args(argv)
    n = args.chunks

    data, xq = realistic_vectors(args.squad, n, args.queries)
    paragraphs, questions = load_squad(args.squad)
    sentences = [ctx[s.start : s.end] for _, ctx in paragraphs.values() for s in split_sentences(ctx, 0)]
    rng = random.Random(0)
    query_terms = [" ".join(tokenize(q.question)) for q in rng.sample(questions, args.queries)]
    truth = np.argsort(-(xq @ data.T), axis=1)[:, :10]  # exact search
    out: dict[str, Any] = {"chunks": n, "articles": n // 10, "queries": args.queries, "dimension": data.shape[1]}

    # The embedded store's vector index.
    if not args.skip_embedded:
        out["embedded_faiss_hnsw32_sq8"] = embedded_row(data, xq, truth)

    if args.skip_milvus:
        print(json.dumps(out, indent=2))
        return 0

    # Milvus Lite, citeqa's schema.
    reuse = args.reuse and args.store.exists()
    if not reuse:
        shutil.rmtree(args.store, ignore_errors=True)
    location = parse_location(f"milvus:{args.store}")
    before = rss_mib()
    client = connect(location)
    name = location.name("chunks")
    insert_s = None
    if not reuse:
        create_collections(client, location, MilvusManifest(1, "bench/realistic", data.shape[1], True, 800, 1))
        t = time.perf_counter()
        for begin in range(0, n, 2_000):
            rows = []
            for k in range(begin, min(n, begin + 2_000)):
                terms = " ".join(
                    tokenize(sentences[(7 * k) % len(sentences)] + " " + sentences[(13 * k + 5) % len(sentences)])
                )
                rows.append(
                    {
                        "pk": f"a{k // 10:07d}#{k % 10:06d}",
                        "article_id": f"a{k // 10:07d}",
                        "idx": k % 10,
                        "start": 0,
                        "end": 1,
                        "first_sentence": 0,
                        "last_sentence": 1,
                        "published": 20150101 + (k // 10) % 3650,
                        "batch": 1,
                        "terms": terms,
                        "vector": data[k].tolist(),
                    }
                )
            client.insert(name, rows)
            if (begin // 2_000) % 25 == 0:
                progress(f"inserted {begin + len(rows):,} of {n:,}", t)
        insert_s = time.perf_counter() - t
    t = time.perf_counter()
    client.flush(name)
    progress("flushed", t)
    client.release_collection(name)
    client.load_collection(name)  # loads the sealed segments with their built indexes
    index_s = time.perf_counter() - t
    progress("loaded", t)
    t = time.perf_counter()
    wait_for_background_indexes(args.store, name)
    background_s = time.perf_counter() - t
    progress("background index builds done", t)
    rss = rss_mib() - before
    dense_times, found = [], []
    for q in xq:
        t = time.perf_counter()
        hits = client.search(
            name,
            data=[q.tolist()],
            anns_field="vector",
            limit=10,
            output_fields=["idx", "article_id"],
            search_params={"metric_type": "IP", "params": {"ef": 256}},
        )[0]
        dense_times.append(time.perf_counter() - t)
        found.append([int(h["entity"]["article_id"][1:]) * 10 + int(h["entity"]["idx"]) for h in hits])
    bm25_times = []
    for terms in query_terms:
        t = time.perf_counter()
        client.search(
            name,
            data=[terms],
            anns_field="sparse",
            limit=50,
            output_fields=["idx"],
            search_params={"metric_type": "BM25"},
        )
        bm25_times.append(time.perf_counter() - t)
    filtered_times = []
    for q in xq:
        t = time.perf_counter()
        client.search(
            name,
            data=[q.tolist()],
            anns_field="vector",
            limit=10,
            filter="published >= 20200101 and published <= 20201231",
            output_fields=["idx"],
            search_params={"metric_type": "IP", "params": {"ef": 256}},
        )
        filtered_times.append(time.perf_counter() - t)
    out["milvus_lite_hnsw32"] = {
        "insert_s": None if insert_s is None else round(insert_s, 1),
        "flush_and_load_s": round(index_s, 1),
        "background_index_s": round(background_s, 1),
        "disk_mib": round(disk_mib(args.store), 1),
        "rss_added_mib": round(rss, 1),
        "peak_rss_mib": round(rss_mib("VmHWM"), 1),
        "dense": {**latency(dense_times), "recall@10": recall(found, truth)},
        "bm25_top50": latency(bm25_times),
        "dense_with_date_filter": latency(filtered_times),
    }
    print(json.dumps(out, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
