"""Sweep the retriever's weights over a built SQuAD index: best-sentence share and BM25 weight.

Scores every chunk as ``w_best * best sentence cosine + (1 - w_best) * chunk cosine
+ w_bm25 * BM25 / best BM25`` from the stored sentence and chunk vectors (fused over all chunks,
not only the retriever's top-50 candidates, so figures can differ from it by ~0.001), and prints
recall@1/5/20 for each seed. Needs the index that ``citeqa eval squad`` builds.

    python benchmarks/retrieval_weights.py ../shared/data/squad-v1.1/dev-v1.1.json --limit 1000 --seeds 13 7
"""

from __future__ import annotations

import argparse

import numpy as np
from sentence_vectors import KS, recall  # same directory: run as a script

from evals.squad import corpus_dir, load_squad, sample
from index import load_index
from index.embed import make_embedder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("squad")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 7])
    parser.add_argument("--best", type=float, nargs="+", default=[0.3, 0.5, 0.7])
    parser.add_argument("--bm25", type=float, nargs="+", default=[0.3, 0.5, 0.7, 1.0])
    args = parser.parse_args()
    paragraphs, questions = load_squad(args.squad)
    index = load_index(corpus_dir(args.squad, paragraphs) / "index")
    embedder = make_embedder(index.manifest.embedding_model)
    sentence_vectors = np.asarray(index.sentence_vectors, dtype=np.float32)
    chunk_vectors = index.chunk_vectors()
    members = [
        np.arange(
            index.sentence_rows[c.article_id] + c.first_sentence, index.sentence_rows[c.article_id] + c.last_sentence
        )
        for c in index.chunks
    ]
    articles = np.asarray([c.article_id for c in index.chunks])
    print("| seed | best-sentence share | BM25 weight | R@1 | R@5 | R@20 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for seed in args.seeds:
        chosen = sample(questions, args.limit, seed)
        queries = embedder.embed([q.question for q in chosen])
        by_sentence = queries @ sentence_vectors.T
        best = np.stack([by_sentence[:, m].max(1) for m in members], axis=1)
        mean = queries @ chunk_vectors.T
        lexical = np.stack([index.bm25.scores(q.question) for q in chosen])
        lexical /= np.maximum(lexical.max(1, keepdims=True), 1e-9)
        gold = [q.article_id for q in chosen]
        for w_best in args.best:
            for w_bm25 in args.bm25:
                scores = w_best * best + (1 - w_best) * mean + w_bm25 * lexical
                found = recall(scores, articles, gold)
                cells = " | ".join(f"{found[k]:.3f}" for k in KS)
                print(f"| {seed} | {w_best} | {w_bm25} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
