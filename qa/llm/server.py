"""An OpenAI-compatible LLM server (llama.cpp server, vLLM, Ollama) as a :class:`ChatModel`.

With ``/v1/completions`` the server gets the very ChatML prompt the in-process model builds,
decoded greedily with the same stop strings, and reports the log-probability of each chosen token:
the same GGUF gives the same answer and the same confidence. Servers without that endpoint are
sent the conversation as ``/v1/chat/completions`` messages (the server applies the model's own
chat template). Answers always stream, so the chat shows them as they are written.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qa.errors import LLMServerError
from qa.llm.generate import Generation, chatml_prompt

if TYPE_CHECKING:
    import httpx

API_KEY_ENVS = ("CITEQA_LLM_API_KEY", "OPENAI_API_KEY")
APIS = ("auto", "completions", "chat")
# Confidence of an answer from a server that reports no token probabilities: about the 1.5B
# model's median on the answers it gives (0.94 on SQuAD; docs/performance.md, "The reader as a service").
NO_LOGPROBS_CONFIDENCE = 0.9
# llama.cpp's servers: greedy means no repetition penalty (llama-cpp-python's server defaults to
# 1.1), and keep the shared prompt prefix cached. Other servers ignore fields they do not know.
LLAMA_CPP_OPTIONS: Mapping[str, Any] = {"repeat_penalty": 1.0, "cache_prompt": True}
_END_TOKENS = frozenset({"<|im_end|>", "<|endoftext|>", "</s>", "<|eot_id|>"})
_RETRY_STATUS = frozenset({500, 502, 503, 504})


class ServerChatModel:
    """Greedy decoding by an OpenAI-compatible server, with :class:`ChatModel`'s interface.

    Args:
        base_url: The API root, e.g. ``http://127.0.0.1:8080/v1``.
        model: The model name the server knows (``GET /v1/models`` lists them); None: the
            server's only model.
        api: ``"completions"`` (the raw ChatML prompt, for ChatML models such as Qwen),
            ``"chat"`` (chat messages, the server's template) or ``"auto"`` (completions where
            the server has them, else chat).
        api_key: Sent as a bearer token; None: ``$CITEQA_LLM_API_KEY``, else ``$OPENAI_API_KEY``.
        timeout_s: Seconds to wait for the server's next bytes (connecting: at most 5).
        retries: Further tries after a connection error or a 5xx answer, with doubling backoff.
        backoff_s: Wait before the first retry, in seconds.
        logprobs: Ask for the chosen tokens' log-probabilities (the reader's confidence); False,
            or a server that gives none: the confidence is :data:`NO_LOGPROBS_CONFIDENCE` times
            how closely the answer matches the article text it is snapped onto.
        options: Extra request fields (default :data:`LLAMA_CPP_OPTIONS`).
    """

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        *,
        api: str = "auto",
        api_key: str | None = None,
        timeout_s: float = 60.0,
        retries: int = 2,
        backoff_s: float = 0.5,
        logprobs: bool = True,
        options: Mapping[str, Any] = LLAMA_CPP_OPTIONS,
    ):
        if api not in APIS:
            raise ValueError(f"unknown LLM server API {api!r}; valid: {', '.join(APIS)}")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the LLM server URL must start with http:// or https://, got {base_url!r}")
        if timeout_s <= 0 or retries < 0:
            raise ValueError(f"timeout_s must be > 0 and retries >= 0, got {timeout_s} and {retries}")
        self.base_url = base_url.rstrip("/")
        self._model = model
        self.api = api
        self._api_key = api_key if api_key is not None else next(filter(None, map(os.environ.get, API_KEY_ENVS)), None)
        self._timeout_s = timeout_s
        self._retries = retries
        self._backoff_s = backoff_s
        self._logprobs = logprobs
        self._options = dict(options)
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._checked = False

    def __repr__(self) -> str:  # never shows the API key
        return f"ServerChatModel({self.base_url!r}, {self._model!r}, api={self.api!r})"

    @property
    def model(self) -> str:
        """The model's name on the server (asked of the server when none was given)."""
        self.check()
        assert self._model is not None
        return self._model

    def check(self) -> None:
        """Ask the server which models it has, once, and make sure ours is one of them.

        Raises:
            LLMServerError: The server is unreachable, or has no model by that name.
        """
        with self._lock:
            if self._checked:
                return
            response = self._request("GET", "/models")
            names = [m.get("id", "") for m in response.json().get("data", [])]
            if self._model is None and len(names) == 1:
                self._model = names[0]
            if self._model not in names:
                which = "names no model" if self._model is None else f"has no model {self._model!r}"
                raise LLMServerError(
                    f"the LLM server at {self.base_url} {which}; it has: {', '.join(map(repr, names)) or 'none'}"
                )
            self._checked = True

    def warm(self, system: str, turns: Sequence[tuple[str, str]]) -> None:
        """Check the server and its model, and have it evaluate (and cache) the shared prefix."""
        self.check()
        self.chat(system, turns, "", max_tokens=1)

    def chat(
        self,
        system: str,
        turns: Sequence[tuple[str, str]],
        user: str,
        *,
        max_tokens: int = 32,
        stop: Sequence[str] = ("\n",),
        on_text: Callable[[str], None] | None = None,
    ) -> Generation:
        """Answer ``user`` after a system prompt and earlier (user, assistant) turns, greedily.

        ``on_text`` is called with the text so far as it streams in.

        Raises:
            LLMServerError: The server is down, times out, breaks off or refuses the request.
        """
        self.check()
        body: dict[str, Any] = {
            **self._options,
            "model": self._model,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stop": list(stop),
            "stream": True,
        }
        if self.api != "chat":
            body["prompt"] = chatml_prompt(system, turns, user)
            if self._logprobs:
                body["logprobs"] = 1
            try:
                return self._generate("/completions", body, stop, on_text)
            except _NoEndpoint:
                if self.api == "completions":
                    raise LLMServerError(f"the LLM server at {self.base_url} has no /completions endpoint") from None
                self.api = "chat"  # asked once: the server has no raw-prompt completions
                for key in ("prompt", "logprobs"):
                    body.pop(key, None)
        messages = [{"role": "system", "content": system}]
        for question, reply in turns:
            messages += [{"role": "user", "content": question}, {"role": "assistant", "content": reply}]
        messages.append({"role": "user", "content": user})
        body["messages"] = messages
        if self._logprobs:
            body |= {"logprobs": True, "top_logprobs": 1}
        try:
            return self._generate("/chat/completions", body, stop, on_text)
        except _NoEndpoint:
            raise LLMServerError(f"the LLM server at {self.base_url} has no /chat/completions endpoint") from None

    def _generate(
        self, path: str, body: dict[str, Any], stop: Sequence[str], on_text: Callable[[str], None] | None
    ) -> Generation:
        tries = 0
        while True:
            tokens: list[tuple[str, float | None]] = []
            text, finished, reported = "", False, False
            try:
                for chunk in self._stream(path, body):
                    choice = (chunk.get("choices") or [{}])[0]
                    delta = choice.get("text") if "text" in choice else (choice.get("delta") or {}).get("content")
                    reported = reported or bool(choice.get("logprobs"))
                    tokens += _token_logprobs(choice.get("logprobs"))
                    if delta:
                        text += delta
                        if on_text is not None and not any(s in text for s in stop):
                            on_text(text)
                    finished = finished or choice.get("finish_reason") is not None
            except _Retryable as err:
                if tries >= self._retries:
                    raise LLMServerError(f"the LLM server at {self.base_url} failed: {err}") from None
                time.sleep(self._backoff_s * 2**tries)
                tries += 1
                continue
            if not finished:
                # llama-cpp-python's server ends a streaming answer early when another request
                # arrives, unless started with --interrupt_requests False.
                raise LLMServerError(
                    f"the LLM server at {self.base_url} ended the answer before it was finished "
                    "(a llama-cpp-python server interrupts answers: start it with --interrupt_requests False)"
                )
            for s in stop:
                text = text.split(s, 1)[0]
            if not reported:  # no token probabilities: a fixed prior stands in for them
                return Generation(text.strip(), (), prior=NO_LOGPROBS_CONFIDENCE)
            return Generation(text.strip(), _probabilities(tokens, stop))

    def _stream(self, path: str, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The server-sent events of a streaming request, as JSON."""
        import httpx

        try:
            with self._http().stream("POST", self.base_url + path, json=body) as response:
                if response.status_code >= 400:
                    response.read()
                self._raise_for_status(response, path)
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    yield json.loads(data)
        except httpx.TimeoutException:
            raise LLMServerError(
                f"the LLM server at {self.base_url} did not answer within {self._timeout_s:g} s"
            ) from None
        except (httpx.TransportError, json.JSONDecodeError) as err:
            raise _Retryable(_describe(err)) from None

    def _request(self, method: str, path: str) -> httpx.Response:
        import httpx

        for tries in range(self._retries + 1):
            try:
                response = self._http().request(method, self.base_url + path)
                self._raise_for_status(response, path)
                return response
            except httpx.TimeoutException:
                raise LLMServerError(
                    f"the LLM server at {self.base_url} did not answer within {self._timeout_s:g} s"
                ) from None
            except (httpx.TransportError, _Retryable) as err:
                if tries >= self._retries:
                    raise LLMServerError(
                        f"the LLM server at {self.base_url} is unreachable: {_describe(err)}"
                    ) from None
                time.sleep(self._backoff_s * 2**tries)
        raise AssertionError("unreachable")

    def _raise_for_status(self, response: httpx.Response, path: str) -> None:
        status = response.status_code
        if status < 400:
            return
        if status in (404, 405) and path != "/models":
            raise _NoEndpoint(path)
        if status in _RETRY_STATUS:
            raise _Retryable(f"HTTP {status}")
        detail = response.text[:300].strip()
        hint = " (check $CITEQA_LLM_API_KEY or $OPENAI_API_KEY)" if status in (401, 403) else ""
        raise LLMServerError(f"the LLM server at {self.base_url} refused {path}: HTTP {status}{hint}: {detail}")

    def _http(self) -> httpx.Client:
        import httpx

        if self._client is None:
            headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            timeout = httpx.Timeout(self._timeout_s, connect=min(5.0, self._timeout_s))
            self._client = httpx.Client(headers=headers, timeout=timeout, trust_env=False)
        return self._client


class _Retryable(Exception):
    """A connection error or a 5xx answer: worth another try."""


class _NoEndpoint(Exception):
    """The server has no such endpoint (404/405)."""


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


def _token_logprobs(logprobs: Any) -> list[tuple[str, float | None]]:
    """(token, log-probability) pairs of a chunk, in completions or chat format."""
    if not logprobs:
        return []
    if "content" in logprobs:  # chat: [{"token": ..., "logprob": ...}, ...]
        return [(t.get("token", ""), t.get("logprob")) for t in logprobs.get("content") or []]
    return list(zip(logprobs.get("tokens") or [], logprobs.get("token_logprobs") or [], strict=False))


def _probabilities(tokens: Sequence[tuple[str, float | None]], stop: Sequence[str]) -> tuple[float, ...]:
    """The chosen tokens' probabilities, kept as the in-process model keeps them: up to the end of
    turn and without the token that completes a stop string."""
    probs: list[float] = []
    text = ""
    for token, logprob in tokens:
        text += token
        if token in _END_TOKENS or any(s in text for s in stop) or logprob is None:
            break
        probs.append(math.exp(logprob))
    return tuple(probs)
