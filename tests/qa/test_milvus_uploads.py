"""Uploads to a chat served from a Milvus store go into that store, not into a side index nobody reads."""

from qa import Pipeline, SentenceReader, build_milvus
from tests.fakes import HashEmbedder


def test_an_upload_to_a_milvus_pipeline_is_answerable_from_milvus(corpus, tmp_path):
    embedder = HashEmbedder()
    location = f"milvus:{tmp_path / 'archive.db'}"
    build_milvus([corpus], location, embedder=embedder)
    pipeline = Pipeline(store=location, reader=SentenceReader(), embedder=embedder, min_relevance=0.0)
    upload = tmp_path / "quarry.txt"
    upload.write_text("date 2024-06-01 The Orley quarry closed after a rockfall injured two workers.", encoding="utf-8")
    report = pipeline.add_files([upload])
    assert report.added == ("quarry",), report
    assert "quarry" in pipeline.store.articles and "harbour" in pipeline.store.articles
    assert not (pipeline.index_dir / "CURRENT").exists(), "no embedded index is built beside the Milvus store"
    result = pipeline.answer("What did the rockfall at the Orley quarry do?")
    assert result.citations and result.citations[0].article_id == "quarry", result
