"""Web addresses a user names (``citeqa index https://…``): a news page or a feed, fetched with httpx.

Only the address given (and the redirects it answers with) is fetched, with a timeout and a size
limit; nothing else is ever downloaded. A failure is one clear error naming the address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from index.errors import IngestError
from index.sources.common import SourceUrl, decode, sha256, slug
from index.sources.feeds import looks_like_feed, parse_feed
from index.sources.html import parse_html
from index.sources.text import parse_article
from index.types import Article

DEFAULT_TIMEOUT_S = 20.0
MAX_FETCH_BYTES = 10_000_000
USER_AGENT = "citeqa (news question answering; fetches only the addresses its user names)"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchSettings:
    """How a URL is fetched.

    Attributes:
        timeout_s: Seconds for connecting and for each read.
        max_bytes: Largest response accepted, in bytes.
    """

    timeout_s: float = DEFAULT_TIMEOUT_S
    max_bytes: int = MAX_FETCH_BYTES

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be greater than 0, got {self.timeout_s}")
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be greater than 0, got {self.max_bytes}")


DEFAULT_FETCH = FetchSettings()


def is_url(text: str) -> bool:
    """Whether a command-line argument is a web address rather than a path."""
    return bool(re.match(r"(?i)https?://", str(text)))


def url_id(url: str) -> str:
    """An article id for a URL: host and path, as words (``gazette.example/news/harbour-bridge``)."""
    parts = urlsplit(url)
    segments = [slug(s) for s in parts.path.split("/") if slug(s)]
    if parts.query:
        segments.append(slug(parts.query))
    return "/".join([(parts.hostname or "web").lower(), *segments])


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched response: the final address (after redirects), its content type and its bytes."""

    url: str
    content_type: str
    data: bytes


def fetch(url: str, settings: FetchSettings = DEFAULT_FETCH) -> Fetched:
    """GET ``url`` (following redirects), refusing responses over ``settings.max_bytes``.

    Raises:
        IngestError: Not an http(s) URL, unreachable, timed out, an HTTP error status, or too large.
    """
    import httpx

    if not is_url(url) or not urlsplit(url).hostname:
        raise IngestError(url, "is not an http:// or https:// address")
    try:
        with (
            httpx.Client(
                timeout=settings.timeout_s, follow_redirects=True, headers={"User-Agent": USER_AGENT}
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise IngestError(url, f"answered HTTP {response.status_code} {response.reason_phrase}".rstrip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > settings.max_bytes:
                raise IngestError(url, f"is {int(declared):,} bytes, over the limit of {settings.max_bytes:,} bytes")
            body = bytearray()
            for part in response.iter_bytes():
                body += part
                if len(body) > settings.max_bytes:
                    raise IngestError(url, f"is larger than the limit of {settings.max_bytes:,} bytes")
            return Fetched(str(response.url), response.headers.get("content-type", ""), bytes(body))
    except httpx.TimeoutException:
        raise IngestError(url, f"did not answer within {settings.timeout_s:g} s (timed out)") from None
    except httpx.ConnectError as err:
        raise IngestError(url, f"cannot be reached (offline, or the host is down or unknown: {err})") from None
    except httpx.HTTPError as err:
        raise IngestError(url, f"could not be fetched ({type(err).__name__}: {err})") from None


def read_url(source: SourceUrl, settings: FetchSettings = DEFAULT_FETCH) -> Iterator[Article | IngestError]:
    """The article of a fetched page, or each item of a fetched feed, or the error that stopped it."""
    try:
        got = fetch(source.url, settings)
    except IngestError as err:
        yield err
        return
    kind = got.content_type.split(";")[0].strip().lower()
    if "rss" in kind or "atom" in kind or looks_like_feed(got.data):
        yield from parse_feed(source.article_id, got.data, source=source.url)
        return
    try:
        if kind == "text/plain":
            text = decode(got.data, source.url)
            article = parse_article(source.article_id, text, source=source.url, sha256=sha256(got.data))
            yield article if article.url else replace(article, url=got.url)
        else:
            yield parse_html(source.article_id, got.data, source=source.url, sha256=sha256(got.data), url=got.url)
    except IngestError as err:
        yield err
