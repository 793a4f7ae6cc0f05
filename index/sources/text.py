"""Plain-text and Markdown articles: `.txt` and `.md` files turned into :class:`~index.types.Article` records."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from index.chunk import split_sentences
from index.errors import IngestError
from index.types import Article

SUPPORTED_SUFFIXES = (".txt", ".md")
MAX_FILE_BYTES = 20_000_000
MAX_TITLE_CHARS = 160

_DATE_MARKER = re.compile(r"\A\s*date\s+(\d{4})-(\d{2})-(\d{2})\b[ \t]*")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file found under an indexing root, with the article id it will get."""

    path: Path
    article_id: str


def discover(paths: Iterable[str | Path]) -> list[SourceFile]:
    """List the article files named by ``paths`` (files, or folders searched recursively).

    The article id is the path relative to the folder given, without its suffix; a file given
    directly is known by its stem. Hidden files and folders are skipped.

    Raises:
        FileNotFoundError: A path does not exist.
        IngestError: A file named directly has an unsupported suffix.
    """
    found: list[SourceFile] = []
    for raw in paths:
        root = Path(raw).expanduser()
        if not root.exists():
            raise FileNotFoundError(f"no such file or folder: {raw}")
        if root.is_file():
            if root.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise IngestError(str(root), f"unsupported file type; expected one of {SUPPORTED_SUFFIXES}")
            found.append(SourceFile(root.resolve(), root.stem))
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if any(part.startswith(".") for part in rel.parts):
                continue
            if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(SourceFile(path.resolve(), rel.with_suffix("").as_posix()))
    return found


def decode(data: bytes, name: str) -> str:
    """Decode a file's bytes as UTF-8 text, refusing binary data.

    Raises:
        IngestError: The bytes hold NUL characters or are not valid UTF-8.
    """
    if b"\x00" in data:
        raise IngestError(name, "looks like a binary file (contains NUL bytes), not UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IngestError(name, f"is not valid UTF-8 text (byte {err.start}: {err.reason})") from None


def parse_article(article_id: str, text: str, *, source: str = "", sha256: str = "") -> Article:
    """Build an article from its decoded text.

    A leading ``date YYYY-MM-DD`` marker becomes ``published`` and is excluded from the citable
    body; the title is the first sentence or heading of the body.

    Raises:
        IngestError: The text is empty, or the date marker names an impossible date.
    """
    published = None
    body_start = 0
    marker = _DATE_MARKER.match(text)
    if marker:
        year, month, day = (int(g) for g in marker.groups())
        try:
            published = date(year, month, day)
        except ValueError:
            raise IngestError(source or article_id, f"invalid date marker {marker.group(0).strip()!r}") from None
        body_start = marker.end()
    first = split_sentences(text, body_start)[:1]
    if not first:
        raise IngestError(source or article_id, "has no text to index")
    title = text[first[0].start : first[0].end]
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return Article(article_id, title, published, text, body_start, source, sha256)


def read_article(source: SourceFile) -> Article:
    """Read and parse one file.

    Raises:
        IngestError: The file is too large, binary, undecodable or empty.
    """
    name = str(source.path)
    try:
        data = source.path.read_bytes()
    except OSError as err:
        raise IngestError(name, f"cannot be read ({err.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(name, f"is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}")
    text = decode(data, name)
    return parse_article(source.article_id, text, source=name, sha256=hashlib.sha256(data).hexdigest())


def read_articles(sources: Iterable[SourceFile]) -> Iterator[Article | IngestError]:
    """Read each file, yielding its article or the error that says why it was skipped."""
    for source in sources:
        try:
            yield read_article(source)
        except IngestError as err:
            yield err
