"""The reader's own check of its answer, against near misses: is a threshold on it worth its cost?

After answering, the reader can be asked in the same conversation whether its passage gives that
answer to the question as asked (``LlamaReader(check_below=...)``). ``collect`` runs the default
pipeline with the check asked but never refusing (``check_below=0``), on the near-miss set and on
answerable SQuAD and NewsQA samples, and writes every answer with its ``checked`` probability;
``sweep`` then scores each threshold offline (a check only withholds, so withholding the recorded
answers below it gives what a run with it would give), on the dev samples and the held-out ones:

    python benchmarks/answer_check.py collect --out check.json
    python benchmarks/answer_check.py collect --near-miss-limit 40 --answerable 25 \
        --samples squad-dev newsqa-dev newsqa-held-out --out check-small.json   # a quarter of it
    python benchmarks/answer_check.py sweep check.json

Dev: the near misses' even ``crc32(id)`` half, SQuAD seed 13 and NewsQA seed 7 (100 each);
held out: the odd half, SQuAD seed 7 and NewsQA seed 21 (seed 7's questions left out).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SAMPLES = {  # name: (benchmark, seed, limit)
    "squad-dev": ("squad", 13, 100),
    "squad-held-out": ("squad", 7, 100),
    "newsqa-dev": ("newsqa", 7, 100),
    "newsqa-held-out": ("newsqa", 21, 150),
}
THRESHOLDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def collect(args: argparse.Namespace) -> None:
    from evals import nearmiss, newsqa, squad
    from qa import LlamaReader
    from qa.llm import DEFAULT_LLM, ChatModel
    from qa.readers import LLM_SUPPORT
    from qa.readers.check import CHECK_CONTEXT
    from qa.readers.presets import MAX_SENTENCES

    reader = LlamaReader(
        max_sentences=MAX_SENTENCES,
        support=LLM_SUPPORT,
        chat_model=ChatModel(DEFAULT_LLM, repack=True),  # as citeqa eval: one load, many answers
        check_below=0.0,
        check_model=ChatModel(DEFAULT_LLM, n_ctx=CHECK_CONTEXT, repack=True),
    )
    out: dict[str, Any] = {}
    began = time.perf_counter()
    out["nearmiss"] = nearmiss.evaluate(args.near_miss, reader=reader, limit=args.near_miss_limit)["questions"]
    print(f"near misses done at {time.perf_counter() - began:.0f} s", flush=True)
    for name, (benchmark, seed, limit) in SAMPLES.items():
        if args.samples and name not in args.samples:
            continue
        limit = min(limit, args.answerable or limit)
        if benchmark == "squad":
            summary = squad.evaluate(args.squad, limit=limit, seed=seed, reader=reader, settings=("open",))
        else:
            summary = newsqa.evaluate(args.newsqa, limit=limit, seed=seed, reader=reader, settings=("open",))
        out[name] = summary["questions"]
        print(f"{name} done at {time.perf_counter() - began:.0f} s", flush=True)
        Path(args.out).write_text(json.dumps(out, indent=1), encoding="utf-8")
    Path(args.out).write_text(json.dumps(out, indent=1), encoding="utf-8")


def held_out_newsqa(records: list[dict[str, Any]], dev: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The held-out NewsQA sample without the dev sample's questions."""
    seen = {r["id"] for r in dev}
    return [r for r in records if r["id"] not in seen]


def withheld(record: dict[str, Any], threshold: float) -> bool:
    """Whether an answer shown in the run would be withheld by a check at ``threshold``."""
    return record["answer"] is not None and record.get("checked") is not None and record["checked"] < threshold


def row(records: list[dict[str, Any]], threshold: float, answerable: bool) -> str:
    """Abstention (and, for answerable questions, F1 and the right answers lost) with the check."""
    n = max(len(records), 1)
    abstained = sum(r["answer"] is None or withheld(r, threshold) for r in records) / n
    if not answerable:
        return f"{abstained:.3f}"
    f1 = 100 * sum(0.0 if withheld(r, threshold) else r["f1"] for r in records) / n
    lost = sum(withheld(r, threshold) and r["f1"] >= 0.5 for r in records)
    return f"{abstained:.3f} / {f1:.1f} ({lost})"


def sweep(args: argparse.Namespace) -> None:
    data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    near = data["nearmiss"]
    groups = {
        "near misses, dev": ([r for r in near if r["half"] == "dev"], False),
        "near misses, held-out": ([r for r in near if r["half"] != "dev"], False),
        "SQuAD dev (13)": (data.get("squad-dev"), True),
        "SQuAD held-out (7)": (data.get("squad-held-out"), True),
        "NewsQA dev (7)": (data.get("newsqa-dev"), True),
        "NewsQA held-out (21)": (
            held_out_newsqa(data.get("newsqa-held-out") or [], data.get("newsqa-dev") or []),
            True,
        ),
    }
    groups = {name: (records, answerable) for name, (records, answerable) in groups.items() if records}
    names = [f"{name} ({len(records)})" for name, (records, _) in groups.items()]
    print("| check below | " + " | ".join(names) + " |")
    print("| --- " * (len(names) + 1) + "|")
    for threshold in args.thresholds:
        cells = [row(records, threshold, answerable) for records, answerable in groups.values()]
        print(f"| {threshold:g} | " + " | ".join(cells) + " |")
    print("\nanswerable cells: abstained / F1 (right answers, F1 >= 0.5, withheld)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_collect = sub.add_parser("collect", help="answer every sample with the check recorded")
    p_collect.add_argument("--near-miss", default="evals/data/near_miss.jsonl")
    p_collect.add_argument("--near-miss-limit", type=int)
    p_collect.add_argument("--squad", default="../shared/data/squad-v1.1/dev-v1.1.json")
    p_collect.add_argument("--newsqa", default="../shared/data/newsqa-dev")
    p_collect.add_argument("--answerable", type=int, help="at most this many questions of each answerable sample")
    p_collect.add_argument("--samples", nargs="+", choices=list(SAMPLES), help="only these answerable samples")
    p_collect.add_argument("--out", required=True)
    p_sweep = sub.add_parser("sweep", help="score each threshold on the recorded answers")
    p_sweep.add_argument("file")
    p_sweep.add_argument("--thresholds", type=float, nargs="+", default=THRESHOLDS)
    args = parser.parse_args(argv)
    collect(args) if args.command == "collect" else sweep(args)


if __name__ == "__main__":
    main()
