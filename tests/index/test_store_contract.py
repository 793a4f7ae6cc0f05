"""The Store contract, run over both implementations: the embedded default and Milvus (Lite, a real engine).

Both stores are built once per module from the same corpus with the same fake embedder; every
test runs on each, and the last ones check that they agree with each other.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from index.build import build_index
from index.stores import MODES, SearchSettings, Store, load_index
from index.stores.milvus import open_milvus
from index.stores.milvus_build import build_milvus
from index.types import ArticleFilter
from tests.conftest import write_corpus
from tests.fakes import HashEmbedder

QUESTIONS = {
    "Who led the repair crew on the harbour bridge?": "harbour",
    "How many residents were evacuated from the lower town?": "sub/floods",
    "Who won a second term as mayor?": "election",
    "What did the repairs of the bridge cost?": "harbour",
}
# Fused scores may differ by this much: Milvus computes BM25's average length and idf itself
# (per segment in Milvus Lite), so a chunk's BM25 score is close to the embedded one, not equal.
SCORE_TOLERANCE = 0.05


@pytest.fixture(scope="module")
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="module")
def stores(tmp_path_factory, embedder) -> dict[str, Store]:
    root = tmp_path_factory.mktemp("contract")
    corpus = write_corpus(root / "corpus")
    build_index([corpus], root / "index", embedder=embedder)
    build_milvus([corpus], f"milvus:{root / 'archive.db'}", embedder=embedder)
    return {"embedded": load_index(root / "index"), "milvus": open_milvus(f"milvus:{root / 'archive.db'}")}


@pytest.fixture(params=["embedded", "milvus"])
def store(request, stores) -> Store:
    return stores[request.param]


def test_it_is_a_store(store):
    assert isinstance(store, Store)
    assert store.embedding_model == "test/hash-embedder" and store.generation


def test_records_keep_their_offsets(store):
    assert sorted(store.articles) == ["election", "harbour", "sub/floods"]
    for article in store.articles.values():
        sentences = store.sentences[article.id]
        assert [s.index for s in sentences] == list(range(len(sentences)))
        assert all(article.body_start <= s.start < s.end <= len(article.text) for s in sentences)
    assert len(store.chunks) == len(list(store.chunks)) >= 3
    for chunk in store.chunks:
        assert store.articles[chunk.article_id].text[chunk.start : chunk.end] == chunk.text


def test_sentence_vectors_are_normalised(store):
    vectors = store.vectors_of_sentences("harbour", 0, 2)
    assert vectors.shape == (2, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-2)


@pytest.mark.parametrize(("question", "article_id"), QUESTIONS.items())
def test_search_finds_the_article_that_answers(store, embedder, question, article_id):
    hits = store.search(question, embedder.embed([question])[0], 3)
    assert hits[0].chunk.article_id == article_id
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_ranks_the_answering_chunk_first(store, embedder, mode):
    question = "Who led the repair crew on the harbour bridge?"
    hits = store.search(question, embedder.embed([question])[0], 2, settings=SearchSettings(mode=mode))
    assert hits and hits[0].chunk.article_id == "harbour"


def test_filters_run_before_ranking(store, embedder):
    question = "Who led the repair crew on the harbour bridge?"
    vector = embedder.embed([question])[0]
    only = store.search(question, vector, 5, where=ArticleFilter(article_ids=frozenset({"election"})))
    assert {h.chunk.article_id for h in only} == {"election"}
    dated = store.search(question, vector, 5, where=ArticleFilter(since=date(2024, 4, 1)))
    assert {h.chunk.article_id for h in dated} == {"sub/floods"}  # undated election.md is excluded
    until = store.search(question, vector, 5, where=ArticleFilter(until=date(2024, 3, 2)))
    assert {h.chunk.article_id for h in until} == {"harbour"}
    assert store.search(question, vector, 5, where=ArticleFilter(article_ids=frozenset({"nowhere"}))) == []


def test_top_k_must_be_positive(store, embedder):
    with pytest.raises(ValueError, match="top_k must be greater than 0"):
        store.search("bridge", embedder.embed(["bridge"])[0], 0)


def test_lexical_overlap_weighs_rare_terms(store):
    overlap = store.lexical_overlap("harbour bridge repairs", ["the bridge", "harbour bridge repairs", "nothing"])
    assert overlap[1] == pytest.approx(1.0) and 0 < overlap[0] < 1 and overlap[2] == 0


def test_both_stores_hold_the_same_records(stores):
    embedded, milvus = stores["embedded"], stores["milvus"]
    assert dict(milvus.articles.items()) == dict(embedded.articles.items())
    assert {k: list(v) for k, v in milvus.sentences.items()} == {k: list(v) for k, v in embedded.sentences.items()}
    assert list(milvus.chunks) == list(embedded.chunks)
    for article_id, sentences in embedded.sentences.items():
        n = len(sentences)
        assert np.array_equal(
            milvus.vectors_of_sentences(article_id, 0, n), embedded.vectors_of_sentences(article_id, 0, n)
        )


@pytest.mark.parametrize("mode", MODES)
def test_both_stores_rank_alike(stores, embedder, mode):
    settings = SearchSettings(mode=mode)
    for question in QUESTIONS:
        vector = embedder.embed([question])[0]
        a = stores["embedded"].search(question, vector, 3, settings=settings)
        b = stores["milvus"].search(question, vector, 3, settings=settings)
        assert [h.chunk for h in b] == [h.chunk for h in a], question
        assert [h.dense for h in b] == pytest.approx([h.dense for h in a], abs=1e-5)
        assert [h.score for h in b] == pytest.approx([h.score for h in a], abs=SCORE_TOLERANCE)
        texts = [c.text for c in stores["embedded"].chunks]
        assert np.allclose(
            stores["milvus"].lexical_overlap(question, texts), stores["embedded"].lexical_overlap(question, texts)
        )
