"""URLs: pages and feeds fetched from a local server on 127.0.0.1, and every way a fetch fails."""

from __future__ import annotations

from datetime import date

import pytest

from index import build_index, load_index
from index.errors import IngestError
from index.sources import FetchSettings, ReadOptions, SourceUrl, discover, read_source
from index.sources.urls import fetch, url_id
from tests.index import newsfixtures as nf
from tests.webserver import closed_port, serve

ROUTES = {
    "/news/bridge": (200, "text/html; charset=utf-8", nf.PAGE.encode()),
    "/feed": (200, "application/rss+xml", nf.RSS.encode()),
    "/feed-as-xml": (200, "text/xml", nf.ATOM.encode()),
    "/plain": (200, "text/plain; charset=utf-8", b"date 2024-01-02 A plain story from the web."),
    "/big": (200, "text/html", b"<p>" + b"word " * 5000 + b"</p>"),
    "/slow": (200, "text/html", b"SLOW"),
    "/links": (200, "text/html", nf.LINK_PAGE.encode()),
    "/gone": (410, "text/plain", b"gone"),
}


def _read(url, **settings):
    return list(read_source(SourceUrl(url, url_id(url)), ReadOptions(fetch=FetchSettings(**settings))))


def test_a_page_and_a_feed_are_fetched_and_read():
    with serve(ROUTES) as base:
        (page,) = _read(f"{base}/news/bridge")
        items = _read(f"{base}/feed")
        (atom,) = _read(f"{base}/feed-as-xml")
        (plain,) = _read(f"{base}/plain")
    assert page.title.startswith("Harbour bridge reopens") and page.source == f"{base}/news/bridge"
    assert page.url == "https://gazette.example/news/harbour-bridge-reopens"  # canonical beats the address
    assert page.id == "127.0.0.1/news/bridge"
    assert [i.title for i in items if not isinstance(i, IngestError)] == [
        "Mayor re-elected in Dunmore",
        "Ferry service resumes",
    ]
    assert atom.site == "Valley Times"
    assert plain.published == date(2024, 1, 2) and plain.url == f"{base}/plain"


def test_every_failure_is_one_clear_error_naming_the_address():
    with serve(ROUTES) as base:
        cases = {
            f"{base}/missing": "HTTP 404",
            f"{base}/gone": "HTTP 410",
            f"{base}/big": "limit of 1,000 bytes",
            f"{base}/slow": "timed out",
            f"{base}/links": "no main text",
            f"http://127.0.0.1:{closed_port()}/x": "cannot be reached",
        }
        for url, reason in cases.items():
            (error,) = _read(url, timeout_s=0.3, max_bytes=1000)
            assert isinstance(error, IngestError) and error.path == url and reason in error.reason, (url, error)
    with pytest.raises(IngestError, match="not an http"):
        fetch("ftp://127.0.0.1/file")


def test_urls_and_files_index_together_and_a_failed_url_loses_nothing(tmp_path, corpus, embedder):
    with serve(ROUTES) as base:
        report = build_index([corpus, f"{base}/news/bridge", f"{base}/feed"], tmp_path / "ix", embedder=embedder)
        assert not any("courier" in e.path and "item 3" not in e.path for e in report.errors)
        before = load_index(tmp_path / "ix").articles
        assert "127.0.0.1/news/bridge" in before and "127.0.0.1/feed/mayor-re-elected" in before
        # The page fails now: its article stays, the rest is indexed.
        failed = build_index([corpus, f"{base}/missing", f"{base}/feed"], tmp_path / "ix", embedder=embedder)
    assert any(e.path.endswith("/missing") and "404" in e.reason for e in failed.errors)
    assert set(load_index(tmp_path / "ix").articles) == set(before)


def test_discover_knows_urls_from_paths():
    found = discover(["https://example.org/a/b?c=1"])
    assert found.sources == (SourceUrl("https://example.org/a/b?c=1", "example.org/a/b/c-1"),)
