"""How often the answer lies in the first k evidence sentences, per way of ordering them.

    python benchmarks/evidence_selection.py ../shared/data/squad-v1.1/dev-v1.1.json --limit 500

Open setting on SQuAD dev (every paragraph indexed): for each question the top 4 chunks are
retrieved as citeqa does, their sentences are ordered by ``cosine + lexical * overlap + weight *
(passage score - best passage score) - penalty * passage rank`` (see qa.pipeline), and a hit is
counted when a gold answer string lies inside one of the first k sentences. No LLM is run: this
measures what the reader gets to see.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals.squad import DEFAULT_SEED, cached_index, corpus_dir, load_squad, sample
from qa import EvidenceWeights, Pipeline
from qa.evidence import rank_sentences

# name: (overlap weight, passage score weight, passage rank penalty, heading penalty)
ORDERS = {
    "cosine": (0.0, 0.0, 0.0, 0.0),
    "cosine + 0.3 overlap": (0.3, 0.0, 0.0, 0.0),
    "cosine + 0.3 overlap - 0.05 rank (fifth round)": (0.3, 0.0, 0.05, 0.0),
    "cosine + 0.7 overlap - 0.05 rank": (0.7, 0.0, 0.05, 0.0),
    "cosine + 0.3 overlap + 1.5 score": (0.3, 1.5, 0.0, 0.0),
    "cosine + 0.7 overlap + 1.0 score": (0.7, 1.0, 0.0, 0.0),
    "cosine + 0.7 overlap + 1.5 score": (0.7, 1.5, 0.0, 0.0),
    "cosine + 1.0 overlap + 2.0 score": (1.0, 2.0, 0.0, 0.0),
    "cosine + 0.3 overlap - 0.05 rank, headings last (default)": (0.3, 0.0, 0.05, 1.0),
    "cosine + 0.7 overlap + 1.5 score, headings last": (0.7, 1.5, 0.0, 1.0),
}
DEPTHS = (1, 2, 3, 4, 6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("squad", help="dev-v1.1.json")
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    paragraphs, questions = load_squad(args.squad)
    root = corpus_dir(args.squad, paragraphs)
    cached_index(root / "corpus", root / "index")
    pipeline = Pipeline(root / "index", reader="sentence")
    retriever, index = pipeline.retriever, pipeline.store
    chosen = sample(questions, args.limit, args.seed)
    asked = [(q, retriever.embed_query(q.question)) for q in chosen]
    found = [(q, v, retriever.search(q.question, 4, query_vector=v)) for q, v in asked]
    print(f"{len(chosen)} questions (seed {args.seed}); hit rate and mean characters shown, first k sentences\n")
    print("| order | " + " | ".join(f"k={k}" for k in DEPTHS) + " |")
    print("| --- |" + " --- |" * len(DEPTHS))
    for name, (lexical, weight, penalty, heading) in ORDERS.items():
        order = EvidenceWeights(lexical=lexical, passage_score=weight, rank_penalty=penalty, heading_penalty=heading)
        hits = dict.fromkeys(DEPTHS, 0)
        chars = dict.fromkeys(DEPTHS, 0)
        for q, vector, found_hits in found:
            texts = [e.text for e in rank_sentences(index, q.question, vector, found_hits, order)]
            for k in DEPTHS:
                hits[k] += any(a in t for t in texts[:k] for a in q.answers)
                chars[k] += sum(map(len, texts[:k]))
        n = len(found)
        cells = [f"{hits[k] / n:.3f} ({chars[k] / n:.0f} ch)" for k in DEPTHS]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
