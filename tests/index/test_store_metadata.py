"""The article metadata in the store: persisted in format 3, and format-2 indexes still read and upgraded in place."""

from __future__ import annotations

import contextlib
import json
import sqlite3

from index import build_index, load_index
from index.sources import SourceFile, read_source
from index.stores import FORMAT_VERSION, current_generation
from tests.index import newsfixtures as nf


def test_metadata_round_trips_through_the_store(tmp_path, embedder):
    folder = tmp_path / "news"
    nf.write(folder / "bridge.html", nf.PAGE)
    nf.write(folder / "courier.rss", nf.RSS)
    build_index([folder], tmp_path / "ix", embedder=embedder)
    loaded = load_index(tmp_path / "ix")
    assert loaded.manifest.format_version == FORMAT_VERSION == 3
    read = [a for s in (SourceFile(folder / "bridge.html", "bridge"), SourceFile(folder / "courier.rss", "courier"))
            for a in read_source(s) if not hasattr(a, "reason")]  # fmt: skip
    assert len(read) == 3
    for article in read:
        assert loaded.articles[article.id] == article
    for chunk in loaded.chunks:
        assert loaded.articles[chunk.article_id].text[chunk.start : chunk.end] == chunk.text


def _downgrade_to_format_2(ix):
    """Rewrite the live generation as citeqa wrote it before format 3: no metadata columns."""
    folder = ix / current_generation(ix)
    records = folder / "records.sqlite"
    with contextlib.closing(sqlite3.connect(records)) as db, db:
        for column in ("published_at", "authors", "site", "url", "story"):
            db.execute(f"ALTER TABLE articles DROP COLUMN {column}")
        db.execute("UPDATE articles SET title = title || ' (a long old-style title)'")
    with contextlib.closing(sqlite3.connect(records)) as db:
        db.execute("VACUUM")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["format_version"] = 2
    manifest["file_sizes"]["records.sqlite"] = records.stat().st_size
    del manifest["checksums"]  # format 2 had none
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_a_format_2_index_loads_with_empty_fields_and_upgrades_without_embedding(corpus, tmp_path, embedder):
    ix = tmp_path / "ix"
    build_index([corpus], ix, embedder=embedder)
    _downgrade_to_format_2(ix)
    old = load_index(ix)
    assert old.manifest.format_version == 2
    harbour = old.articles["harbour"]
    assert harbour.title.endswith("(a long old-style title)")
    assert (harbour.url, harbour.site, harbour.authors, harbour.published_at, harbour.story) == ("", "", (), None, "")
    embedder.embedded.clear()
    report = build_index([corpus], ix, embedder=embedder)
    assert embedder.embedded == [] and report.unchanged == 3 and not report.changed
    new = load_index(ix)
    assert new.manifest.format_version == 3 and new.generation != old.generation
    assert new.articles["harbour"].title == "Harbour bridge reopens after repairs"  # metadata read again
    assert new.sentences == old.sentences
