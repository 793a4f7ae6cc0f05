"""The command line against damaged indexes and bad locations: a clear message and exit status, never a traceback."""

from __future__ import annotations

import os

import pytest

from citeqa.cli import main
from citeqa.printing import shown as _shown
from index import build_index
from index.errors import IndexNotFoundError
from index.stores import current_generation
from qa import answer


@pytest.fixture
def built(corpus, tmp_path, embedder):
    ix = tmp_path / "ix"
    build_index([corpus], ix, embedder=embedder)
    return ix


def test_verify_passes_a_whole_index_and_names_the_damage_and_the_repair(built, capsys):
    assert main(["verify", "--index-dir", str(built)]) == 0
    assert "ok:" in capsys.readouterr().out
    vectors = built / current_generation(built) / "sentence_vectors.npy"
    data = bytearray(vectors.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one bit pattern in one vector
    vectors.write_bytes(bytes(data))
    assert main(["verify", "--index-dir", str(built)]) == 1
    err = capsys.readouterr().err
    assert "sentence_vectors.npy has changed" in err and "citeqa index" in err
    assert "Traceback" not in err


def test_ask_on_a_damaged_index_is_a_clear_error(built, capsys):
    (built / current_generation(built) / "bm25.npz").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    assert main(["ask", "Who led the repair crew?", "--index-dir", str(built), "--reader", "sentence"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "bm25.npz" in err and "citeqa index" in err


def test_verify_on_a_missing_index(tmp_path, capsys):
    assert main(["verify", "--index-dir", str(tmp_path / "none")]) == 1
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"index_dir": 5}, "index_dir must be a folder path .* got int: 5"),
        ({"index_dir": b"/tmp"}, "index_dir must be a folder path .* got bytes"),
        ({"index_dir": "bad\x00dir"}, "index_dir must name a folder"),
        ({"reader": None}, "reader must be one of 'llm'.* got NoneType"),
        ({"reader": 3}, "reader must be one of .* got int: 3"),
    ],
)
def test_bad_index_dir_and_reader_are_named(kwargs, named):
    with pytest.raises(ValueError, match=named):
        answer("Who led the repair crew?", **kwargs)


def test_an_index_folder_that_is_a_file(corpus, tmp_path, embedder, capsys):
    a_file = tmp_path / "ix.txt"
    a_file.write_text("not an index")
    with pytest.raises(IndexNotFoundError, match=r"a file, not a folder.*--index-dir"):
        build_index([corpus], a_file, embedder=embedder)
    assert a_file.read_text() == "not an index"
    assert main(["ask", "Who?", "--index-dir", str(a_file)]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.skipif(not os.path.isdir("/sys"), reason="needs a read-only file system at /sys")
def test_an_index_folder_that_cannot_be_written(corpus, embedder):
    # /sys refuses new folders even to root, so this holds however the tests run.
    with pytest.raises(IndexNotFoundError, match=r"cannot write an index at /sys/citeqa-ix.*writable folder"):
        build_index([corpus], "/sys/citeqa-ix", embedder=embedder)


def test_a_symlink_loop_named_as_a_path(tmp_path, embedder):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(FileNotFoundError, match="a symbolic link that leads nowhere"):
        build_index([tmp_path / "a"], tmp_path / "ix", embedder=embedder)


def test_control_characters_from_articles_are_escaped_for_the_terminal():
    assert _shown("title\x1b]0;pwned\x07 end\nnext\tcol") == "title\\x1b]0;pwned\\x07 end\nnext\tcol"
    assert _shown("Radoičić \u202e") == "Radoičić \u202e"  # letters and format characters stay


@pytest.mark.parametrize(
    ("host", "warned"), [("127.0.0.1", False), ("localhost", False), ("0.0.0.0", True), ("10.1.2.3", True)]
)
def test_serving_beyond_this_machine_without_login_is_warned(monkeypatch, capsys, host, warned):
    import ui.app

    launched = []
    monkeypatch.setattr(ui.app, "launch", lambda *args, **kwargs: launched.append(kwargs))
    assert main(["chat", "--host", host, "--index-dir", "/nonexistent"]) == 0
    assert launched[0]["host"] == host
    assert ("without authentication" in capsys.readouterr().err) == warned


def test_logins_from_flag_and_file_and_errors_that_never_show_a_password(tmp_path, monkeypatch, capsys):
    import ui.app

    launched = []
    monkeypatch.setattr(ui.app, "launch", lambda *args, **kwargs: launched.append(kwargs))
    logins = tmp_path / "logins.txt"
    logins.write_text("# team\n\nann:pw-one\nbob:pw:with:colons\n")
    assert main(["chat", "--host", "0.0.0.0", "--auth-file", str(logins), "--auth", "cat:pw3"]) == 0
    assert launched[0]["auth"] == [("cat", "pw3"), ("ann", "pw-one"), ("bob", "pw:with:colons")]
    assert "without authentication" not in capsys.readouterr().err
    logins.write_text("ann:pw-one\nbob-without-password-secret\n")
    assert main(["chat", "--auth-file", str(logins)]) == 2
    err = capsys.readouterr().err
    assert "line 2: a login must be USER:PASS" in err and "pw-one" not in err and "secret" not in err
    assert main(["chat", "--auth", ":pw-two"]) == 2
    assert "pw-two" not in capsys.readouterr().err
    logins.write_text("# nobody\n")
    assert main(["chat", "--auth-file", str(logins)]) == 2
    assert "no USER:PASS line" in capsys.readouterr().err
    assert len(launched) == 1
