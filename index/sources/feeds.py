"""RSS and Atom feeds (`.rss`, `.atom`, `.xml`, or a fetched feed): each item an article.

An item's text is the fullest the feed carries (``content:encoded``/Atom ``content`` before
``description``/``summary``), its HTML reduced to paragraphs of plain text. The headline, date,
link and authors come from the item; the site name from the feed's own title.
"""

from __future__ import annotations

import io
import re
import xml.sax
from collections.abc import Iterator
from datetime import datetime
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from index.errors import IngestError
from index.sources.common import clean_authors, parse_when, sha256_parts, short_title, slug
from index.types import Article

FEED_SUFFIXES = (".rss", ".atom", ".xml")
_BLOCKS = frozenset("p div li h1 h2 h3 h4 h5 h6 blockquote tr pre section article figcaption ul ol table".split())


def html_to_text(markup: str) -> str:
    """HTML (or plain text) as paragraphs of plain text separated by blank lines; scripts and styles dropped."""
    import lxml.etree
    import lxml.html

    if "<" not in markup:
        paragraphs = re.split(r"\n\s*\n", unescape(markup))
    else:
        try:
            root = lxml.html.fragment_fromstring(markup, create_parent="div")
        except (lxml.etree.ParserError, ValueError):
            return ""
        for bad in root.xpath(".//script | .//style"):
            bad.drop_tree()
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            if element.tag in _BLOCKS:
                element.text = "\n\n" + (element.text or "")
                element.tail = "\n\n" + (element.tail or "")
            elif element.tag == "br":
                element.tail = "\n\n" + (element.tail or "")
        paragraphs = re.split(r"\n\s*\n", root.text_content())
    return "\n\n".join(p for p in (" ".join(part.split()) for part in paragraphs) if p)


def looks_like_feed(data: bytes) -> bool:
    """Whether the start of a document is an RSS, Atom or RDF feed's root element."""
    head = data[:2048].lstrip().lower()
    return bool(re.search(rb"<(rss|feed|rdf:rdf)[\s>]", head))


def _item_text(entry: Any) -> str:
    contents = [c.get("value", "") for c in entry.get("content", []) if isinstance(c, dict)]
    for raw in [*sorted(contents, key=len, reverse=True), entry.get("summary", "")]:
        text = html_to_text(raw or "")
        if text:
            return text
    return ""


def _item_key(entry: Any, number: int) -> str:
    link = entry.get("link", "") or ""
    parts = urlsplit(link)
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1] + (f"-{parts.query}" if parts.query else "")
    return slug(tail) or slug(entry.get("id", "") or "") or slug(entry.get("title", "") or "") or f"item-{number}"


def parse_feed(feed_id: str, data: bytes, *, source: str) -> Iterator[Article | IngestError]:
    """Each item of a feed as an article (ids ``<feed_id>/<item>``), or the error that skipped it.

    A feed that is not well-formed XML is reported; the items feedparser still recovers from it
    are indexed. Nothing readable at all is one error for the whole feed.
    """
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data))  # a stream: never a string, which feedparser would fetch as a URL
    broken = parsed.get("bozo_exception") if parsed.get("bozo") else None
    entries = parsed.get("entries", [])
    if not entries:
        if broken is not None:
            yield IngestError(source, f"is not a readable feed: {_describe(broken)}")
        elif parsed.get("version"):
            yield IngestError(source, "is a feed with no items")
        else:
            yield IngestError(source, "is not an RSS or Atom feed (no <rss>, <feed> or <rdf:RDF> root with items)")
        return
    if isinstance(broken, xml.sax.SAXException):  # not an encoding note: the XML itself is broken
        yield IngestError(
            source, f"is not well-formed XML ({_describe(broken)}); the {len(entries)} items read are indexed"
        )
    site = " ".join(str(parsed.get("feed", {}).get("title", "")).split())
    used: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        key = _item_key(entry, number)
        while key in used:
            key = f"{key}-{number}"
        used.add(key)
        title = " ".join(str(entry.get("title", "")).split())
        text = _item_text(entry)
        label = f"{source} item {number}" + (f" ({short_title(title, 60)!r})" if title else "")
        if not text:
            yield IngestError(label, "has no text (neither content nor description)")
            continue
        when = entry.get("published") or entry.get("updated") or entry.get("created") or ""
        published, stamp = parse_when(when)
        link = str(entry.get("link", "") or "")
        yield Article(
            f"{feed_id}/{key}",
            short_title(title, 200) if title else short_title(text.split("\n", 1)[0]),
            published,
            text,
            0,
            source,
            sha256_parts(title, text, str(when), link),
            published_at=stamp if isinstance(stamp, datetime) else None,
            authors=clean_authors(entry.get("authors") or entry.get("author") or ()),
            site=site,
            url=link if link.startswith(("http://", "https://")) else "",
        )


def _describe(err: BaseException) -> str:
    line = getattr(err, "getLineNumber", None)
    where = f"line {line()}: " if callable(line) else ""
    message = getattr(err, "getMessage", None)
    return where + (message() if callable(message) else str(err))
