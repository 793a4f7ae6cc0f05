"""What every kind of source shares: where an article comes from, decoding, titles, dates and ids."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from index.chunk import split_sentences
from index.errors import IngestError

MAX_FILE_BYTES = 20_000_000
SHORT_TITLE_CHARS = 80  # a headline's length; a whole first sentence (often 140+) crowds a citation


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file found under an indexing root, with the article id it (or its items' prefix) will get."""

    path: Path
    article_id: str

    @property
    def name(self) -> str:
        return str(self.path)


@dataclass(frozen=True, slots=True)
class SourceUrl:
    """A web address named by the user: a page or a feed, fetched when indexed."""

    url: str
    article_id: str

    @property
    def name(self) -> str:
        return self.url


Source = SourceFile | SourceUrl


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),  # before UTF-16's, which it starts with
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode(data: bytes, name: str) -> str:
    """Decode a file's bytes as UTF-8 text (or UTF-16/32 when a byte-order mark says so), refusing binary data.

    Raises:
        IngestError: The bytes hold NUL characters or are not valid UTF-8.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):  # Windows editors save "Unicode" text so: its NULs are not binary
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as err:
                raise IngestError(
                    name, f"is not valid {encoding.upper()} text (byte {err.start}: {err.reason})"
                ) from None
            if "\x00" in text:
                raise IngestError(name, f"looks like a binary file (NUL characters in {encoding.upper()} text)")
            return text
    if b"\x00" in data:
        raise IngestError(name, "looks like a binary file (contains NUL bytes), not UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IngestError(name, f"is not valid UTF-8 text (byte {err.start}: {err.reason})") from None


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, refusing files over ``limit``.

    Raises:
        IngestError: The file cannot be read or is too large.
    """
    try:
        size = path.stat().st_size
        if size > limit:
            raise IngestError(str(path), f"is {size:,} bytes; the limit is {limit:,}")
        return path.read_bytes()
    except OSError as err:
        raise IngestError(str(path), f"cannot be read ({err.strerror})") from None


def sha256(data: bytes) -> str:
    """Hash of a file's bytes (as citeqa has always hashed them, so upgrading re-embeds nothing)."""
    return hashlib.sha256(data).hexdigest()


def sha256_parts(*parts: str | bytes) -> str:
    """Hash of what an article was read from (its parts kept apart by a NUL)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def short_title(text: str, limit: int = SHORT_TITLE_CHARS) -> str:
    """``text`` on one line, cut at the last word boundary before ``limit`` characters (with "…")."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return (cut or line[: limit - 1]) + "…"


def first_sentence_title(text: str, body_start: int, name: str) -> str:
    """The body's first heading or sentence as a short title.

    Raises:
        IngestError: The body holds no text.
    """
    first = split_sentences(text, body_start)[:1]
    if not first:
        raise IngestError(name, "has no text to index")
    return short_title(text[first[0].start : first[0].end])


def parse_when(value: object) -> tuple[date | None, datetime | None]:
    """A publication date and, where the value has a time of day, the full timestamp.

    Accepts ISO 8601 (``2024-03-02``, ``2024-03-02T09:30:00+01:00``, ``…Z``), RFC 822 as feeds
    write it (``Sat, 02 Mar 2024 09:30:00 GMT``), and date/datetime objects (from YAML).
    Anything else gives ``(None, None)``: a date nobody can read is no date, not an error.
    """
    if isinstance(value, datetime):
        return value.date(), value
    if isinstance(value, date):
        return value, None
    if not isinstance(value, str) or not value.strip():
        return None, None
    raw = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return date.fromisoformat(raw), None
        except ValueError:
            return None, None
    try:
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        try:
            stamp = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None, None
    return stamp.date(), stamp


def slug(text: str, limit: int = 60) -> str:
    """A readable id part: words of ``text`` joined by dashes (letters and digits of any script kept)."""
    words = re.findall(r"\w+", text.lower(), flags=re.UNICODE)
    out = "-".join(words)[:limit].strip("-_")
    return out


def clean_authors(value: object) -> tuple[str, ...]:
    """Bylines from a string (``"A, B and C"`` or ``"A; B"``) or a list of strings/objects with a name."""
    items: list[object]
    if isinstance(value, str):
        items = [p for p in re.split(r"\s*(?:;|,|\band\b|&|\|)\s*", value) if p]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return ()
    names: list[str] = []
    for item in items:
        name = item.get("name", "") if isinstance(item, dict) else item
        if isinstance(name, str):
            name = " ".join(name.split()).removeprefix("By ").removeprefix("by ")
            if name and name not in names:
                names.append(name)
    return tuple(names)
