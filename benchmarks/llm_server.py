"""The reader in-process vs the same GGUF behind an OpenAI-compatible server (llama-cpp-python's).

Each question is asked of every mode in turn (in-process, server with token log-probabilities,
and optionally the server with none, where a fixed prior stands in for the confidence), so load
from other work on the machine falls on all modes alike. Reported per mode: F1, exact match,
abstention, p50/p95 seconds per answer, and how often the answer and its citations are exactly
the in-process ones.

    .venv/bin/python benchmarks/llm_server.py ../shared/data/squad-v1.1/dev-v1.1.json \\
        --limit 200 --seed 7 --no-logprobs --out llm-server.json

The questions: the seed article's (benchmarks/same_answers.py) and SQuAD v1.1 dev, open setting
(every dev paragraph indexed), a stratified sample. The server is started here, on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(gguf: Path, alias: str, log: Path, parallel: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", alias]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    command += ["--n_threads", str(os.cpu_count() or 1), "--interrupt_requests", "False"]
    proc = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("llama_cpp.server did not start")


def record(answer: Any, seconds: float, truths: tuple[str, ...] = ()) -> dict[str, Any]:
    from evals.scoring import best_over, exact_match, f1

    text = answer.text
    return {
        "text": text,
        "score": round(float(answer.score), 4),
        "reader_confidence": round(answer.signals.reader, 4) if answer.signals else None,
        "citations": [(c.article_id, c.start, c.end, c.answer_start, c.answer_end) for c in answer.citations],
        "seconds": round(seconds, 3),
        "f1": best_over(f1, text, truths) if text is not None and truths else 0.0,
        "em": best_over(exact_match, text, truths) if text is not None and truths else 0.0,
    }


def summarise(rows: list[dict[str, Any]], mode: str, scored: bool) -> dict[str, Any]:
    mine = [r[mode] for r in rows]
    base = [r["in-process"] for r in rows]
    seconds = sorted(m["seconds"] for m in mine)
    out: dict[str, Any] = {
        "questions": len(mine),
        "answered": sum(m["text"] is not None for m in mine),
        "p50_s": round(statistics.median(seconds), 2),
        "p95_s": round(seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))], 2),
        "same_as_in_process": sum(
            (m["text"], m["citations"]) == (b["text"], b["citations"]) for m, b in zip(mine, base, strict=True)
        ),
    }
    if scored:
        out["f1"] = round(100 * sum(m["f1"] for m in mine) / len(mine), 1)
        out["em"] = round(100 * sum(m["em"] for m in mine) / len(mine), 1)
        # Of the questions the in-process reader answers right (F1 > 0.5), how many this mode withholds.
        right = [i for i, b in enumerate(base) if b["f1"] > 0.5]
        out["withheld_of_right_in_process"] = sum(mine[i]["text"] is None for i in right)
        wrong = [i for i, b in enumerate(base) if b["text"] is not None and b["f1"] <= 0.5]
        out["answered_of_wrong_in_process"] = sum(mine[i]["text"] is not None for i in wrong)
    return out


def prefix_cache(url: str, model: str, rounds: int = 5) -> dict[str, Any]:
    """Seconds for a reader prompt whose system prompt and worked examples the server has just
    evaluated (a prefix-cache hit) vs one right after a follow-up rewrite (a miss: llama-cpp-python's
    server keeps one sequence, so the rewriter's prompt evicts the reader's prefix)."""
    from qa import ServerChatModel
    from qa.conversation import FEW_SHOT as REWRITER_TURNS
    from qa.conversation import SYSTEM as REWRITER_SYSTEM
    from qa.readers.llama import SYSTEM_PROMPT, few_shot

    llm = ServerChatModel(url, model, logprobs=False)
    turns = few_shot()
    sentences = [
        ("The armed group was led by Milan Radoičić.", "Who led the armed group?"),
        ("Germany’s ambassador to the US is Andreas Michaelis.", "Who is Germany's ambassador?"),
        ("Serbia pulled troops back after warnings.", "Why did Serbia pull troops back?"),
    ]
    hit, miss = [], []
    for i in range(rounds):
        passage, question = sentences[i % len(sentences)]
        llm.chat(REWRITER_SYSTEM, REWRITER_TURNS, f"Conversation:\nQ: {question}\nA: x\n\nFollow-up: Why?{i}")
        began = time.perf_counter()
        llm.chat(SYSTEM_PROMPT, turns, f"Passages:\n{passage} ({i})\n\nQuestion: {question}", max_tokens=48)
        miss.append(time.perf_counter() - began)
        began = time.perf_counter()
        llm.chat(SYSTEM_PROMPT, turns, f"Passages:\n{passage} [{i}]\n\nQuestion: {question}", max_tokens=48)
        hit.append(time.perf_counter() - began)
    return {
        "prefix_chars": len(SYSTEM_PROMPT) + sum(len(a) + len(b) for a, b in turns),
        "miss_p50_s": round(statistics.median(miss), 2),
        "hit_p50_s": round(statistics.median(hit), 2),
    }


def main(argv: list[str] | None = None) -> int:
    # A terminated run still stops the servers it started (the finally blocks below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("squad", help="path to SQuAD v1.1 dev-v1.1.json")
    parser.add_argument("--limit", type=int, default=200, help="SQuAD questions (default: 200; 0: seeds only)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", default=None, help="packaged model name (default: the default reader's)")
    parser.add_argument("--no-logprobs", action="store_true", help="also the server with no token probabilities")
    parser.add_argument("--prefix-cache", action="store_true", help="only time prefix-cache hits vs misses")
    parser.add_argument("--out", help="write every answer and the summary to this JSON file (as it goes)")
    parser.add_argument("--work", default="/tmp/citeqa-llm-server-bench", help="folder for this run's indexes")
    args = parser.parse_args(argv)

    from evals.squad import corpus_dir, load_squad, sample
    from index import build_index
    from qa import Pipeline, ServerChatModel
    from qa.llm import DEFAULT_LLM, resolve_gguf

    sys.path.insert(0, str(REPO / "benchmarks"))
    from same_answers import SEED_QUESTIONS

    model = args.model or DEFAULT_LLM
    reader = "llm" if model == DEFAULT_LLM else "llm-fast"
    proc, url = start_server(resolve_gguf(model), model, Path("/tmp") / f"citeqa-llm-server-{os.getpid()}.log")
    try:
        if args.prefix_cache:
            print(json.dumps(prefix_cache(url, model)))
            return 0
        paragraphs, questions = load_squad(args.squad)
        # Indexes of this run's own, so another process rebuilding the cached one cannot disturb it.
        work_dir = Path(args.work)
        squad_dir, seeds_dir = work_dir / "squad-index", work_dir / "seeds-index"
        build_index([corpus_dir(args.squad, paragraphs) / "corpus"], squad_dir)
        build_index([REPO / "seeds"], seeds_dir)
        modes: dict[str, Any] = {"in-process": {"repack": True}, "server": {"llm": url, "llm_model": model}}
        if args.no_logprobs:
            modes["server, no logprobs"] = {"llm": ServerChatModel(url, model, logprobs=False)}
        result: dict[str, Any] = {"model": model, "url": "llama_cpp.server on 127.0.0.1", "summary": {}}
        seeds: list[tuple[str, tuple[str, ...]]] = [(q, ()) for q in SEED_QUESTIONS]
        work = [("seeds", seeds_dir, seeds)]
        if args.limit:
            chosen = sample(questions, args.limit, args.seed)
            work.append(("squad", squad_dir, [(q.question, q.answers) for q in chosen]))
        for name, index_dir, asked in work:
            pipelines = {mode: Pipeline(index_dir, reader=reader, **kw) for mode, kw in modes.items()}
            for pipeline in pipelines.values():
                pipeline.answer(asked[0][0])  # load models and caches before timing
            rows = []
            for i, (question, truths) in enumerate(asked, start=1):
                row: dict[str, Any] = {"question": question}
                for mode, pipeline in pipelines.items():
                    began = time.perf_counter()
                    answer = pipeline.answer(question)
                    row[mode] = record(answer, time.perf_counter() - began, truths)
                rows.append(row)
                print(f"{name} {i}/{len(asked)}", {m: row[m]["text"] for m in modes}, file=sys.stderr, flush=True)
                result[name] = rows
                if args.out:
                    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            result["summary"][name] = {mode: summarise(rows, mode, name == "squad") for mode in modes}
        confidences = [r["in-process"]["reader_confidence"] for r in result.get("squad", [])]
        answered = [c for r, c in zip(result.get("squad", []), confidences, strict=True) if r["in-process"]["text"]]
        if answered:
            result["summary"]["median_reader_confidence_when_answered"] = round(statistics.median(answered), 3)
    finally:
        proc.kill()
    print(json.dumps(result["summary"], indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
