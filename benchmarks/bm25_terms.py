"""BM25 terms and parameters on SQuAD v1.1 dev, open setting: recall of the hybrid retriever.

    python benchmarks/bm25_terms.py ../shared/data/squad-v1.1/dev-v1.1.json --seeds 7 13 \\
        --params 1.5,0.75 0.6,0.4 --weights 0.5 0.7
    python benchmarks/bm25_terms.py ../shared/data/squad-v1.1/dev-v1.1.json --limit 0   # all 10,570

Each row rebuilds the BM25 of the evaluation's index (its vectors stay as built) with one way of
making terms and one (k1, b), and asks every sample's questions through the hybrid retriever with
one BM25 weight. ``plural-s`` is how terms were made before Snowball stems: lower-cased words,
stop words removed, a final "s" dropped from words of more than 3 letters. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import index.bm25 as bm25_module
from evals.squad import RECALL_AT, corpus_dir, load_squad, sample
from index import build_index, load_index
from index.embed import make_embedder
from qa.retrieve import LEXICAL_WEIGHT, HybridRetriever


def plural_s(text: str) -> list[str]:
    tokens = []
    for token in bm25_module._TOKEN.findall(text.lower()):
        if token in bm25_module.STOPWORDS:
            continue
        if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
            token = token[:-1]
        tokens.append(token)
    return tokens


TOKENIZERS = {
    bm25_module.PLURAL_S: bm25_module.Tokenizer(bm25_module.PLURAL_S, plural_s),
    "snowball": bm25_module.SNOWBALL,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("squad")
    parser.add_argument("--limit", type=int, default=1000, help="questions per sample (0: all of them)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 13])
    parser.add_argument("--tokenizers", nargs="+", default=list(TOKENIZERS), choices=TOKENIZERS)
    parser.add_argument(
        "--params",
        nargs="+",
        default=[f"{bm25_module.DEFAULT_K1},{bm25_module.DEFAULT_B}"],
        help="k1,b pairs",
    )
    parser.add_argument("--weights", type=float, nargs="+", default=[LEXICAL_WEIGHT], help="BM25 weights in fusion")
    args = parser.parse_args()

    paragraphs, questions = load_squad(args.squad)
    root = corpus_dir(args.squad, paragraphs)
    build_index([root / "corpus"], root / "index")
    index = load_index(root / "index")
    embedder = make_embedder(index.manifest.embedding_model)
    samples = (
        {"all": questions} if args.limit == 0 else {f"seed {s}": sample(questions, args.limit, s) for s in args.seeds}
    )
    # One question per call, as answer() embeds it: the int8 model quantizes each batch's
    # activations with one scale, so a question's vector depends on what it is batched with.
    vectors = {name: [embedder.embed([q.question])[0] for q in qs] for name, qs in samples.items()}
    columns = " | ".join(f"{name}: R@{'/'.join(map(str, RECALL_AT))}" for name in samples)
    print(f"{len(index.chunks)} chunks; questions per sample: {len(next(iter(samples.values())))}\n")
    print(f"| terms | k1 | b | BM25 weight | {columns} |")
    print("| --- | --- | --- | --- |" + " --- |" * len(samples))
    for name in args.tokenizers:
        for pair in args.params:
            k1, b = (float(x) for x in pair.split(","))
            bm25 = bm25_module.BM25.build([c.text for c in index.chunks], k1=k1, b=b, tokenizer=TOKENIZERS[name])
            rebuilt = dataclasses.replace(index, bm25=bm25)
            for weight in args.weights:
                retriever = HybridRetriever(rebuilt, embedder, lexical_weight=weight)
                cells = []
                for sample_name, qs in samples.items():
                    found = dict.fromkeys(RECALL_AT, 0)
                    for q, vector in zip(qs, vectors[sample_name], strict=True):
                        hits = retriever.search(q.question, max(RECALL_AT), query_vector=vector)
                        ranked = [h.chunk.article_id for h in hits]
                        for k in RECALL_AT:
                            found[k] += q.article_id in ranked[:k]
                    cells.append("/".join(f"{found[k] / len(qs):.3f}" for k in RECALL_AT))
                print(f"| {name} | {k1} | {b} | {weight} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
