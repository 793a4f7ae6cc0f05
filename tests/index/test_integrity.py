"""Attacks on a built index: bytes changed in place, files truncated or removed, CURRENT garbled,
generations swapped while readers load. Each must be a clear error saying how to repair, and the
next build must repair it without the user deleting anything."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

from index import build_index, load_index
from index.errors import IndexCorruptError, IndexNotFoundError
from index.stores import current_generation, verify_index

FILES = ("records.sqlite", "vectors.faiss", "sentence_vectors.npy", "bm25.npz", "bm25_vocab.json", "manifest.json")


def _live(ix):
    return ix / current_generation(ix)


def _scribble(path, n=64):
    """Overwrite n bytes in the middle of a file with other bytes: same size, new content."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for i in range(middle, min(middle + n, len(data))):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def _text_edit_in_records(path):
    """A same-length edit of article text inside the SQLite file: a valid database, lying."""
    data = path.read_bytes()
    assert b"Maria Olsen" in data
    path.write_bytes(data.replace(b"Maria Olsen", b"Mario Ulsen"))


@pytest.fixture
def built(corpus, tmp_path, embedder):
    ix = tmp_path / "ix"
    build_index([corpus], ix, embedder=embedder)
    embedder.embedded.clear()
    return ix


@pytest.mark.parametrize(
    ("damage", "reembeds"),
    [
        ("sentence_vectors.npy", True),
        ("records.sqlite", True),
        ("vectors.faiss", False),
        ("bm25.npz", False),  # a CRC error inside the zip
        ("bm25_vocab.json", False),
    ],
)
def test_bytes_changed_in_place_are_caught_and_the_next_build_repairs_them(built, corpus, embedder, damage, reembeds):
    before = load_index(built)
    path = _live(built) / damage
    if damage == "records.sqlite":
        _text_edit_in_records(path)
    else:
        _scribble(path)
    for attempt in (lambda: load_index(built), lambda: verify_index(built)):
        with pytest.raises(IndexCorruptError, match=f"{damage}.*checksum mismatch.*citeqa index"):
            attempt()
    report = build_index([corpus], built, embedder=embedder)
    assert damage in report.repaired
    after = load_index(built)
    assert sorted(after.articles) == sorted(before.articles)
    assert after.articles["harbour"].text == before.articles["harbour"].text
    assert [c.text for c in after.chunks] == [c.text for c in before.chunks]
    np.testing.assert_allclose(
        after.chunk_vectors(range(len(after.chunks))), before.chunk_vectors(range(len(before.chunks))), atol=2e-3
    )
    # Only what the damage forces is embedded again: intact records and sentence vectors are reused.
    assert bool(embedder.embedded) == reembeds
    assert verify_index(built)[0] == report.generation
    assert [p.name for p in built.iterdir() if p.is_dir()] == [report.generation], "the damaged generation is gone"


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("how", ["truncated", "emptied", "overwritten", "deleted"])
def test_damaged_index_matrix(built, corpus, embedder, name, how):
    path = _live(built) / name
    if how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "emptied":
        path.write_bytes(b"")
    elif how == "overwritten":
        path.write_bytes(os.urandom(path.stat().st_size))
    else:
        path.unlink()
    with pytest.raises(
        IndexCorruptError, match=f"damaged: .*{'manifest' if name == 'manifest.json' else name}.*citeqa index"
    ):
        load_index(built)
    report = build_index([corpus], built, embedder=embedder)
    assert report.repaired and report.articles == 3
    assert sorted(load_index(built).articles) == ["election", "harbour", "sub/floods"]


def test_current_deleted_is_a_clear_error_and_the_next_build_recovers(built, corpus, embedder):
    old = current_generation(built)
    (built / "CURRENT").unlink()
    with pytest.raises(IndexNotFoundError, match="citeqa index"):
        load_index(built)
    report = build_index([corpus], built, embedder=embedder)
    assert report.articles == 3 and sorted(load_index(built).articles) == ["election", "harbour", "sub/floods"]
    assert not (built / old).exists(), "the orphaned generation is cleaned up"


@pytest.mark.parametrize(
    "garbage",
    [
        b"\xff\xfe\x00\xd8garbage",
        b"../other/gen-20240101T000000-deadbeef\n",
        b"/etc\n",
        b"gen-1/../../x",
        b"manifest.json",
    ],
)
def test_garbage_in_current_never_leads_outside_and_the_next_build_recovers(built, corpus, embedder, tmp_path, garbage):
    # A whole index elsewhere that a '../other/…' pointer would reach.
    other = tmp_path / "other"
    build_index([corpus], other, embedder=embedder)
    (other / current_generation(other)).rename(other / "gen-20240101T000000-deadbeef")
    (built / "CURRENT").write_bytes(garbage)
    with pytest.raises(IndexCorruptError, match=r"CURRENT .*citeqa index"):
        load_index(built)
    report = build_index([corpus], built, embedder=embedder)
    assert report.repaired and "CURRENT" in report.repaired
    assert embedder.embedded, "without a trusted pointer nothing in the folder is reused"
    assert load_index(built).directory == built.resolve()


def test_readers_never_see_a_swap_as_damage(built, corpus, embedder):
    """A writer rebuilds and swaps generations (deleting the old one) while readers load."""
    stop = threading.Event()
    errors: list[BaseException] = []
    loads = [0]

    def read() -> None:
        while not stop.is_set():
            try:
                assert len(load_index(built).articles) in (3, 4)
                loads[0] += 1
            except BaseException as err:  # anything a reader sees is a failure here
                errors.append(err)
                return

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    deadline = time.monotonic() + 20
    try:
        for i in range(12):
            extra = corpus / "extra.txt"
            if i % 2:
                extra.unlink()
            else:
                extra.write_text(f"Build {i}: a ferry service to Brackwater resumed.")
            build_index([corpus], built, embedder=embedder)
            if time.monotonic() > deadline:
                break
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
    assert errors == []
    assert loads[0] > 10
