"""Simultaneous chat users against one ``citeqa chat`` server: the in-process reader vs an LLM server.

Each user is a gradio_client asking the seed article's questions one after another; all users
start together. Reported per setting and number of users: answers per minute, p50/p95 seconds per
answer, errors, the fewest answers any user got (none starved means every user got all), and how
many answers equal the one the same server gave to that question asked alone beforehand (the
"copy as Markdown" text: the answer, each citation's article, offsets and quote), with the load
average at the start and end of each row.

    .venv/bin/python benchmarks/chat_concurrency.py --users 1 4 8 --questions 10

The LLM server is llama-cpp-python's (started here on 127.0.0.1, model alias = the packaged name,
so the FAQ stored for the in-process reader is the server's too and neither run makes FAQs).
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
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
QUESTIONS = (
    "Who led the armed group?",
    "Who is Germany's ambassador to the US?",
    "What party is Milan Radoičić the deputy leader of?",
    "Who did Blinken speak with?",
    "Who took responsibility for the shootout?",
    "What did Vučić allege?",
    "Why did Serbia pull troops back?",
    "Who won the 2022 World Cup?",
)


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not start")


def ask(client: Any, question: str) -> str:
    """The server's answer to ``question`` in a fresh conversation, as its "copy as Markdown" text."""
    history, _, markdown = client.predict(question, [], [], "", "", api_name="/ask")
    reply = str(history[-1]["content"])
    if "error" in reply.lower() and "server" in reply.lower():
        raise RuntimeError(reply[:200])
    return str(markdown)


def sequential(url: str) -> dict[str, str]:
    """Every question asked once, alone: the answers the concurrent ones must equal."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    return {question: ask(client, question) for question in QUESTIONS}


def run_users(url: str, users: int, questions: int, alone: dict[str, str] | None = None) -> dict[str, Any]:
    from gradio_client import Client

    load_before = os.getloadavg()[0]
    latencies: list[float] = []
    differing: list[str] = []
    errors: list[str] = []
    answered = [0] * users
    barrier = threading.Barrier(users)
    lock = threading.Lock()

    def user(n: int) -> None:
        client = Client(url, verbose=False)
        barrier.wait()
        for i in range(questions):
            question = QUESTIONS[(n + i) % len(QUESTIONS)]
            began = time.perf_counter()
            try:
                markdown = ask(client, question)
            except Exception as err:
                with lock:
                    errors.append(f"{type(err).__name__}: {err}"[:200])
                continue
            with lock:
                latencies.append(time.perf_counter() - began)
                answered[n] += 1
                if alone is not None and markdown != alone[question]:
                    differing.append(f"user {n}, {question!r}: {markdown[:160]!r}")

    began = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "users": users,
        "answers": len(latencies),
        "answers_per_min": round(60 * len(latencies) / wall, 1),
        "p50_s": round(statistics.median(ordered), 1) if ordered else None,
        "p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1) if ordered else None,
        "errors": len(errors),
        "error_samples": errors[:3],
        "fewest_answers_per_user": min(answered),
        "same_as_sequential": None if alone is None else len(latencies) - len(differing),
        "differing_samples": differing[:3],
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def main(argv: list[str] | None = None) -> int:
    # A terminated run still stops the servers it started (the finally blocks below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--questions", type=int, default=10, help="questions each user asks (default: 10)")
    parser.add_argument("--settings", nargs="+", choices=["in-process", "server"], default=["in-process", "server"])
    parser.add_argument("--out", help="write the results to this JSON file")
    args = parser.parse_args(argv)

    from llm_server import free_port, start_server

    from index import build_index
    from qa.llm import DEFAULT_LLM, resolve_gguf

    work = Path(tempfile.mkdtemp(prefix="citeqa-concurrency-"))
    index_dir = work / "index"
    build_index([REPO / "seeds"], index_dir)
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "CITEQA_FEEDBACK": str(work / "feedback.jsonl")}
    cli = [sys.executable, "-m", "citeqa"]
    # The FAQ, made once here, so that no run spends the model on it while users wait.
    subprocess.run([*cli, "faq", "--index-dir", str(index_dir)], check=True, env=env, stdout=subprocess.DEVNULL)
    results: list[dict[str, Any]] = []
    for setting in args.settings:
        llm_proc = None
        extra: list[str] = []
        if setting == "server":
            llm_proc, url = start_server(resolve_gguf(DEFAULT_LLM), DEFAULT_LLM, work / "llm-server.log")
            extra = ["--llm", url, "--llm-model", DEFAULT_LLM]
        port = free_port()
        with open(work / f"chat-{setting}.log", "wb") as log:
            chat = subprocess.Popen(
                [*cli, "chat", "--index-dir", str(index_dir), "--port", str(port), *extra],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        try:
            wait_for_port(port, chat)
            url = f"http://127.0.0.1:{port}/"
            run_users(url, 1, 1)  # the model loaded and its prefix cached before timing
            alone = sequential(url)
            for users in args.users:
                row = {"setting": setting, **run_users(url, users, args.questions, alone)}
                print(json.dumps(row), flush=True)
                results.append(row)
        finally:
            chat.terminate()
            chat.wait(30)
            if llm_proc is not None:
                llm_proc.kill()
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
