"""A real chat server over a fresh copy of the seed index, started once per test session, and
Debian's headless Chromium to drive it."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import SEEDS

CHROMIUM = os.environ.get("CITEQA_CHROMIUM", "/usr/bin/chromium")
# Chromium's own background traffic is refused by this machine's closed network; keep it quiet.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, proc, log, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"server exited: {log.read()}")
            time.sleep(0.5)
    proc.kill()
    pytest.fail(f"server did not start within {timeout} s")


@contextmanager
def chat_server(index_dir, log_path, *options, env=None):
    """``citeqa chat`` over ``index_dir`` on a free port with ``options``, its output in ``log_path``;
    yields its URL and stops it after."""
    port = free_port()
    with open(log_path, "w+") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "citeqa", "chat", "--index-dir", str(index_dir), "--port", str(port), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})},
        )
        try:
            wait_for(port, proc, log)
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            proc.wait(timeout=30)


class Server:
    def __init__(self, url, index_dir, feedback):
        self.url = url
        self.index_dir = index_dir
        self.feedback = feedback


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    from index import build_index

    index_dir = tmp_path_factory.mktemp("ui-index")
    build_index([SEEDS], index_dir)
    logs = tmp_path_factory.mktemp("ui-log")
    feedback = logs / "feedback.jsonl"
    with chat_server(index_dir, logs / "server.log", env={"CITEQA_FEEDBACK": str(feedback)}) as url:
        yield Server(url, index_dir, feedback)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's chromium package (make browser)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
