"""The news-FAQ set scored on its two halves (dev: crc32(id) even; held-out: odd), to choose a rule
on one and confirm it on the other.

    python benchmarks/faq_halves.py evals/data/news_faq.jsonl --kinds yes/no
"""

from __future__ import annotations

import argparse
import json
import zlib

from evals import faq


def half(record_id: str) -> str:
    return "dev" if zlib.crc32(record_id.encode()) % 2 == 0 else "held-out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--kinds", nargs="+")
    parser.add_argument("--reader", default="llm")
    args = parser.parse_args()
    records = faq.evaluate(args.path, kinds=args.kinds, reader=args.reader)["questions"]
    out = {}
    for name in ("dev", "held-out"):
        group = [r for r in records if half(r["id"]) == name]
        answerable = [r for r in group if r["answerable"]]
        unanswerable = [r for r in group if not r["answerable"]]
        out[name] = {
            "questions": len(group),
            "right": round(sum(r["right"] for r in group) / max(1, len(group)), 3),
            "abstained_answerable": round(sum(r["abstained"] for r in answerable) / max(1, len(answerable)), 3),
            "abstained_unanswerable": round(sum(r["abstained"] for r in unanswerable) / max(1, len(unanswerable)), 3),
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
