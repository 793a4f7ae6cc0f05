"""The reader, rewriter and FAQ over a real OpenAI-compatible server: llama-cpp-python's own
(``python -m llama_cpp.server``) serving the default reader's GGUF on 127.0.0.1."""

from __future__ import annotations

import http.server
import itertools
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from qa.errors import LLMServerError
from qa.llm import DEFAULT_LLM, FAST_LLM, ServerChatModel, resolve_gguf
from qa.readers import LLM_SUPPORT
from tests.qa.test_seeds_integration import ANSWERABLE, UNANSWERABLE

TURNS = [("Passages:\nEllen Park is the mayor.\n\nQuestion: Who is the mayor?", "Ellen Park")]
# Compared with the in-process answer itself: a long why-answer, and an abstention scored near the thresholds.
EXACT = ["Why did Serbia pull troops back?", "When did the Serbian army invade Kosovo?"]
BRIDGE = "Passages:\nThe bridge reopened on Monday after repairs.\n\nQuestion: When did the bridge reopen?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model: str, alias: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """llama-cpp-python's server on a free local port, answering once its model is loaded."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(resolve_gguf(model))]
    command += ["--model_alias", alias, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    # All cores, as the in-process model uses; an answer must not be cut off by the next request.
    command += ["--n_threads", str(os.cpu_count() or 1), "--interrupt_requests", "False"]
    proc = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"llama_cpp.server did not start within 120 s: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = start_server(DEFAULT_LLM, DEFAULT_LLM, tmp_path_factory.mktemp("llm-server") / "server.log")
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    from index import build_index
    from tests.conftest import SEEDS

    directory = tmp_path_factory.mktemp("seeds-index")
    build_index([SEEDS], directory)
    return directory


@pytest.fixture(scope="module")
def served(index_dir, server):
    from qa import Pipeline

    return Pipeline(index_dir, llm=server, llm_model=DEFAULT_LLM)


def summary(answer):
    cited = [(c.article_id, c.start, c.end, c.answer_start, c.answer_end, c.quote) for c in answer.citations]
    return answer.text, cited, answer.reason


def check_citations(result, pipeline):
    for c in result.citations:
        article = pipeline.article(c.article_id)
        assert article.text[c.start : c.end] == c.quote
        assert article.text[c.answer_start : c.answer_end] == result.text


@pytest.mark.models
@pytest.mark.parametrize(("question", "expected", "evidence"), ANSWERABLE)
def test_seed_questions_get_the_in_process_answers_from_the_server(served, question, expected, evidence):
    # The same expectations test_seeds_integration holds the in-process reader to.
    result = served.answer(question)
    assert result.text == expected, result
    assert evidence in result.citations[0].quote
    assert LLM_SUPPORT.threshold <= result.score <= 1.0
    check_citations(result, served)


@pytest.mark.models
@pytest.mark.parametrize("question", [q for q in UNANSWERABLE if q not in EXACT])
def test_questions_the_articles_do_not_answer_are_abstained_on_over_the_server(served, question):
    result = served.answer(question)
    assert result.abstained and result.citations == (), result


@pytest.fixture(scope="module")
def in_process(index_dir):
    from qa import Pipeline

    # Repacked weights, as the server loads them (and as the chat server loads in-process).
    return Pipeline(index_dir, repack=True)


@pytest.mark.models
@pytest.mark.parametrize("question", EXACT)
def test_the_server_gives_exactly_the_in_process_answer_and_confidence(in_process, served, question):
    expected, got = in_process.answer(question), served.answer(question)
    assert summary(got) == summary(expected)
    assert got.score == pytest.approx(expected.score, abs=0.02)


@pytest.mark.models
def test_a_follow_up_is_rewritten_by_the_server(served):
    result = served.answer(
        "What party is he the deputy leader of?", history=[("Who led the armed group?", "Milan Radoičić")]
    )
    assert result.standalone_question == "What party is Milan Radoičić the deputy leader of?"
    assert result.text == "Serb List"


@pytest.mark.models
def test_the_answer_streams_as_it_is_written(server):
    seen: list[str] = []
    generation = ServerChatModel(server, DEFAULT_LLM).chat(
        "Copy the answer.", TURNS, BRIDGE, max_tokens=48, on_text=seen.append
    )
    assert generation.text == "Monday"
    assert seen and seen[-1] == generation.text
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(seen))
    assert len(generation.token_probs) >= 1 and 0 < generation.confidence <= 1


@pytest.mark.models
def test_chat_messages_give_the_same_answer_and_probabilities(server):
    completions = ServerChatModel(server, DEFAULT_LLM, api="completions").chat("Copy the answer.", TURNS, BRIDGE)
    chat = ServerChatModel(server, DEFAULT_LLM, api="chat").chat("Copy the answer.", TURNS, BRIDGE)
    assert chat.text == completions.text == "Monday"
    assert chat.token_probs == pytest.approx(completions.token_probs, abs=1e-3)
    bare = ServerChatModel(server, DEFAULT_LLM, logprobs=False).chat("Copy the answer.", TURNS, BRIDGE)
    assert bare.token_probs == () and bare.confidence == bare.prior > 0


@pytest.mark.models
def test_a_wrong_model_name_is_refused_with_the_names_the_server_has(server):
    model = ServerChatModel(server, "qwen-7b")
    with pytest.raises(LLMServerError, match=rf"has no model 'qwen-7b'; it has: '{DEFAULT_LLM}'"):
        model.chat("Copy the answer.", TURNS, BRIDGE)
    assert ServerChatModel(server).model == DEFAULT_LLM, "no name given: the server's only model"


def test_a_server_that_is_down_is_a_clear_error_not_a_hang(corpus, embedder, tmp_path):
    from index import build_index
    from qa import Pipeline

    build_index([corpus], tmp_path / "index", embedder=embedder)

    url = f"http://127.0.0.1:{free_port()}/v1"
    start = time.monotonic()
    with pytest.raises(LLMServerError, match=rf"the LLM server at {url} is unreachable: ConnectError"):
        ServerChatModel(url, "qwen", backoff_s=0.05).chat("Copy the answer.", TURNS, BRIDGE)
    assert time.monotonic() - start < 5
    with pytest.raises(LLMServerError, match="unreachable"):
        Pipeline(tmp_path / "index", embedder=embedder, llm=url, llm_model="qwen").answer("Who led the repairs?")


def test_the_api_key_comes_from_the_environment_and_is_never_shown(monkeypatch):
    monkeypatch.delenv("CITEQA_LLM_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    model = ServerChatModel(f"http://127.0.0.1:{free_port()}/v1", "qwen", retries=0)
    assert model._http().headers["Authorization"] == "Bearer sk-secret"
    monkeypatch.setenv("CITEQA_LLM_API_KEY", "ck-first")
    assert ServerChatModel("http://127.0.0.1:1/v1")._http().headers["Authorization"] == "Bearer ck-first"
    with pytest.raises(LLMServerError) as err:
        model.check()
    assert "sk-secret" not in str(err.value) and "sk-secret" not in repr(model)


def test_bad_settings_are_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="unknown LLM server API 'grpc'; valid: auto, completions, chat"):
        ServerChatModel("http://127.0.0.1:8080/v1", api="grpc")
    with pytest.raises(ValueError, match="must start with http:// or https://"):
        ServerChatModel("127.0.0.1:8080/v1")


@pytest.mark.models
def test_a_server_killed_mid_answer_is_a_clear_error_not_a_hang(tmp_path):
    proc, url = start_server(FAST_LLM, "fast", tmp_path / "server.log")
    try:
        model = ServerChatModel(url, "fast", timeout_s=20, backoff_s=0.1)
        model.check()
        started = threading.Event()

        def on_text(text: str) -> None:
            started.set()

        outcome: list[BaseException | object] = []

        def ask() -> None:
            try:
                outcome.append(
                    model.chat(
                        "Write a long story.",
                        [],
                        "Tell a story about a bridge.",
                        max_tokens=400,
                        stop=(),
                        on_text=on_text,
                    )
                )
            except BaseException as err:
                outcome.append(err)

        thread = threading.Thread(target=ask)
        thread.start()
        assert started.wait(60), "the answer began streaming"
        proc.kill()
        thread.join(15)
        assert not thread.is_alive(), "the chat does not hang"
        assert isinstance(outcome[0], LLMServerError), outcome
        assert url in str(outcome[0])
    finally:
        stop(proc)


def test_token_probabilities_are_kept_as_the_in_process_model_keeps_them():
    from qa.llm.server import _probabilities, _token_logprobs

    half = math.log(0.5)
    # The token that completes a stop string is not counted, nor anything after the end of turn.
    assert _probabilities([("Mon", half), ("day", half), ("\n", 0.0), ("x", 0.0)], ("\n",)) == (0.5, 0.5)
    assert _probabilities([("Who?", half), ("\n", half), ("\n", 0.0)], ("\n\n",)) == (0.5, 0.5)
    assert _probabilities([("Park", half), ("<|im_end|>", 0.0)], ("\n",)) == (0.5,)
    chat = {"content": [{"token": "Park", "logprob": half, "bytes": [80]}]}
    assert _token_logprobs(chat) == [("Park", half)]
    assert _token_logprobs({"tokens": ["Park"], "token_logprobs": [half]}) == [("Park", half)]


class FakeServer(http.server.ThreadingHTTPServer):
    """A stand-in OpenAI server on 127.0.0.1 that answers each request with the next canned reply."""

    def __init__(self, replies):
        super().__init__(("127.0.0.1", 0), FakeHandler)
        self.replies = list(replies)
        self.bodies = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class FakeHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.reply(200, json.dumps({"data": [{"id": "qwen"}]}).encode())

    def do_POST(self):
        self.server.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        status, events = self.server.replies.pop(0)
        self.reply(status, b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n")

    def reply(self, status, data):
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def chunk(text, logprob=None, finish=None):
    logprobs = {"tokens": [text], "token_logprobs": [logprob]} if logprob is not None else None
    return {"choices": [{"text": text, "logprobs": logprobs, "finish_reason": finish}]}


def test_a_5xx_is_retried_and_the_request_is_greedy_with_the_raw_chatml_prompt():
    from qa.llm.generate import chatml_prompt

    fake = FakeServer([(503, []), (200, [chunk("Mon", -0.1), chunk("day", -0.2), chunk("", finish="stop")])])
    try:
        generation = ServerChatModel(fake.url, "qwen", backoff_s=0.01).chat("Copy.", TURNS, BRIDGE, stop=("\n",))
    finally:
        fake.shutdown()
    assert generation.text == "Monday"
    assert generation.token_probs == pytest.approx((math.exp(-0.1), math.exp(-0.2)))
    body = fake.bodies[-1]
    assert body["prompt"] == chatml_prompt("Copy.", TURNS, BRIDGE)
    assert (body["temperature"], body["repeat_penalty"], body["stop"], body["logprobs"]) == (0.0, 1.0, ["\n"], 1)


def test_an_answer_cut_off_by_the_server_is_an_error_not_a_short_answer():
    fake = FakeServer([(200, [chunk("Mon", -0.1)])])  # [DONE] with no finish_reason
    try:
        with pytest.raises(LLMServerError, match="ended the answer before it was finished"):
            ServerChatModel(fake.url, "qwen").chat("Copy.", TURNS, BRIDGE)
    finally:
        fake.shutdown()


def test_a_server_with_no_completions_endpoint_is_sent_chat_messages_and_no_logprobs_means_the_prior():
    from qa.llm.server import NO_LOGPROBS_CONFIDENCE

    delta = {"choices": [{"delta": {"content": "Monday"}, "finish_reason": "stop"}]}
    fake = FakeServer([(404, []), (200, [delta])])
    try:
        generation = ServerChatModel(fake.url, "qwen").chat("Copy.", TURNS, BRIDGE)
    finally:
        fake.shutdown()
    assert generation.text == "Monday" and generation.confidence == NO_LOGPROBS_CONFIDENCE
    roles = [m["role"] for m in fake.bodies[-1]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]


def test_the_command_line_names_the_server_options_and_refuses_a_model_without_a_server(capsys):
    from citeqa.arguments import build_parser as _parser
    from citeqa.cli import main

    for command in ("ask", "chat", "eval", "faq"):
        text = _parser()._subparsers._group_actions[0].choices[command].format_help()
        assert "--llm URL" in text and "--llm-model NAME" in text and "--llm-api" in text
    assert main(["ask", "Who led the armed group?", "--llm-model", "qwen"]) == 2
    assert "--llm-model and --llm-api need --llm URL" in capsys.readouterr().err
