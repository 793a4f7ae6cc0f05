"""One reader configuration on a fixed SQuAD sample: open, closed and unanswerable, with timings.

    python benchmarks/reader_sweep.py ../shared/data/squad-v1.1/dev-v1.1.json --sentences 3
    python benchmarks/reader_sweep.py ../shared/data/squad-v1.1/dev-v1.1.json --sentences 6 \\
        --lexical 0 --score-weight 0 --heading-penalty 0 --single-look   # the first session's
    python benchmarks/reader_sweep.py ../shared/data/squad-v1.1/dev-v1.1.json --lexical 0.3 \\
        --score-weight 0 --rank-penalty 0.05 --heading-penalty 0        # the fifth round's order
    python benchmarks/reader_sweep.py ../shared/data/squad-v1.1/dev-v1.1.json \\
        --layout question-first --settings open closed      # the question before the passages

Unlike ``citeqa eval`` this varies the reader's knobs (evidence sentences shown, their order, the
second look, the support check, the prompt layout) and keeps every answer's signals and time in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals.squad import SETTINGS, best_over, corpus_dir, exact_match, f1, load_squad, own_passages, passages_for, sample
from qa import EvidenceWeights, LlamaReader, Pipeline
from qa.readers import LLM_SUPPORT
from qa.readers.llama import DEFAULT_LAYOUT, LAYOUTS, SECOND_LOOK_BELOW
from qa.readers.presets import MAX_SENTENCES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("squad")
    defaults = EvidenceWeights()
    parser.add_argument("--sentences", type=int, default=MAX_SENTENCES)
    parser.add_argument("--lexical", type=float, default=defaults.lexical)
    parser.add_argument("--score-weight", type=float, default=defaults.passage_score)
    parser.add_argument("--rank-penalty", type=float, default=defaults.rank_penalty)
    parser.add_argument("--heading-penalty", type=float, default=defaults.heading_penalty)
    parser.add_argument("--single-look", action="store_true", help="no second look at more evidence")
    parser.add_argument("--no-support", action="store_true", help="no support check")
    parser.add_argument("--layout", default=DEFAULT_LAYOUT, choices=LAYOUTS)
    parser.add_argument("--titles", action=argparse.BooleanOptionalAction, default=False, help="passages under titles")
    parser.add_argument("--settings", nargs="+", default=SETTINGS, choices=SETTINGS)
    parser.add_argument("--model", default=None, help="GGUF name or path (default: the default reader's)")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out")
    args = parser.parse_args()
    weights = EvidenceWeights(
        lexical=args.lexical,
        passage_score=args.score_weight,
        rank_penalty=args.rank_penalty,
        heading_penalty=args.heading_penalty,
    )
    reader = LlamaReader(
        *([args.model] if args.model else []),
        max_sentences=args.sentences,
        support=None if args.no_support else LLM_SUPPORT,
        layout=args.layout,
        titles=args.titles,
        second_look_below=-1.0 if args.single_look else SECOND_LOOK_BELOW,
        repack=True,  # as citeqa eval does: many answers from one load
    )
    paragraphs, questions = load_squad(args.squad)
    pipeline = Pipeline(corpus_dir(args.squad, paragraphs) / "index", reader=reader, evidence=weights)
    retriever = pipeline.retriever
    own = own_passages(pipeline.store)
    chosen = sample(questions, args.limit, args.seed)
    pipeline.read("Warm up?", own[chosen[0].article_id])
    rows = []
    for q in chosen:
        for setting in args.settings:
            began = time.perf_counter()
            vector = retriever.embed_query(q.question)
            hits = passages_for(setting, q, retriever, vector, own, 4)
            hits = hits[:4] if setting == "open" else hits
            result = pipeline.read(q.question, hits, query_vector=vector)
            row = {"id": q.id, "setting": setting, "seconds": time.perf_counter() - began, "answer": result.text}
            row["signals"] = asdict(result.signals) if result.signals else None
            if result.text is not None:
                row["f1"] = best_over(f1, result.text, q.answers)
                row["exact_match"] = best_over(exact_match, result.text, q.answers)
                row["citation_hit"] = any(a in result.citations[0].quote for a in q.answers)
            rows.append(row)
    summary = {}
    for setting in args.settings:
        mine = [r for r in rows if r["setting"] == setting]
        n = len(mine)
        summary[setting] = {
            "EM": round(100 * sum(r.get("exact_match", 0) for r in mine) / n, 1),
            "F1": round(100 * sum(r.get("f1", 0) for r in mine) / n, 1),
            "citation hit": round(sum(r.get("citation_hit", 0) for r in mine) / n, 3),
            "abstained": round(sum(r["answer"] is None for r in mine) / n, 3),
            "median s": round(statistics.median(r["seconds"] for r in mine), 2),
        }
    print(json.dumps({"args": vars(args), **summary}, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps({"args": vars(args), "summary": summary, "questions": rows}))


if __name__ == "__main__":
    main()
