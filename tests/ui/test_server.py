"""Start the real chat server and ask through gradio_client."""

import os
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import SEEDS

pytestmark = [pytest.mark.models, pytest.mark.ui]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from index import build_index

    index_dir = tmp_path_factory.mktemp("ui-index")
    build_index([SEEDS], index_dir)
    port = free_port()
    with open(tmp_path_factory.mktemp("ui-log") / "server.log", "w+") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "citeqa", "chat", "--index-dir", str(index_dir), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
        )
        wait_for(port, proc, log)
        yield f"http://127.0.0.1:{port}/"
        proc.terminate()
        proc.wait(timeout=30)


def wait_for(port, proc, log, timeout=120):
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


def test_chat_answers_with_highlighted_citation(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    history, cleared = client.predict("Who led the armed group?", [], api_name="/ask")
    assert cleared == ""
    reply = history[-1]["content"]
    reply = reply if isinstance(reply, str) else str(reply)
    assert "<mark>Milan Radoičić</mark>" in reply
    assert "2023-11-14" in reply and "Serbia has recently made the decision" in reply


def test_chat_says_when_the_articles_do_not_answer(server):
    from gradio_client import Client

    history, _ = Client(server, verbose=False).predict("What is the capital of Australia?", [], api_name="/ask")
    reply = str(history[-1]["content"])
    assert "do not say" in reply and "<mark>" not in reply


def test_chat_turns_bad_input_into_a_message(server):
    from gradio_client import Client

    history, _ = Client(server, verbose=False).predict("   ", [], api_name="/ask")
    assert "question is empty" in str(history[-1]["content"])
