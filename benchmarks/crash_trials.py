"""Crash safety: SIGKILL an incremental build, a FAQ store write and a feedback append at random moments.

Index: a corpus is indexed, then changed (articles edited, added, removed); for each trial a child
process runs the incremental build and is killed after a random delay within the build's own
duration. After each kill the index must load with its checksums intact, be either the old or the
new generation (never a mix), give the same citation for a fixed question as before the build
when it is the old one, and the next build must complete with every article.

FAQ store and feedback: a child writes in a loop and is killed; the store must open and read back
every row it holds, and every line of the feedback file must be whole JSON.

    .venv/bin/python benchmarks/crash_trials.py --trials 20           # fake embedder (tests/fakes.py)
    .venv/bin/python benchmarks/crash_trials.py --trials 20 --real    # the default MiniLM embedder
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION = "harbour bridge repair crew engineer"


def write_corpus(folder: Path, n: int, version: int) -> None:
    """n articles; ``version`` edits a third of them, adds a few and removes one."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    for i in range(n + (3 if version else 0)):
        if version and i == 1:
            continue  # removed in the new version
        edited = " It was revised later." if version and i % 3 == 0 else ""
        text = (
            f"date 2024-03-{1 + i % 28:02d} Article {i} about the town of Ellis-{i}.\n\n"
            f"The council of Ellis-{i} met on Monday. Mayor Quinn-{i} spoke about the budget. "
            f"The vote was {40 + i} to {10 + i % 7}.{edited}"
        )
        if i == 0:
            text += " Engineer Maria Olsen led the harbour bridge repair crew."
        (folder / f"a{i:03d}.txt").write_text(text, encoding="utf-8")


def _embedder(real: bool):
    if real:
        from index.embed import make_embedder

        return make_embedder()
    from tests.fakes import HashEmbedder

    return HashEmbedder()


def citation(ix: Path) -> tuple[str, int, int]:
    """What the index cites for the fixed question: the top BM25 chunk's article and offsets."""
    from index.stores import load_index

    store = load_index(ix)
    best = int(store.bm25.scores(QUESTION).argmax())
    chunk = store.chunks[best]
    return chunk.article_id, chunk.start, chunk.end


def child_build(corpus: Path, ix: Path, real: bool) -> None:
    from index import build_index

    build_index([corpus], ix, embedder=_embedder(real))


def child_faq(ix: Path) -> None:
    from qa.faq import FaqItem, FaqStore
    from qa.types import Answer

    store = FaqStore(ix)
    for i in range(1_000_000):
        items = [
            FaqItem(f"Question {i}-{j}?" + "x" * 2000, Answer(question="q", text=None, score=0.0)) for j in range(5)
        ]
        store.put(f"article-{i % 7}", f"sha-{i}", "model", items)


def child_feedback(path: Path) -> None:
    from qa.feedback import record_feedback
    from qa.types import Answer

    for i in range(1_000_000):
        record_feedback(Answer(question=f"q{i} " + "y" * (i % 50_000), text=None, score=0.0), i % 2 == 0, path=path)


def _kill_after(args: list[str], delay: float, ready: Path | None = None) -> int:
    """Kill the child ``delay`` seconds after it starts, or after it first changes ``ready`` when given."""
    before = _stamp(ready)
    proc = subprocess.Popen([sys.executable, __file__, *args], cwd=ROOT)
    deadline = time.monotonic() + 60
    while ready is not None and _stamp(ready) == before and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)  # start-up (imports) takes seconds on a busy machine: kill mid-writing, not before
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    return proc.wait()


def _stamp(path: Path | None) -> tuple[int, int] | None:
    try:
        return (path.stat().st_mtime_ns, path.stat().st_size) if path is not None else None
    except FileNotFoundError:
        return None


def index_trials(work: Path, trials: int, articles: int, real: bool, seed: int) -> list[dict]:
    from index import build_index
    from index.stores import current_generation, load_index

    rng = random.Random(seed)
    corpus, ix = work / "corpus", work / "ix"
    results = []
    t0 = time.perf_counter()
    write_corpus(corpus, articles, 0)
    subprocess.run(
        [sys.executable, __file__, "--child-build", str(corpus), str(ix), *(["--real"] if real else [])], check=True
    )
    span = time.perf_counter() - t0  # a child's whole life: start-up, reading, embedding, writing
    for trial in range(trials):
        write_corpus(corpus, articles, trial % 2 + 0)  # alternate versions: every build has work to do
        old_gen, old_cite = current_generation(ix), citation(ix)
        old_articles = sorted(load_index(ix).articles)
        delay = rng.uniform(0.2 * span, 1.2 * span)
        code = _kill_after(["--child-build", str(corpus), str(ix), *(["--real"] if real else [])], delay)
        live = current_generation(ix)
        loaded = load_index(ix)  # checksums verified
        outcome = "killed, old live" if live == old_gen else "finished or swapped: new live"
        same = citation(ix) == old_cite if live == old_gen else True
        whole = sorted(loaded.articles) == old_articles if live == old_gen else True
        build_index([corpus], ix, embedder=_embedder(real))
        expected = sorted(p.stem for p in corpus.glob("*.txt"))
        complete = sorted(load_index(ix).articles) == expected
        leftovers = [p.name for p in ix.iterdir() if p.name.startswith(".gen-")]
        results.append(
            {
                "trial": trial,
                "delay_s": round(delay, 2),
                "exit": code,
                "outcome": outcome,
                "same_citation": same,
                "old_articles_whole": whole,
                "next_build_complete": complete,
                "staging_left": leftovers,
            }
        )
    return results


def store_trials(work: Path, trials: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    results = []
    ix, feedback = work / "faq-ix", work / "feedback.jsonl"
    ix.mkdir(parents=True, exist_ok=True)
    for trial in range(trials):
        _kill_after(["--child-faq", str(ix)], rng.uniform(0.0, 0.5), ready=ix / "faq.sqlite")
        with sqlite3.connect(ix / "faq.sqlite") as db:
            ok = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            rows = db.execute("SELECT items FROM faq").fetchall()
        readable = all(len(json.loads(r[0])) == 5 for r in rows)
        _kill_after(["--child-feedback", str(feedback)], rng.uniform(0.0, 0.5), ready=feedback)
        lines = feedback.read_bytes().split(b"\n")
        torn = [i for i, line in enumerate(lines[:-1]) if not _is_json(line)]
        results.append(
            {
                "trial": trial,
                "faq_integrity": ok,
                "faq_rows_readable": readable,
                "feedback_lines": len(lines) - 1,
                "feedback_torn": len(torn) + (1 if lines[-1] else 0),
            }
        )
    return results


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--real", action="store_true", help="the default embedder instead of tests/fakes.py")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--child-build", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-faq", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-feedback", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_build:
        child_build(*args.child_build, args.real)
        return 0
    if args.child_faq:
        child_faq(args.child_faq)
        return 0
    if args.child_feedback:
        child_feedback(args.child_feedback)
        return 0
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        index = index_trials(work, args.trials, args.articles, args.real, args.seed)
        stores = store_trials(work, max(1, args.trials // 4), args.seed)
    print(json.dumps({"index": index, "stores": stores}, indent=1))
    bad = [r for r in index if not (r["same_citation"] and r["old_articles_whole"] and r["next_build_complete"])]
    bad += [r for r in stores if not (r["faq_integrity"] and r["faq_rows_readable"]) or r["feedback_torn"]]
    killed = sum(r["outcome"].startswith("killed") for r in index)
    print(f"{len(index)} build trials ({killed} killed before the swap), {len(stores)} store trials: {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
