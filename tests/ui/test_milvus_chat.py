"""The chat serves a Milvus store as it serves an index folder (citeqa chat --store milvus:PATH)."""

from citeqa.arguments import build_parser
from qa import build_milvus, get_pipeline
from ui.app import build_app


def test_the_chat_is_built_over_a_milvus_store(corpus, tmp_path):
    location = f"milvus:{tmp_path / 'archive.db'}"
    build_milvus([corpus], location)
    app = build_app(store=location, reader="sentence")
    assert app is not None
    pipeline = get_pipeline(store=location, reader="sentence")
    assert pipeline.location is not None and "harbour" in pipeline.store.articles
    args = build_parser().parse_args(["chat", "--store", location])
    assert args.store == location
