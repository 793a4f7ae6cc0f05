"""The bad-input matrix: each case is a clear error naming the input and what is valid, and nothing
already indexed is lost. Files are added to a corpus that is already indexed, then built again."""

from __future__ import annotations

import math
import os

import pytest

from index import build_index, load_index
from index.errors import IndexNotFoundError
from index.stores import current_generation
from qa import InvalidQuestionError, answer
from qa.questions import validate_question, validate_top_k

INDEXED = ["election", "harbour", "sub/floods"]
BIG = 60 * 2**20


def _write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def _fifo(path):
    os.mkfifo(path)


def _loop(path):
    path.symlink_to(path.parent / "loop-b.txt")
    (path.parent / "loop-b.txt").symlink_to(path)


def _dangling(path):
    path.symlink_to(path.parent / "gone.txt")


def _big(path):
    with open(path, "wb") as handle:
        handle.truncate(BIG)  # sparse: 60 MB of size without 60 MB written


# (file name, how to make it, what the error must say); each is skipped with its reason.
REFUSED = [
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"binary\.txt: looks like a binary file"),
    ("empty.txt", b"", r"empty\.txt: has no text to index"),
    ("blank.md", b"   \n\n  \t\n", r"blank\.md: has no text to index"),
    ("big.txt", _big, r"big\.txt: is 62,914,560 bytes; the limit is 20,000,000"),
    ("latin1.txt", "Caf\u00e9 owner".encode("latin-1") + b" reopened.", r"latin1\.txt: is not valid UTF-8 text"),
    ("loop-a.txt", _loop, r"loop-a\.txt: is a symbolic link that leads nowhere"),
    ("fifo.txt", _fifo, r"fifo\.txt: is not a regular file \(a FIFO"),
    ("dangling.txt", _dangling, r"dangling\.txt: is a symbolic link that leads nowhere"),
    ("feb30.txt", "date 2024-02-30 A council met.", r"feb30\.txt: invalid date marker 'date 2024-02-30'"),
    (
        "future.txt",
        "date 2999-01-01 A council met.",
        r"future\.txt: date marker 2999-01-01 is in the future; valid: a date up to",
    ),
    (
        "future-fm.md",
        "---\ndate: 2999-05-01\n---\nA council met.",
        r"future-fm\.md: front matter date 2999-05-01 is in the future",
    ),
    (
        "month13.md",
        "---\ndate: 2024-13-01\n---\nA council met.",
        r"month13\.md: has front matter with an impossible date \(month must be in 1\.\.12\)",
    ),
    ("only-date.txt", "date 2024-03-02", r"only-date\.txt: .*(empty|no text|body)"),
    ("broken.html", b"\x00\x01<html><body><p>", r"broken\.html: looks like a binary file"),
    ("linkonly.html", "<html><body><a href='/x'>more</a></body></html>", r"linkonly\.html: "),
    ("broken.rss", "<rss><channel><item><title>Unclosed", r"broken\.rss: "),
    ("broken.jsonl", '{"title": "A", "text": "Body."\n{not json}\n', r"broken\.jsonl"),
    ("fields.jsonl", '{"headline": "A", "nothing": "x"}\n', r"fields\.jsonl"),
    ("yaml.md", "---\ntitle: [unclosed\n---\nBody text here.", r"yaml\.md: .*front matter"),
    ("slides.pdf", b"%PDF-1.4 binary", r"unsupported types \.pdf \(1\)"),
]

ACCEPTED = [
    ("utf16.txt", "The ferry to Brackwater resumed on Tuesday.".encode("utf-16"), "utf16"),
    ("utf16be.txt", b"\xfe\xff" + "The tram line reopened in Dunmore.".encode("utf-16-be"), "utf16be"),
    ("with spaces.txt", "The market square was repaved.", "with spaces"),
    ("Radoičić 日本.txt", "A delegation from Osaka visited the port.", "Radoičić 日本"),
    ("-leading-dash.txt", "A dash-named article about the lighthouse.", "-leading-dash"),
    ("today.txt", "date 2024-03-02 A date and a sentence after it.", "today"),
]


@pytest.fixture
def indexed(corpus, tmp_path, embedder):
    ix = tmp_path / "ix"
    build_index([corpus], ix, embedder=embedder)
    return ix


def _still_indexed(ix, before):
    loaded = load_index(ix)
    assert sorted(set(INDEXED) & set(loaded.articles)) == INDEXED
    for article_id in INDEXED:
        assert loaded.articles[article_id].text == before.articles[article_id].text


@pytest.mark.parametrize(("name", "make", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_bad_file_is_named_with_its_reason_and_nothing_is_lost(indexed, corpus, embedder, name, make, message):
    before = load_index(indexed)
    path = corpus / name
    make(path) if callable(make) else _write(path, make)
    report = build_index([corpus], indexed, embedder=embedder)
    assert any(__import__("re").search(message, str(e)) for e in report.errors), [str(e) for e in report.errors]
    _still_indexed(indexed, before)


@pytest.mark.parametrize(("name", "content", "article_id"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_odd_but_valid_files_are_indexed(indexed, corpus, embedder, name, content, article_id):
    before = load_index(indexed)
    _write(corpus / name, content)
    report = build_index([corpus], indexed, embedder=embedder)
    assert report.added == (article_id,), [str(e) for e in report.errors]
    assert report.errors == ()
    loaded = load_index(indexed)
    assert "\x00" not in loaded.articles[article_id].text and "\ufeff" not in loaded.articles[article_id].text
    _still_indexed(indexed, before)


def test_a_fifo_named_directly_is_refused_without_blocking(indexed, corpus, embedder, tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    report = build_index([corpus, tmp_path / "pipe.txt"], indexed, embedder=embedder)
    assert [e.reason for e in report.errors] == [
        "is not a regular file (a FIFO, socket or device); citeqa reads files, folders and URLs"
    ]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "question is empty"),
        ("   \n\t ", "question is empty"),
        ("x" * 2001, "2,001 characters long; the limit is 2,000"),
        ("Who\x1b[2J?", "control character U\\+001B at character 3"),
        ("Who\x00?", "control character U\\+0000"),
        ("Who\ud800?", "lone surrogate U\\+D800"),
        (None, "question must be a string, got NoneType"),
        (b"Who?", "question must be a string, got bytes"),
        (42, "question must be a string, got int"),
    ],
)
def test_bad_questions(question, message):
    with pytest.raises(InvalidQuestionError, match=message):
        validate_question(question)


@pytest.mark.parametrize("question", ["מי הוביל את הקבוצה?", "Who led 🚢 the crew?", "  Who?\n"])
def test_odd_but_valid_questions(question):
    assert validate_question(question) == question.strip()


@pytest.mark.parametrize(
    ("top_k", "message"),
    [
        (0, "greater than 0, got 0"),
        (-3, "greater than 0, got -3"),
        (10**9, "at most 200, got 1,000,000,000"),
        ("3", "whole number from 1 to 200, got '3'"),
        (2.5, "got 2.5"),
        (math.nan, "got nan"),
        (None, "got None"),
        (True, "got True"),
    ],
)
def test_bad_top_k(top_k, message):
    with pytest.raises(ValueError, match=message):
        validate_top_k(top_k)


def test_index_locations(tmp_path, corpus):
    with pytest.raises(IndexNotFoundError, match="does not exist"):
        answer("Who?", index_dir=tmp_path / "missing")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(IndexNotFoundError, match="is a file, not a folder"):
        answer("Who?", index_dir=tmp_path / "a-file")
    with pytest.raises(IndexNotFoundError, match="build one with 'citeqa index PATH'"):
        answer("Who?", index_dir=corpus)  # an unrelated folder
    assert current_generation(corpus) is None and sorted(p.name for p in corpus.iterdir()) == [
        "election.md",
        "harbour.txt",
        "sub",
    ]
