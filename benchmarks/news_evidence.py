"""How often a NewsQA answer lies in what the reader could be shown, per way of choosing evidence.

    python benchmarks/news_evidence.py ../shared/data/newsqa-dev --limit 100 --seed 7
    python benchmarks/news_evidence.py ../shared/data/newsqa-dev --limit 100 --seed 21 --held-out-from 7
    python benchmarks/news_evidence.py ../shared/data/newsqa-dev --limit 100 --seed 7 --chunk-chars 1200

Open setting over the dev stories: the top 4 chunks are retrieved as citeqa does and their
sentences chosen in several ways (the ranking of qa/evidence.py with other weights; only the best
passage's story; each of the first sentences with its neighbours). A hit is counted when a gold
answer lies inside one of the chosen sentences. No LLM is run: this bounds what the reader can
answer, and the characters are what it costs to show. ``--chunk-chars`` indexes the stories with
another chunk size (in an index folder of its own) to see what chunking long stories changes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals import newsqa
from evals.squad import RECALL_AT, Question, cached_index
from index.build import build_index
from index.chunk import DEFAULT_CHUNK_CHARS
from index.errors import IndexMismatchError
from index.stores import Store
from qa import EvidenceWeights, Hit, Pipeline
from qa.evidence import rank_sentences
from qa.types import Sentence

DEPTHS = (2, 3, 4, 5, 6)
Chooser = Callable[[Store, Question, np.ndarray, Sequence[Hit], int], list[Sentence]]


def ranked(weights: EvidenceWeights, own_story_only: bool = False) -> Chooser:
    def choose(store: Store, q: Question, vector: np.ndarray, hits: Sequence[Hit], k: int) -> list[Sentence]:
        if own_story_only:
            hits = [h for h in hits if h.chunk.article_id == hits[0].chunk.article_id]
        return [e.sentence for e in rank_sentences(store, q.question, vector, hits, weights)[:k]]

    return choose


def with_neighbours(first: int) -> Chooser:
    """The best ``first`` sentences, then their neighbours either side until k are chosen."""

    def choose(store: Store, q: Question, vector: np.ndarray, hits: Sequence[Hit], k: int) -> list[Sentence]:
        best = [e.sentence for e in rank_sentences(store, q.question, vector, hits)[:first]]
        chosen = {(s.article_id, s.index): s for s in best}
        for s in best:
            for index in (s.index - 1, s.index + 1):
                sentences = store.sentences[s.article_id]
                if len(chosen) < k and 0 <= index < len(sentences):
                    chosen.setdefault((s.article_id, index), sentences[index])
        return list(chosen.values())

    return choose


CHOOSERS: dict[str, Chooser] = {
    "default order (lexical 0.3, rank 0.05)": ranked(EvidenceWeights()),
    "lexical 0.7": ranked(EvidenceWeights(lexical=0.7)),
    "score order (lexical 0.7, score 1.5, rank 0)": ranked(
        EvidenceWeights(lexical=0.7, passage_score=1.5, rank_penalty=0.0)
    ),
    "lexical 0.5, rank 0.1": ranked(EvidenceWeights(lexical=0.5, rank_penalty=0.1)),
    "best passage's story only": ranked(EvidenceWeights(), own_story_only=True),
    "best 1 + neighbours": with_neighbours(1),
    "best 2 + neighbours": with_neighbours(2),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("newsqa", help="the NewsQA dev folder (stories/ and questions.jsonl)")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--seed", type=int, default=newsqa.DEFAULT_SEED)
    parser.add_argument("--held-out-from", type=int, help="leave out this seed's sample")
    parser.add_argument("--chunk-chars", type=int, default=DEFAULT_CHUNK_CHARS, help="chunk size to index with")
    args = parser.parse_args()
    stories, questions = newsqa.load_newsqa(args.newsqa)
    if args.held_out_from is not None:
        fitted = {q.id for q in newsqa.sample(questions, args.limit, args.held_out_from)}
        questions = [q for q in questions if q.id not in fitted]
    if args.chunk_chars == DEFAULT_CHUNK_CHARS:
        index_dir = cached_index(stories, newsqa.index_dir_for(stories))
    else:
        index_dir = newsqa.index_dir_for(stories).with_name(f"index-chunks{args.chunk_chars}")
        try:
            build_index([stories], index_dir, chunk_chars=args.chunk_chars)
        except IndexMismatchError:
            build_index([stories], index_dir, chunk_chars=args.chunk_chars, rebuild=True)
    pipeline = Pipeline(index_dir, reader="sentence")
    retriever, store = pipeline.retriever, pipeline.store
    indexed = newsqa.indexed_story_ids(stories, store)
    found = []
    for q in newsqa.sample(questions, args.limit, args.seed):
        q = Question(q.id, q.question, q.answers, indexed.get(q.article_id, q.article_id))
        vector = retriever.embed_query(q.question)
        found.append((q, vector, retriever.search(q.question, max(RECALL_AT), query_vector=vector)))
    recall = {
        k: sum(q.article_id in [h.chunk.article_id for h in hits[:k]] for q, _, hits in found) / len(found)
        for k in RECALL_AT
    }
    found = [(q, vector, hits[:4]) for q, vector, hits in found]
    in_passages = sum(
        any(a in store.articles[h.chunk.article_id].text[h.chunk.start : h.chunk.end] for h in hits for a in q.answers)
        for q, _, hits in found
    )
    print(f"{len(found)} questions (seed {args.seed}); answer in the first k sentences (mean characters shown)")
    print(f"chunks of {args.chunk_chars} characters: {len(store.chunks)}; ", end="")
    print("story recall " + ", ".join(f"@{k} {v:.2f}" for k, v in recall.items()))
    print(f"answer in the 4 passages read: {in_passages / len(found):.2f}\n")
    print("| evidence | " + " | ".join(f"k={k}" for k in DEPTHS) + " |")
    print("| --- |" + " --- |" * len(DEPTHS))
    for name, choose in CHOOSERS.items():
        cells = []
        for k in DEPTHS:
            hit = chars = 0
            for q, vector, hits in found:
                texts = [store.articles[s.article_id].text[s.start : s.end] for s in choose(store, q, vector, hits, k)]
                hit += any(a in t for t in texts for a in q.answers)
                chars += sum(map(len, texts))
            cells.append(f"{hit / len(found):.2f} ({chars / len(found):.0f})")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
