import json
import sqlite3

import numpy as np
import pytest
from scipy import sparse

from index import build_index, load_index
from index.bm25 import BM25, PLURAL_S, TOKENIZER
from index.errors import EmptyCorpusError, IndexCorruptError, IndexMismatchError, IndexNotFoundError
from index.stores import current_generation
from index.stores.embedded import HNSW_EF_SEARCH
from index.stores.integrity import file_checksum
from tests.fakes import HashEmbedder


def _sentence_texts(index, chunk):
    text = index.articles[chunk.article_id].text
    sentences = index.sentences[chunk.article_id][chunk.first_sentence : chunk.last_sentence]
    return [text[s.start : s.end] for s in sentences]


def _mean_of_sentences(index, chunk, embedder):
    """What a chunk's vector should be: the normalised mean of its sentences' embeddings."""
    mean = embedder.embed(_sentence_texts(index, chunk)).mean(axis=0)
    return mean / np.linalg.norm(mean)


def test_build_and_load_round_trip(corpus, tmp_path, embedder):
    report = build_index([corpus], tmp_path / "ix", embedder=embedder)
    assert sorted(report.added) == ["election", "harbour", "sub/floods"]
    loaded = load_index(tmp_path / "ix")
    assert loaded.manifest.embedding_model == embedder.name
    assert loaded.manifest.dimension == embedder.dimension
    assert loaded.vectors.ntotal == len(loaded.chunks) == report.chunks
    for chunk in loaded.chunks:
        assert loaded.articles[chunk.article_id].text[chunk.start : chunk.end] == chunk.text
    # Sentence vectors come back as they were embedded (stored as float16); a chunk's vector is
    # the normalised mean of its sentences'.
    for chunk in loaded.chunks:
        stored = loaded.vectors_of_sentences(chunk.article_id, chunk.first_sentence, chunk.last_sentence)
        np.testing.assert_allclose(stored, embedder.embed(_sentence_texts(loaded, chunk)), atol=1e-3)
    multi = next(i for i, c in enumerate(loaded.chunks) if c.last_sentence - c.first_sentence > 1)
    np.testing.assert_allclose(
        loaded.chunk_vectors([multi])[0], _mean_of_sentences(loaded, loaded.chunks[multi], embedder), atol=1e-6
    )
    assert loaded.articles["harbour"].published.isoformat() == "2024-03-02"


def test_unchanged_articles_are_not_reembedded(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    embedder.embedded.clear()
    report = build_index([corpus], tmp_path / "ix", embedder=embedder)
    assert not report.changed and report.unchanged == 3
    assert embedder.embedded == []


def test_changed_added_and_deleted_files_are_picked_up(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    (corpus / "election.md").write_text("# Recount ordered\n\nA recount was ordered in Dunmore.")
    (corpus / "new.txt").write_text("A new library opened in Port Ellis.")
    (corpus / "sub" / "floods.txt").unlink()
    embedder.embedded.clear()
    report = build_index([corpus], tmp_path / "ix", embedder=embedder)
    assert report.updated == ("election",)
    assert report.added == ("new",)
    assert report.removed == ("sub/floods",)
    # Only the changed and new articles were embedded.
    assert all("Recount" in t or "recount" in t or "library" in t for t in embedder.embedded)
    loaded = load_index(tmp_path / "ix")
    assert sorted(loaded.articles) == ["election", "harbour", "new"]
    harbour_rows = [i for i, c in enumerate(loaded.chunks) if c.article_id == "harbour"]
    np.testing.assert_allclose(
        loaded.chunk_vectors(harbour_rows),
        np.stack([_mean_of_sentences(loaded, loaded.chunks[i], embedder) for i in harbour_rows]),
        atol=2e-3,  # kept vectors went through float16 once
    )


def test_other_chunk_settings_rechunk_without_embedding_again(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    before = load_index(tmp_path / "ix")
    embedder.embedded.clear()
    report = build_index([corpus], tmp_path / "ix", embedder=embedder, chunk_chars=60, overlap_sentences=0)
    assert embedder.embedded == [], "sentences are unchanged, so their stored vectors are reused"
    after = load_index(tmp_path / "ix")
    assert report.chunks == len(after.chunks) > len(before.chunks)
    assert after.manifest.chunk_chars == 60
    for i, chunk in enumerate(after.chunks):
        np.testing.assert_allclose(after.chunk_vectors([i])[0], _mean_of_sentences(after, chunk, embedder), atol=2e-3)


def test_articles_from_other_roots_are_kept(corpus, tmp_path, embedder):
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.txt").write_text("An extra article about ferries.")
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    build_index([other], tmp_path / "ix", embedder=embedder)
    assert sorted(load_index(tmp_path / "ix").articles) == ["election", "extra", "harbour", "sub/floods"]


def test_bad_files_are_reported_and_the_rest_indexed(corpus, tmp_path, embedder):
    (corpus / "broken.txt").write_bytes(b"\x00\x01\xff\xfe")  # binary (a leading FF FE would be a UTF-16 BOM)
    report = build_index([corpus], tmp_path / "ix", embedder=embedder)
    assert [str(e.path).endswith("broken.txt") for e in report.errors] == [True]
    assert report.articles == 3


def test_empty_corpus_is_an_error_and_keeps_the_old_index(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    before = current_generation(tmp_path / "ix")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EmptyCorpusError):
        build_index([empty], tmp_path / "fresh", embedder=embedder)
    for path in corpus.rglob("*.*"):
        path.unlink()
    with pytest.raises(EmptyCorpusError):
        build_index([corpus], tmp_path / "ix", embedder=embedder)
    assert current_generation(tmp_path / "ix") == before
    assert len(load_index(tmp_path / "ix").articles) == 3


def test_another_embedding_model_is_refused(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    with pytest.raises(IndexMismatchError, match="built with 'test/hash-embedder'"):
        build_index([corpus], tmp_path / "ix", embedder=HashEmbedder(name="other/model"))
    report = build_index([corpus], tmp_path / "ix", embedder=HashEmbedder(name="other/model"), rebuild=True)
    assert load_index(tmp_path / "ix").manifest.embedding_model == "other/model"
    assert report.articles == 3


def test_crash_mid_build_leaves_previous_index_usable(corpus, tmp_path, embedder, monkeypatch):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    before = current_generation(tmp_path / "ix")
    (corpus / "new.txt").write_text("A new article.")

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(BM25, "save", explode)
    with pytest.raises(OSError, match="disk full"):
        build_index([corpus], tmp_path / "ix", embedder=embedder)
    assert current_generation(tmp_path / "ix") == before
    assert sorted(load_index(tmp_path / "ix").articles) == ["election", "harbour", "sub/floods"]
    assert [p.name for p in (tmp_path / "ix").iterdir() if p.is_dir()] == [before]


def test_damaged_index_is_a_clear_error(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    folder = tmp_path / "ix" / current_generation(tmp_path / "ix")
    vectors = folder / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match=r"vectors\.faiss"):
        load_index(tmp_path / "ix")
    # A rebuild over a damaged index replaces it.
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    assert len(load_index(tmp_path / "ix").articles) == 3


def test_damaged_sentence_vectors_are_a_clear_error(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    folder = tmp_path / "ix" / current_generation(tmp_path / "ix")
    stored = np.load(folder / "sentence_vectors.npy")
    np.save(folder / "sentence_vectors.npy", stored[:-1])  # one row short, yet a valid file
    manifest = folder / "manifest.json"
    size = (folder / "sentence_vectors.npy").stat().st_size
    data = json.loads(manifest.read_text())
    data["file_sizes"]["sentence_vectors.npy"] = size
    del data["checksums"]["sentence_vectors.npy"]  # as from before checksums: the shapes still catch it
    manifest.write_text(json.dumps(data))
    with pytest.raises(IndexCorruptError, match="disagree on their sizes"):
        load_index(tmp_path / "ix")


def test_garbage_records_are_a_clear_error(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    folder = tmp_path / "ix" / current_generation(tmp_path / "ix")
    records = folder / "records.sqlite"
    size = records.stat().st_size
    records.write_bytes(b"x" * size)
    with pytest.raises(IndexCorruptError, match="damaged"):
        load_index(tmp_path / "ix")


def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFoundError, match="does not exist"):
        load_index(tmp_path / "none")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexNotFoundError, match="citeqa index"):
        load_index(tmp_path / "empty")


def test_other_format_version_is_refused(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    manifest = tmp_path / "ix" / current_generation(tmp_path / "ix") / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"format_version": 3', '"format_version": 99'))
    with pytest.raises(IndexCorruptError, match="format version 99"):
        load_index(tmp_path / "ix")


def test_bm25_terms_from_an_older_tokenizer_are_rebuilt_on_load(corpus, tmp_path, embedder, caplog):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    folder = tmp_path / "ix" / current_generation(tmp_path / "ix")
    # Replace the BM25 files with ones an older tokenizer made: whole lower-cased words.
    # (A file with no tokenizer name loads as plural-s: test_bm25.)
    chunks = load_index(tmp_path / "ix").chunks
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, chunk in enumerate(chunks):
        for word in sorted(set(chunk.text.lower().split())):
            rows.append(row)
            cols.append(vocabulary.setdefault(word, len(vocabulary)))
    matrix = sparse.csc_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(chunks), len(vocabulary)))
    BM25(matrix, vocabulary, 1.5, 0.75, tokenizer=PLURAL_S).save(folder)
    manifest = folder / "manifest.json"
    data = json.loads(manifest.read_text())
    for name in ("bm25.npz", "bm25_vocab.json"):
        data["file_sizes"][name] = (folder / name).stat().st_size
        data["checksums"][name] = file_checksum(folder / name)
    manifest.write_text(json.dumps(data))

    with caplog.at_level("WARNING", logger="index.stores.generations"):
        loaded = load_index(tmp_path / "ix")
    assert "rebuilding" in caplog.text
    assert loaded.bm25.tokenizer == TOKENIZER
    flood_rows = [i for i, c in enumerate(loaded.chunks) if c.article_id == "sub/floods"]
    assert int(loaded.bm25.scores("Where did it flood?").argmax()) in flood_rows
    # The next build writes the new terms out, re-embedding nothing; later loads need no rebuild.
    report = build_index([corpus], tmp_path / "ix", embedder=embedder)
    assert report.unchanged == 3 and not report.added and report.generation != folder.name
    caplog.clear()
    with caplog.at_level("WARNING", logger="index.stores.generations"):
        assert not load_index(tmp_path / "ix").bm25_outdated
    assert "rebuilding" not in caplog.text


def test_records_are_plain_sqlite_and_nothing_is_pickled(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    folder = tmp_path / "ix" / current_generation(tmp_path / "ix")
    with sqlite3.connect(folder / "records.sqlite") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (3,)
    for path in folder.iterdir():
        assert not path.read_bytes().startswith(b"\x80"), f"{path.name} looks pickled"
    with np.load(folder / "bm25.npz", allow_pickle=False) as arrays:
        assert "data" in arrays


def test_large_indexes_switch_to_hnsw_and_still_find_the_right_chunk(corpus, tmp_path, embedder):
    import faiss

    build_index([corpus], tmp_path / "ix", embedder=embedder, approximate_from=1)
    index = load_index(tmp_path / "ix")
    assert isinstance(index.vectors, faiss.IndexHNSWSQ) and index.vectors.hnsw.efSearch == HNSW_EF_SEARCH
    question = embedder.embed(["Engineer Maria Olsen led the repair crew"])
    threads = faiss.omp_get_max_threads()
    rows = index.nearest(question[0], 2)
    assert len(rows) == 2 and index.chunks[rows[0]].article_id == "harbour"
    assert faiss.omp_get_max_threads() == threads  # the one-thread search leaves builds their threads
    # Stored vectors come back close to the originals (8-bit quantisation).
    original = _mean_of_sentences(index, index.chunks[0], embedder)
    assert float(index.chunk_vectors([0])[0] @ original) > 0.99
