"""Would chunk scores built from sentence vectors retrieve better than chunk vectors? (SQuAD open)

Every chunk is embedded as a whole today, and its sentences are embedded again at question time
to rank evidence. This measures the alternative of embedding each sentence once, at build time:
the cost of embedding all sentences against all chunks, and retrieval recall when a chunk's dense
score comes from its sentences (their mean; their best; blends), alone and fused with BM25 exactly
as :class:`qa.retrieve.HybridRetriever` fuses (cosine + 0.5 x BM25 / best BM25, over the union of
both top-50 lists). A question counts as found when its own paragraph is among the top k.

    python benchmarks/sentence_vectors.py ../shared/data/squad-v1.1/dev-v1.1.json --limit 1000 --seed 7
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from evals.squad import corpus_dir, load_squad, sample
from qa import Pipeline
from qa.retrieve import CANDIDATES, LEXICAL_WEIGHT

KS = (1, 5, 20)


def recall(scores: np.ndarray, articles: np.ndarray, gold: list[str]) -> dict[int, float]:
    """Share of questions whose own article is among the top k chunks, for each k in KS."""
    top = np.argsort(-scores, axis=1, kind="stable")[:, : max(KS)]
    return {k: float(np.mean([g in set(articles[top[i, :k]]) for i, g in enumerate(gold)])) for k in KS}


def fused(dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """The hybrid retriever's score over its candidates (others get -inf)."""
    out = np.full_like(dense, -np.inf)
    for i in range(dense.shape[0]):
        candidates = set(np.argsort(-dense[i], kind="stable")[:CANDIDATES].tolist())
        candidates |= {r for r in np.argsort(-lexical[i], kind="stable")[:CANDIDATES].tolist() if lexical[i, r] > 0}
        rows = np.fromiter(candidates, dtype=np.int64)
        scale = LEXICAL_WEIGHT / max(float(lexical[i].max()), 1e-9)
        out[i, rows] = dense[i, rows] + scale * lexical[i, rows]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("squad")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out")
    args = parser.parse_args()

    paragraphs, questions = load_squad(args.squad)
    retriever = Pipeline(corpus_dir(args.squad, paragraphs) / "index", reader="sentence").retriever
    index, embedder = retriever.store, retriever.embedder
    keys = [(a, s.index) for a, sentences in index.sentences.items() for s in sentences]
    row = {key: i for i, key in enumerate(keys)}
    sentence_texts = [
        index.articles[a].text[s.start : s.end] for a, sentences in index.sentences.items() for s in sentences
    ]
    members = [
        [row[c.article_id, s.index] for s in index.sentences[c.article_id][c.first_sentence : c.last_sentence]]
        for c in index.chunks
    ]

    embedder.embed(["warm up"])
    began = time.perf_counter()
    chunk_vectors = embedder.embed([c.text for c in index.chunks])
    chunk_s = time.perf_counter() - began
    began = time.perf_counter()
    sentence_vectors = embedder.embed(sentence_texts)
    sentence_s = time.perf_counter() - began
    mean = np.stack([sentence_vectors[m].mean(0) for m in members])
    mean /= np.linalg.norm(mean, axis=1, keepdims=True)

    chosen = sample(questions, args.limit, args.seed)
    queries = np.stack([retriever.embed_query(q.question) for q in chosen])
    lexical = np.stack([index.bm25.scores(q.question) for q in chosen])
    by_sentence = queries @ sentence_vectors.T
    best = np.stack([by_sentence[:, m].max(1) for m in members], axis=1)
    dense = {
        "chunk vector (today)": queries @ chunk_vectors.T,
        "mean of sentence vectors": queries @ mean.T,
        "best sentence": best,
        "(best sentence + mean) / 2": 0.5 * best + 0.5 * (queries @ mean.T),
        "(best sentence + chunk vector) / 2": 0.5 * best + 0.5 * (queries @ chunk_vectors.T),
    }
    articles = np.asarray([c.article_id for c in index.chunks])
    gold = [q.article_id for q in chosen]
    rows = [
        {
            "chunk score": name,
            "dense": recall(scores, articles, gold),
            "hybrid": recall(fused(scores, lexical), articles, gold),
        }
        for name, scores in dense.items()
    ]
    result = {
        "questions": len(chosen),
        "chunks": len(index.chunks),
        "sentences": len(keys),
        "embed_chunks_s": chunk_s,
        "embed_sentences_s": sentence_s,
        "rows": rows,
    }
    print(f"embedding {len(keys)} sentences took {sentence_s / chunk_s:.2f}x the time of {len(index.chunks)} chunks")
    print("| chunk score | dense R@1 | R@5 | R@20 | hybrid R@1 | R@5 | R@20 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        cells = [f"{r['dense'][k]:.3f}" for k in KS] + [f"{r['hybrid'][k]:.3f}" for k in KS]
        print(f"| {r['chunk score']} | " + " | ".join(cells) + " |")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
