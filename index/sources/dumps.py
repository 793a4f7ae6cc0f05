"""Dumps of many articles (`.jsonl`, `.csv`: a CMS export, a crawl): one article a record, streamed.

Fields are found by convention (:class:`DumpFields`; CC-News/news-please names included) or named
by the caller. A bad record is reported with its line number and the rest are read; the file is
read a line (a CSV record) at a time, so a dump of any size needs little memory.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from index.errors import IngestError
from index.sources.common import MAX_FILE_BYTES, clean_authors, parse_when, sha256_parts, short_title
from index.types import Article

DUMP_SUFFIXES = (".jsonl", ".csv")
TICK_EVERY = 1000  # records between progress reports


@dataclass(frozen=True, slots=True, kw_only=True)
class DumpFields:
    """Which field of a record holds what: the first name present (and non-empty) wins.

    Attributes:
        title: The headline.
        text: The article text (required).
        date: Publication date or timestamp (ISO 8601 or RFC 822).
        url: Original address.
        id: Record id; the line number when absent.
        authors: Bylines (a list or a string).
        site: Outlet name.
    """

    title: tuple[str, ...] = ("title", "headline")
    text: tuple[str, ...] = ("text", "content", "body", "maintext")
    date: tuple[str, ...] = ("date", "published", "published_at", "date_publish")
    url: tuple[str, ...] = ("url", "link")
    id: tuple[str, ...] = ("id",)
    authors: tuple[str, ...] = ("authors", "author", "byline")
    site: tuple[str, ...] = ("site", "source", "source_domain", "publisher")

    def __post_init__(self) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            value = getattr(self, name)
            if not value or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"field names for {name!r} must be non-empty strings, got {value!r}")


DEFAULT_FIELDS = DumpFields()


def _pick(record: Mapping[str, Any], names: Iterable[str]) -> Any:
    return next((record[n] for n in names if record.get(n) not in (None, "")), None)


def record_article(
    dump_id: str, record: Mapping[str, Any], line: int, *, source: str, raw: str, fields: DumpFields
) -> Article:
    """One record as an article (id ``<dump_id>/<record id or line>``).

    Raises:
        IngestError: The record has no text field, or its text is not a string.
    """
    where = f"{source} line {line}"
    text = _pick(record, fields.text)
    if text is None:
        raise IngestError(where, f"has no text (looked for the fields {', '.join(fields.text)})")
    if not isinstance(text, str):
        raise IngestError(where, f"text field is {type(text).__name__}, not a string")
    if not text.strip():
        raise IngestError(where, "has no text to index")
    key = _pick(record, fields.id)
    part = re.sub(r"[^\w.-]+", "-", str(key)).strip("-.") if key is not None else ""
    title = _pick(record, fields.title)
    published, stamp = parse_when(_pick(record, fields.date))
    url = _pick(record, fields.url)
    site = _pick(record, fields.site)
    stripped = text.lstrip()
    return Article(
        f"{dump_id}/{part or line}",
        short_title(str(title), 200) if title is not None else short_title(stripped.split("\n", 1)[0]),
        published,
        text,
        len(text) - len(stripped),
        source,
        sha256_parts(raw),
        published_at=stamp if isinstance(stamp, datetime) else None,
        authors=clean_authors(_pick(record, fields.authors)),
        site=str(site) if isinstance(site, str) else "",
        url=str(url) if isinstance(url, str) and url.startswith(("http://", "https://")) else "",
    )


def read_jsonl(
    path: Path, dump_id: str, *, fields: DumpFields = DEFAULT_FIELDS, tick: Callable[[int], None] | None = None
) -> Iterator[Article | IngestError]:
    """Each line of a JSON Lines dump as an article, or the error that skipped it (blank lines are skipped)."""
    source = str(path)
    done = 0
    with open(path, "rb") as handle:
        for line, data in enumerate(handle, start=1):
            done += len(data)
            if tick is not None and line % TICK_EVERY == 0:
                tick(done)
            if not data.strip():
                continue
            where = f"{source} line {line}"
            if len(data) > MAX_FILE_BYTES:
                yield IngestError(where, f"is {len(data):,} bytes; the limit for one article is {MAX_FILE_BYTES:,}")
                continue
            try:
                raw = data.decode("utf-8-sig" if line == 1 else "utf-8")
                record = json.loads(raw)
            except UnicodeDecodeError as err:
                yield IngestError(where, f"is not valid UTF-8 (byte {err.start}: {err.reason})")
                continue
            except ValueError as err:
                yield IngestError(where, f"is not valid JSON ({err})")
                continue
            if not isinstance(record, dict):
                yield IngestError(where, f"is a JSON {type(record).__name__}, not an object with fields")
                continue
            try:
                yield record_article(dump_id, record, line, source=source, raw=raw, fields=fields)
            except IngestError as err:
                yield err
    if tick is not None:
        tick(done)


def read_csv(
    path: Path, dump_id: str, *, fields: DumpFields = DEFAULT_FIELDS, tick: Callable[[int], None] | None = None
) -> Iterator[Article | IngestError]:
    """Each row of a CSV dump (first row: field names) as an article, or the error that skipped it."""
    source = str(path)
    csv.field_size_limit(MAX_FILE_BYTES)  # the default 128 KiB is shorter than a long article
    with open(path, "rb") as binary, io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        line = 1
        count = 0
        try:
            for row in reader:
                first, line = line + 1, reader.line_num
                count += 1
                if tick is not None and count % TICK_EVERY == 0:
                    tick(binary.tell())
                if None in row:
                    yield IngestError(f"{source} line {first}", "has more values than the header has fields")
                    continue
                raw = json.dumps(row, sort_keys=True, ensure_ascii=False)
                try:
                    yield record_article(dump_id, row, first, source=source, raw=raw, fields=fields)
                except IngestError as err:
                    yield err
        except UnicodeDecodeError as err:
            yield IngestError(f"{source} line {line + 1}", f"is not valid UTF-8 ({err.reason}); the rest is not read")
        except csv.Error as err:
            yield IngestError(f"{source} line {reader.line_num}", f"is not valid CSV ({err}); the rest is not read")
    if tick is not None:
        tick(path.stat().st_size)
