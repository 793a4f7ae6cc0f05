"""The Milvus store over the network: ``http://host:port``, as citeqa reaches Standalone or Distributed.

The server is Milvus Lite's own gRPC server (``python -m milvus_lite server``) in a process of its
own: the Milvus wire protocol on a TCP port, so citeqa's server path (URI, consistency, errors)
runs exactly as against Milvus Standalone, offline. A server that goes away mid-session is a
clear error, and nothing indexed is lost when it comes back.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.build import build_index
from index.errors import StoreUnreachableError
from index.stores.milvus import open_milvus
from index.stores.milvus_build import build_milvus
from qa import Pipeline, SentenceReader
from tests.conftest import write_corpus
from tests.fakes import HashEmbedder

QUESTIONS = ("Who led the repair crew on the harbour bridge?", "How many residents were evacuated?")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A Milvus Lite server process on a local port, stopped and started over the same data."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir, self.port = data_dir, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(self.data_dir)]
        self.process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Milvus Lite server exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the Milvus Lite server did not listen within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[Server, Path]]:
    root = tmp_path_factory.mktemp("milvus-server")
    running = Server(root / "data")
    running.start()
    corpus = write_corpus(root / "corpus")
    build_milvus([corpus], running.uri, embedder=HashEmbedder())
    try:
        yield running, corpus
    finally:
        running.stop()


def test_a_server_store_answers_as_the_index_folder(server, tmp_path):
    running, corpus = server
    assert sorted(open_milvus(running.uri).articles) == ["election", "harbour", "sub/floods"]
    build_index([corpus], tmp_path / "index", embedder=HashEmbedder())
    local = Pipeline(tmp_path / "index", reader=SentenceReader(), embedder=HashEmbedder(), min_relevance=0.3)
    remote = Pipeline(store=running.uri, reader=SentenceReader(), embedder=HashEmbedder(), min_relevance=0.3)
    for question in QUESTIONS:
        a, b = local.answer(question), remote.answer(question)
        assert not a.abstained and (b.text, b.citations) == (a.text, a.citations)
    assert remote.answer("What is the capital of Australia?").abstained


def test_a_rebuild_over_the_network_embeds_nothing_unchanged(server):
    running, corpus = server
    embedder = HashEmbedder()
    report = build_milvus([corpus], running.uri, embedder=embedder)
    assert report.unchanged == 3 and embedder.embedded == []


def test_a_server_gone_mid_session_is_a_clear_error_and_loses_nothing(server):
    running, _ = server
    pipeline = Pipeline(store=running.uri, reader=SentenceReader(), embedder=HashEmbedder(), min_relevance=0.3)
    before = pipeline.answer(QUESTIONS[0])
    running.stop()
    lost = rf"cannot reach the Milvus store at {running.uri}"
    try:
        with pytest.raises(StoreUnreachableError, match=lost):
            pipeline.answer(QUESTIONS[0])
        with pytest.raises(StoreUnreachableError, match=lost):
            open_milvus(running.uri)
    finally:
        running.start()  # the same data directory, as a restarted server
    again = pipeline.answer(QUESTIONS[0])  # the same pipeline, on a new connection
    assert (again.text, again.citations) == (before.text, before.citations)
    after = Pipeline(store=running.uri, reader=SentenceReader(), embedder=HashEmbedder(), min_relevance=0.3)
    assert sorted(after.store.articles) == ["election", "harbour", "sub/floods"]
    assert (after.answer(QUESTIONS[1]).text, after.answer(QUESTIONS[1]).citations) == (
        pipeline.answer(QUESTIONS[1]).text,
        pipeline.answer(QUESTIONS[1]).citations,
    )
