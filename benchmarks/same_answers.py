"""Record every answer and citation on a fixed set of questions, and compare two records.

A refactoring that promises unchanged behaviour is checked by running this before and after it:

    python benchmarks/same_answers.py ../shared/data/squad-v1.1/dev-v1.1.json --out before.json
    (change the code)
    python benchmarks/same_answers.py ../shared/data/squad-v1.1/dev-v1.1.json --out after.json
    python benchmarks/same_answers.py --compare before.json after.json

The questions: 200 SQuAD v1.1 dev questions (open setting, seed 7, the whole dev set indexed)
and the seed article's questions, including follow-ups. Each answer's text, score, reason,
citations (offsets and quotes) and the passages shown with an abstention are recorded.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

SEED_QUESTIONS = (
    "Who led the armed group?",
    "Who is Germany's ambassador to the US?",
    "What party is Milan Radoičić the deputy leader of?",
    "Who did Blinken speak with?",
    "Who took responsibility for the shootout?",
    "What did Vučić allege?",
    "Why did Serbia pull troops back?",
    "What is the capital of Australia?",
    "Who won the 2022 World Cup?",
    "When did the Serbian army invade Kosovo?",
    "Was anyone killed?",
    "What happened?",
    "What is the latest news about Kosovo?",
    "How did the US respond?",
)
FOLLOW_UPS = ((("Who led the armed group?", "Milan Radoičić"),), "What party is he the deputy leader of?")


def record(answer: Any) -> dict[str, Any]:
    def citation(c: Any) -> dict[str, Any]:
        return {
            "article_id": c.article_id,
            "start": c.start,
            "end": c.end,
            "quote": c.quote,
            "answer_start": c.answer_start,
            "answer_end": c.answer_end,
        }

    return {
        "question": answer.question,
        "text": answer.text,
        "score": round(float(answer.score), 6),
        "reason": answer.reason,
        "standalone_question": answer.standalone_question,
        "citations": [citation(c) for c in answer.citations],
        "considered": [citation(c) for c in answer.considered],
    }


def run(squad: str, limit: int, seed: int) -> dict[str, Any]:
    from index import build_index
    from qa import Pipeline

    try:  # where the SQuAD helpers live after the architecture step, and before it
        from evals.squad import corpus_dir, load_squad, sample
    except ImportError:
        from qa.squad import corpus_dir, load_squad, sample  # type: ignore[no-redef]

    out: dict[str, Any] = {"squad": [], "seeds": []}
    paragraphs, questions = load_squad(squad)
    root = corpus_dir(squad, paragraphs)
    build_index([root / "corpus"], root / "index")
    pipeline = Pipeline(root / "index", reader="llm")
    for i, q in enumerate(sample(questions, limit, seed), start=1):
        out["squad"].append({"id": q.id, **record(pipeline.answer(q.question))})
        print(f"\rsquad {i}/{limit}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    with tempfile.TemporaryDirectory() as folder:
        build_index([seeds], folder)
        seeds_pipeline = Pipeline(folder, reader="llm")
        for question in SEED_QUESTIONS:
            out["seeds"].append(record(seeds_pipeline.answer(question)))
        history, follow_up = FOLLOW_UPS
        out["seeds"].append(record(seeds_pipeline.answer(follow_up, history=history)))
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    differences = 0
    for part in ("squad", "seeds"):
        if len(before[part]) != len(after[part]):
            print(f"{part}: {len(before[part])} answers before, {len(after[part])} after")
            differences += 1
            continue
        for old, new in zip(before[part], after[part], strict=True):
            changed = [key for key in old if old[key] != new.get(key)]
            if changed:
                differences += 1
                print(f"{part}: {old['question']!r} differs in {', '.join(changed)}")
                for key in changed:
                    print(f"    before {key}: {old[key]!r}\n    after  {key}: {new.get(key)!r}")
    total = len(before["squad"]) + len(before["seeds"])
    print(f"{differences} of {total} answers differ")
    return 1 if differences else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("squad", nargs="?", help="path to SQuAD v1.1 dev-v1.1.json")
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", help="write the record here")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="compare two records")
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(Path(p).read_text(encoding="utf-8")) for p in args.compare)
        return compare(before, after)
    if not args.squad or not args.out:
        parser.error("give the SQuAD file and --out, or --compare BEFORE AFTER")
    Path(args.out).write_text(json.dumps(run(args.squad, args.limit, args.seed), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
