"""Saved news pages (`.html`, `.htm`): the main text by trafilatura, the metadata from the page's own tags.

The stored text is the extracted main text, paragraphs separated by blank lines: navigation, ads,
comments and footers are not in it, so they are never cited. The page's metadata is read first
(JSON-LD ``NewsArticle``, ``og:`` and ``article:`` properties, ``<link rel=canonical>``,
``<time datetime>``), trafilatura's own guesses fill what is missing, and the first sentence is
the last resort for a headline. docs/performance.md compares trafilatura with jusText.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from index.errors import IngestError
from index.sources.common import clean_authors, first_sentence_title, parse_when, short_title
from index.types import Article

HTML_SUFFIXES = (".html", ".htm")
MIN_MAIN_TEXT_CHARS = 40  # below this a "page" is a link list or an error page, not an article
_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting", "report"}


@dataclass(frozen=True, slots=True, kw_only=True)
class PageMeta:
    """What a page's tags say about the article (empty strings where they say nothing)."""

    title: str = ""
    published: str = ""
    authors: tuple[str, ...] = ()
    site: str = ""
    url: str = ""


def _jsonld_articles(tree: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # a broken JSON-LD block is common on real pages; the other tags still count
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
            kinds = item.get("@type", [])
            kinds = [kinds] if isinstance(kinds, str) else kinds
            if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                found.append(item)
    return found


def page_meta(tree: Any) -> PageMeta:
    """The metadata a parsed page declares, best source first."""

    def meta(*names: str) -> str:
        for name in names:
            for value in tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content'):
                if value.strip():
                    return str(value).strip()
        return ""

    ld = next(iter(_jsonld_articles(tree)), {})
    publisher = ld.get("publisher")
    entity = ld.get("mainEntityOfPage")
    canonical = [str(h).strip() for h in tree.xpath('//link[@rel="canonical"]/@href') if str(h).strip()]
    times = [str(t).strip() for t in tree.xpath("//article//time/@datetime | //time/@datetime") if str(t).strip()]
    byline = clean_authors(ld.get("author")) or clean_authors(meta("author", "article:author", "byl", "dc.creator"))
    return PageMeta(
        title=str(ld.get("headline") or "").strip() or meta("og:title", "twitter:title"),
        published=str(ld.get("datePublished") or "").strip()
        or meta("article:published_time", "datePublished", "pubdate", "date")
        or (times[0] if times else ""),
        authors=tuple(a for a in byline if not a.startswith(("http://", "https://"))),
        site=meta("og:site_name") or (str(publisher.get("name", "")) if isinstance(publisher, dict) else ""),
        url=(canonical[0] if canonical else "")
        or meta("og:url")
        or str(ld.get("url") or (entity.get("@id", "") if isinstance(entity, dict) else entity or "")),
    )


def _main_text(tree: Any, url: str | None) -> tuple[str, Any]:
    import trafilatura

    # trafilatura logs a warning for every page it finds too short; the caller reports that itself.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    doc: Any = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=False, deduplicate=False
    )
    if doc is None:
        return "", None
    lines = [" ".join(line.split()) for line in (doc.text or "").splitlines()]
    return "\n\n".join(line for line in lines if line), doc


def parse_html(article_id: str, data: bytes, *, source: str, sha256: str, url: str = "") -> Article:
    """Build an article from a news page's bytes.

    Args:
        article_id: Its id.
        data: The page as saved or fetched (its charset is read from the page).
        source: Where it came from (file path or URL), for messages and updates.
        sha256: Hash of ``data``.
        url: The address it was fetched from, the fallback for its canonical URL.

    Raises:
        IngestError: The bytes are not HTML, or the page has no main text.
    """
    import lxml.etree
    import lxml.html

    if b"\x00" in data:
        raise IngestError(source, "looks like a binary file (contains NUL bytes), not an HTML page")
    try:
        tree = lxml.html.document_fromstring(data)
    except (lxml.etree.ParserError, ValueError) as err:
        raise IngestError(source, f"could not be parsed as HTML ({err})") from None
    declared = page_meta(tree)
    text, doc = _main_text(tree, url or None)
    if len(text) < MIN_MAIN_TEXT_CHARS:
        raise IngestError(
            source,
            "has no main text to index (the page holds only navigation, links or very short text"
            + (f": {len(text)} characters" if text else "")
            + ")",
        )
    published, stamp = parse_when(declared.published)
    if published is None and doc is not None:
        published, stamp = parse_when(doc.date)
    page_url = declared.url or (doc.url if doc is not None and doc.url else "") or url
    title = declared.title or (doc.title if doc is not None and doc.title else "")
    authors = declared.authors or (clean_authors(doc.author) if doc is not None else ())
    site = declared.site or (doc.sitename if doc is not None and doc.sitename else "")
    if not site and page_url.startswith(("http://", "https://")):
        site = urlsplit(page_url).hostname or ""
    return Article(
        article_id,
        short_title(title, 200) if title else first_sentence_title(text, 0, source),
        published,
        text,
        0,
        source,
        sha256,
        published_at=stamp if isinstance(stamp, datetime) else None,
        authors=authors,
        site=site,
        url=page_url,
    )
