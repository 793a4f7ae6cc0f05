"""answer() from 8 threads while another process runs incremental builds of the same index.

Each thread asks the same questions again and again; every answer must equal the one asked
alone before (text and citations: article, offsets, quote), with 0 errors, while a child process
keeps adding and removing unrelated articles (each build swaps generations under the readers).
The summary gives the load average at the start and the end (the machine may be shared).

    .venv/bin/python benchmarks/concurrent_answers.py --rounds 5 --reader sentence
    .venv/bin/python benchmarks/concurrent_answers.py --rounds 1 --reader llm   # the default reader
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "Who led the armed group?",
    "Who is Germany's ambassador to the US?",
    "What is the capital of Australia?",
    "What party is Milan Radoičić the deputy leader of?",
]
WRITER = """
import sys, time
from pathlib import Path
from index import build_index
corpus, ix, builds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
for i in range(builds):
    extra = corpus / "extra.txt"
    if i % 2:
        extra.unlink()
    else:
        extra.write_text(f"date 2024-01-0{1 + i % 9} Build {i}: the bakery on Mill Street won a prize for rye bread.")
    build_index([corpus], ix)
    print("built", i, flush=True)
"""


def key(a) -> tuple:
    return a.text, tuple((c.article_id, c.start, c.end, c.quote) for c in a.citations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="times each thread asks every question")
    parser.add_argument("--builds", type=int, default=6, help="incremental builds the other process runs")
    parser.add_argument("--reader", default="sentence")
    args = parser.parse_args(argv)
    from index import build_index
    from qa import answer

    with tempfile.TemporaryDirectory() as scratch:
        corpus, ix = Path(scratch) / "corpus", Path(scratch) / "ix"
        shutil.copytree(ROOT / "seeds", corpus)
        build_index([corpus], ix)
        alone = {q: key(answer(q, index_dir=ix, reader=args.reader)) for q in QUESTIONS}
        load_before = os.getloadavg()[0]
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(corpus), str(ix), str(args.builds)], cwd=ROOT)
        errors: list[str] = []
        mismatches: list[str] = []
        latencies: list[float] = []
        during = [0]  # answers that finished while the writer was still building
        lock = threading.Lock()

        def ask(worker: int) -> None:
            r = 0
            # Ask until the writer is done (its builds are what the readers must survive), at least --rounds times.
            while r < args.rounds or (writer.poll() is None and time.monotonic() < deadline):
                r += 1
                for q in QUESTIONS[worker % len(QUESTIONS) :] + QUESTIONS[: worker % len(QUESTIONS)]:
                    start = time.perf_counter()
                    try:
                        got = key(answer(q, index_dir=ix, reader=args.reader))
                    except Exception as err:  # every failure counts
                        with lock:
                            errors.append(f"{type(err).__name__}: {err}")
                        continue
                    with lock:
                        latencies.append(time.perf_counter() - start)
                        during[0] += writer.poll() is None
                        if got != alone[q]:
                            mismatches.append(f"{q!r} round {r}: {got[0]!r} != {alone[q][0]!r}")

        deadline = time.monotonic() + 600
        threads = [threading.Thread(target=ask, args=(i,)) for i in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        writer_code = writer.wait(timeout=600)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else float("nan")
    summary = {
        "answers": len(latencies) + len(errors),
        "builds_during": args.builds,
        "answers_while_building": during[0],
        "errors": len(errors),
        "mismatches": len(mismatches),
        "writer_exit": writer_code,
        "p50_s": round(p50, 3),
        "p95_s": round(p95, 3),
        "examples": (errors + mismatches)[:5],
        "reader": args.reader,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0 if not (errors or mismatches or writer_code) else 1


if __name__ == "__main__":
    sys.exit(main())
