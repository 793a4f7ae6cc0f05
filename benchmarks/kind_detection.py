"""How often the rules read a question's labelled kind, per labelled file, and how many of the
SQuAD v1.1 dev sample they route away from the factoid reader (no model but spaCy's parser).

    python benchmarks/kind_detection.py ../shared/data/squad-v1.1/dev-v1.1.json evals/data/*.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals import squad
from qa.kinds.detect import classify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", help="SQuAD v1.1 dev JSON")
    parser.add_argument("labelled", nargs="*", help="labelled files with 'question' and 'kind' per line")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    _, questions = squad.load_squad(args.squad)
    chosen = squad.sample(questions, args.limit, args.seed)
    print(f"SQuAD {len(chosen)} (seed {args.seed}):", dict(Counter(classify(q.question).kind for q in chosen)))
    for path in args.labelled:
        rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        rows = [r for r in rows if "kind" in r]
        misread = [(r["kind"], classify(r["question"]).kind, r["question"]) for r in rows]
        misread = [m for m in misread if m[0] != m[1]]
        print(f"{path}: {len(rows)} questions, kind misread {len(misread)}")
        for labelled, read, question in misread:
            print(f"    {labelled} read as {read}: {question}")


if __name__ == "__main__":
    main()
