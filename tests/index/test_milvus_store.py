"""The Milvus store's own behaviour on Milvus Lite: incremental updates, migration, and faults.

Faults: an unreachable server, a store made by another model or format, a dropped collection and
a write killed part-way; each is a clear error or a recovery, and nothing already indexed is lost.
"""

from __future__ import annotations

import json

import pytest

from index.build import build_index
from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from index.stores import load_index
from index.stores import milvus_write as write
from index.stores.milvus import live_generation, open_milvus
from index.stores.milvus_build import build_milvus, migrate_to_milvus
from index.stores.milvus_schema import (
    MANIFEST_KEY,
    MilvusLocation,
    StoreUnreachableError,
    connect,
    parse_location,
    read_properties,
    set_properties,
)
from qa import Pipeline, SentenceReader
from tests.conftest import ARTICLES, write_corpus
from tests.fakes import HashEmbedder


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A corpus folder and a Milvus Lite store built from it (tests that change either copy them)."""
    root = tmp_path_factory.mktemp("milvus")
    corpus = write_corpus(root / "corpus")
    location = f"milvus:{root / 'archive.db'}"
    build_milvus([corpus], location, embedder=HashEmbedder())
    return root, corpus, location


@pytest.fixture
def fresh(tmp_path):
    """A store of its own, for a test that changes it."""
    corpus = write_corpus(tmp_path / "corpus")
    location = f"milvus:{tmp_path / 'own.db'}"
    embedder = HashEmbedder()
    build_milvus([corpus], location, embedder=embedder)
    return corpus, location, embedder


def test_locations_name_lite_files_and_servers(tmp_path):
    lite = parse_location(f"milvus:{tmp_path}/a.db")
    assert lite.lite and lite.uri == str(tmp_path / "a.db") and str(lite) == f"milvus:{tmp_path}/a.db"
    server = parse_location("http://db.example:19530", user="ann", password="pw")
    assert not server.lite and server.token == "ann:pw" and "pw" not in repr(server) + str(server)
    with pytest.raises(ValueError, match=r"milvus:PATH.*http\(s\)://HOST:PORT"):
        parse_location("./archive.db")
    with pytest.raises(ValueError, match="needs a password"):
        parse_location("http://db.example:19530", user="ann")


def test_an_unreachable_server_is_a_clear_error():
    with pytest.raises(StoreUnreachableError, match=r"cannot reach the Milvus store at http://127.0.0.1:1"):
        open_milvus("http://127.0.0.1:1")


def test_no_store_there_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexNotFoundError, match="build one with 'citeqa index PATH --store"):
        open_milvus(f"milvus:{tmp_path}/empty.db")
    with pytest.raises(StoreUnreachableError, match="does not exist"):
        open_milvus(f"milvus:{tmp_path}/no/such/folder/a.db")


def test_another_model_is_refused(built):
    _, corpus, location = built
    with pytest.raises(IndexMismatchError, match="built with 'test/hash-embedder', not 'other/model'"):
        open_milvus(location, embedding_model="other/model")
    with pytest.raises(IndexMismatchError, match="not 'other/model'"):
        build_milvus([corpus], location, embedder=HashEmbedder(name="other/model"))
    assert len(open_milvus(location).articles) == 3  # the refused build changed nothing


def test_another_format_is_refused_and_a_rebuild_replaces_it(fresh):
    corpus, location, embedder = fresh
    where = parse_location(location)
    client = connect(where)
    manifest = json.loads(read_properties(client, where)[MANIFEST_KEY])
    set_properties(client, where, {MANIFEST_KEY: json.dumps({**manifest, "format_version": 99})})
    with pytest.raises(IndexCorruptError, match=r"format 99.*rebuild it"):
        open_milvus(location)
    build_milvus([corpus], location, embedder=embedder, rebuild=True)
    assert len(open_milvus(location).articles) == 3


def test_a_dropped_collection_is_named_and_a_rebuild_repairs_it(fresh):
    corpus, location, embedder = fresh
    where = parse_location(location)
    connect(where).drop_collection(where.name("sentences"))
    with pytest.raises(IndexCorruptError, match=r"lacks citeqa_sentences .*--rebuild"):
        open_milvus(location)
    build_milvus([corpus], location, embedder=embedder, rebuild=True)
    assert len(open_milvus(location).sentences["harbour"]) > 0


def test_updates_are_incremental_by_article(fresh):
    corpus, location, embedder = fresh
    embedder.embedded.clear()
    before = open_milvus(location).generation
    same = build_milvus([corpus], location, embedder=embedder)
    assert (same.added, same.updated, same.removed, same.unchanged) == ((), (), (), 3)
    assert same.generation == before  # nothing written: readers need not reload
    assert embedder.embedded == []  # nothing embedded again
    (corpus / "harbour.txt").write_text(ARTICLES["harbour.txt"].replace("Maria Olsen", "Jonas Berg"), encoding="utf-8")
    (corpus / "election.md").unlink()
    report = build_milvus([corpus], location, embedder=embedder)
    assert (report.updated, report.removed, report.unchanged) == (("harbour",), ("election",), 1)
    assert all("Brackwater" not in text for text in embedder.embedded)  # the unchanged article kept its vectors
    store = open_milvus(location)
    assert sorted(store.articles) == ["harbour", "sub/floods"]
    assert "Jonas Berg" in store.articles["harbour"].text
    question = "Who led the repair crew?"
    (hit,) = store.search(question, embedder.embed([question])[0], 1)
    assert "Jonas Berg" in hit.chunk.text
    assert {c.article_id for c in store.chunks} == {"harbour", "sub/floods"}


def test_a_write_killed_part_way_loses_nothing_and_the_next_build_completes_it(fresh, monkeypatch):
    corpus, location, embedder = fresh
    for name in ("a", "b", "c"):
        (corpus / f"new_{name}.txt").write_text(
            f"Story {name}. The {name} quarry reopened in spring.", encoding="utf-8"
        )
    real_put = write.put

    class DiesOnTheThirdInsert:
        """A client whose process is killed as it inserts the last rows (the articles' part-0 rows)."""

        def __init__(self, client):
            self.client, self.inserts = client, 0

        def insert(self, collection, rows):
            self.inserts += 1
            if self.inserts == 3:
                raise KeyboardInterrupt("killed mid-insert")
            return self.client.insert(collection, rows)

    def killed_after_one(client, where, items, number):
        # The first new article is written whole; the others get their chunks and sentences only.
        first, *rest = items
        real_put(client, where, [first], number)
        real_put(DiesOnTheThirdInsert(client), where, rest, number)

    monkeypatch.setattr(write, "put", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        build_milvus([corpus], location, embedder=embedder)
    monkeypatch.undo()
    store = open_milvus(location)
    assert store.interrupted
    assert sorted(store.articles) == ["election", "harbour", "new_a", "sub/floods"]  # what was indexed stays
    assert {c.article_id for c in store.chunks} == set(store.articles)  # half-written chunks are not shown
    question = "Who led the repair crew?"
    assert store.search(question, embedder.embed([question])[0], 1)[0].chunk.article_id == "harbour"
    assert write.recover(store.client, store.location) == ["new_b", "new_c"]  # their rows are gone
    assert store.records.count("chunks", "article_id in {ids}", ids=["new_b", "new_c"]) == 0
    report = build_milvus([corpus], location, embedder=embedder)
    assert set(report.added) == {"new_b", "new_c"} and report.unchanged == 4
    store = open_milvus(location)
    assert not store.interrupted and len(store.articles) == 6
    assert len({(c.article_id, c.index) for c in store.chunks}) == len(store.chunks)


def test_a_half_written_article_is_never_returned(fresh):
    corpus, location, embedder = fresh
    where = parse_location(location)
    client = connect(where)
    number = write.begin(client, where)
    write.delete(client, where, ["harbour"])  # its part-0 row goes first: no longer whole
    store = open_milvus(location)
    question = "Who led the repair crew?"
    assert all(h.chunk.article_id != "harbour" for h in store.search(question, embedder.embed([question])[0], 3))
    assert "harbour" not in store.articles and store.interrupted
    assert write.recover(client, where) == [] and live_generation(store) == f"milvus-{number}"
    assert build_milvus([corpus], location, embedder=embedder).added == ("harbour",)


def test_migrate_copies_an_index_without_embedding(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    embedder = HashEmbedder()
    build_index([corpus], tmp_path / "index", embedder=embedder)
    embedder.embedded.clear()
    report = migrate_to_milvus(tmp_path / "index", MilvusLocation(str(tmp_path / "copy.db"), prefix="news"))
    source = load_index(tmp_path / "index")
    assert (report.articles, report.chunks) == (3, len(source.chunks))
    assert report.sentences == sum(map(len, source.sentences.values()))
    copy = open_milvus(MilvusLocation(str(tmp_path / "copy.db"), prefix="news"))
    assert list(copy.chunks) == list(source.chunks) and embedder.embedded == []
    # The copy takes incremental builds from then on: nothing is embedded again.
    assert build_milvus([corpus], copy.location, embedder=embedder).unchanged == 3 and embedder.embedded == []


def test_a_pipeline_answers_from_milvus_as_from_the_index_folder(built, tmp_path):
    _, corpus, location = built
    build_index([corpus], tmp_path / "index", embedder=HashEmbedder())
    local = Pipeline(tmp_path / "index", reader=SentenceReader(), embedder=HashEmbedder(), min_relevance=0.3)
    remote = Pipeline(store=location, reader=SentenceReader(), embedder=HashEmbedder(), min_relevance=0.3)
    for question in ("Who led the repair crew on the harbour bridge?", "How many residents were evacuated?"):
        a, b = local.answer(question), remote.answer(question)
        assert (b.text, b.citations) == (a.text, a.citations)
        assert b.score == pytest.approx(a.score, abs=0.05)
    assert remote.answer("What is the capital of Australia?").abstained


def test_a_pipeline_reloads_after_a_build(fresh):
    corpus, location, embedder = fresh
    pipeline = Pipeline(store=location, reader=SentenceReader(), embedder=embedder, min_relevance=0.3)
    first = pipeline.store
    (corpus / "quarry.txt").write_text("The quarry at Fenwick closed after 80 years of work.", encoding="utf-8")
    build_milvus([corpus], location, embedder=embedder)
    assert pipeline.store is not first and "quarry" in pipeline.store.articles
