"""A chat server started with --auth-file: nothing but the login page answers without logging in,
the upload handler included (callable over the HTTP API by fn_index when there is no login), and
no password reaches the log."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import SEEDS
from tests.ui.conftest import free_port, wait_for

pytestmark = [pytest.mark.models, pytest.mark.ui]
USER, PASSWORD = "editor", "s3cret-Pass-829"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    from index import build_index

    index_dir = tmp_path_factory.mktemp("auth-index")
    build_index([SEEDS], index_dir)
    logs = tmp_path_factory.mktemp("auth-log")
    logins = logs / "logins.txt"
    logins.write_text(f"# the newsroom\n{USER}:{PASSWORD}\nother:pw2\n")
    port, login = free_port(), ["--auth-file", str(logins)]
    with open(logs / "server.log", "w+") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "citeqa", "chat", "--index-dir", str(index_dir), "--port", str(port), *login],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "CITEQA_FEEDBACK": str(logs / "fb.jsonl")},
        )
        wait_for(port, proc, log)
        yield f"http://127.0.0.1:{port}/", index_dir, logs / "server.log"
        proc.terminate()
        proc.wait(timeout=30)


def _post(url, body, headers=None):
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers


def _join(url, fn_index, cookie=None):
    body = json.dumps({"data": [None], "fn_index": fn_index, "session_hash": "probe1234", "event_data": None})
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    return _post(url + "gradio_api/queue/join", body.encode(), headers)[0]


def test_no_handler_is_callable_without_logging_in(guarded):
    url, index_dir, _ = guarded
    before = sorted(p.name for p in index_dir.iterdir())
    assert {_join(url, n) for n in range(12)} <= {401, 403}, "every fn_index, the upload handler among them"
    boundary = "b0undary"
    upload = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="x.txt"\r\n\r\n'
        f"An injected article.\r\n--{boundary}--\r\n"
    ).encode()
    status, _, _ = _post(
        url + "gradio_api/upload", upload, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert status in (401, 403)
    assert sorted(p.name for p in index_dir.iterdir()) == before


def test_a_login_opens_it_and_a_wrong_password_does_not(guarded):
    url, _, _ = guarded
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    wrong = urllib.parse.urlencode({"username": USER, "password": "guess"}).encode()
    assert _post(url + "login", wrong, form)[0] in (400, 401, 403)
    status, _, headers = _post(
        url + "login", urllib.parse.urlencode({"username": USER, "password": PASSWORD}).encode(), form
    )
    assert status == 200
    cookie = "; ".join(c.split(";", 1)[0] for c in headers.get_all("set-cookie"))
    assert _join(url, 0, cookie) == 200

    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 (the client raises its own errors, by version)
        Client(url, verbose=False)
    assert (
        "/ask"
        in Client(url, auth=(USER, PASSWORD), verbose=False).view_api(print_info=False, return_format="dict")[
            "named_endpoints"
        ]
    )


def test_no_password_in_the_log(guarded):
    _, _, log = guarded
    text = log.read_text()
    assert PASSWORD not in text and "pw2" not in text
