"""A real chat server over a fresh copy of the seed index, started once per test session."""

import os
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import SEEDS


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
    port = free_port()
    with open(logs / "server.log", "w+") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "citeqa", "chat", "--index-dir", str(index_dir), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "CITEQA_FEEDBACK": str(feedback)},
        )
        wait_for(port, proc, log)
        yield Server(f"http://127.0.0.1:{port}/", index_dir, feedback)
        proc.terminate()
        proc.wait(timeout=30)
