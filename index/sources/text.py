"""Plain-text and Markdown articles: `.txt` and `.md` files turned into :class:`~index.types.Article` records.

An article may open with a YAML front matter block (``---`` lines around ``title``, ``date``,
``source``, ``url``, ``authors``) and/or a ``date YYYY-MM-DD`` marker; neither is citable, and the
stored text is the file's text unchanged, so offsets are offsets into the file.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import yaml

from index.errors import IngestError
from index.sources.common import clean_authors, first_sentence_title, parse_when, short_title
from index.types import Article

TEXT_SUFFIXES = (".txt", ".md")

_DATE_MARKER = re.compile(r"\s*date\s+(\d{4})-(\d{2})-(\d{2})\b[ \t]*")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)


def front_matter(text: str, name: str) -> tuple[dict[str, Any], int]:
    """The YAML front matter of ``text`` and the offset just past it (``({}, 0)`` when there is none).

    A leading ``---`` block that is not a YAML mapping (a Markdown rule) is left as text.

    Raises:
        IngestError: The block is not valid YAML.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(err, "problem", None) or "unreadable"
        raise IngestError(name, f"has front matter that is not valid YAML{where}: {problem}") from None
    except ValueError as err:  # YAML reads 2024-13-01 as a timestamp, then cannot make it a date
        raise IngestError(name, f"has front matter with an impossible date ({err}); write it as YYYY-MM-DD") from None
    if not isinstance(data, dict):
        return {}, 0
    return {str(k).lower(): v for k, v in data.items()}, match.end()


def _first(meta: dict[str, Any], *keys: str) -> Any:
    return next((meta[k] for k in keys if meta.get(k) not in (None, "")), None)


def parse_article(article_id: str, text: str, *, source: str = "", sha256: str = "") -> Article:
    """Build an article from its decoded text.

    Front matter gives the headline, date, authors, site and URL; a ``date YYYY-MM-DD`` marker
    (after the front matter, if any) gives the date. Neither is citable: ``body_start`` is past
    them. Without a headline, the title is the body's first sentence or heading, cut at about
    80 characters.

    Raises:
        IngestError: The text is empty, the front matter is not YAML, or the marker names an impossible date.
    """
    name = source or article_id
    meta, body_start = front_matter(text, name)
    declared = _first(meta, "date", "published", "published_at")
    published, published_at = parse_when(declared)
    if declared is not None and published is None:
        raise IngestError(name, f"front matter date {declared!r} is not a date (write it as YYYY-MM-DD)")
    _refuse_future(published, name, "front matter date")
    marker = _DATE_MARKER.match(text, body_start)
    if marker:
        year, month, day = (int(g) for g in marker.groups())
        try:
            published = date(year, month, day)
        except ValueError:
            raise IngestError(name, f"invalid date marker {marker.group(0).strip()!r}") from None
        _refuse_future(published, name, "date marker")
        body_start = marker.end()
    title = _first(meta, "title", "headline")
    fallback = first_sentence_title(text, body_start, name)  # also refuses an article with no body
    return Article(
        article_id,
        short_title(str(title), 200) if title is not None else fallback,
        published,
        text,
        body_start,
        source,
        sha256,
        published_at=published_at if isinstance(published_at, datetime) else None,
        authors=clean_authors(_first(meta, "authors", "author")),
        site=str(_first(meta, "source", "site", "publisher") or ""),
        url=str(_first(meta, "url", "link", "canonical_url") or ""),
    )


FUTURE_MARGIN_DAYS = 2  # time zones and an article dated for tomorrow's paper; beyond that it is a typo


def _refuse_future(published: date | None, name: str, what: str) -> None:
    latest = date.today() + timedelta(days=FUTURE_MARGIN_DAYS)
    if published is not None and published > latest:
        raise IngestError(
            name, f"{what} {published.isoformat()} is in the future; valid: a date up to {latest.isoformat()}"
        )
