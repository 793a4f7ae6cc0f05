"""Which sources a list of paths and URLs names, and reading each with the module for its kind."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import IngestError
from index.sources.common import Source, SourceFile, SourceUrl, decode, read_bytes, sha256
from index.sources.dumps import DEFAULT_FIELDS, DUMP_SUFFIXES, DumpFields, read_csv, read_jsonl
from index.sources.feeds import FEED_SUFFIXES, parse_feed
from index.sources.html import HTML_SUFFIXES, parse_html
from index.sources.text import TEXT_SUFFIXES, parse_article
from index.sources.urls import DEFAULT_FETCH, FetchSettings, is_url, read_url, url_id
from index.types import Article

SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, *FEED_SUFFIXES, *DUMP_SUFFIXES)
SINGLE_ARTICLE_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadOptions:
    """How sources are read.

    Attributes:
        fields: Which record fields of a dump hold what.
        fetch: Timeout and size limit for URLs.
    """

    fields: DumpFields = field(default_factory=lambda: DEFAULT_FIELDS)
    fetch: FetchSettings = field(default_factory=lambda: DEFAULT_FETCH)


DEFAULT_READ = ReadOptions()


@dataclass(frozen=True, slots=True)
class Discovered:
    """The sources found, and the files passed over with the reason."""

    sources: tuple[Source, ...]
    skipped: tuple[IngestError, ...]


def _supported_list() -> str:
    return " ".join(SUPPORTED_SUFFIXES)


_NOT_REGULAR = "is not a regular file (a FIFO, socket or device); citeqa reads files, folders and URLs"


def discover(paths: Iterable[str | os.PathLike[str]]) -> Discovered:
    """The sources that ``paths`` name: files, folders (searched recursively) and http(s) URLs.

    The article id is the path relative to the folder given, without its suffix (a file given
    directly is known by its stem; a URL by its host and path); an item of a feed or dump adds its
    own part. Hidden files and folders are skipped. Files of other types are not read: one named
    directly is reported, and those in a folder are reported together, by type.

    Raises:
        FileNotFoundError: A path does not exist.
    """
    found: list[Source] = []
    skipped: list[IngestError] = []
    for raw in paths:
        if is_url(str(raw)):
            found.append(SourceUrl(str(raw), url_id(str(raw))))
            continue
        root = Path(raw).expanduser()
        if not root.exists():
            if root.is_symlink():  # exists() follows links: a loop or a dangling target lands here
                raise FileNotFoundError(f"{raw} is a symbolic link that leads nowhere (a loop, or a missing target)")
            raise FileNotFoundError(f"no such file or folder: {raw}")
        if not root.is_dir():
            if not root.is_file():  # a FIFO would block the read forever; a device is no article
                skipped.append(IngestError(str(root), _NOT_REGULAR))
            elif root.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(SourceFile(root.resolve(), root.stem))
            else:
                kind = f"type {root.suffix.lower()!r}" if root.suffix else "type (no suffix)"
                skipped.append(IngestError(str(root), f"unsupported file {kind}; citeqa reads {_supported_list()}"))
            continue
        others: Counter[str] = Counter()
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if any(part.startswith(".") for part in rel.parts) or path.is_dir():
                continue
            if path.suffix.lower() in SUPPORTED_SUFFIXES and path.is_file():
                found.append(SourceFile(path.resolve(), rel.with_suffix("").as_posix()))
            elif path.is_symlink() and not path.exists():
                skipped.append(
                    IngestError(str(path), "is a symbolic link that leads nowhere (a loop, or a missing target)")
                )
            elif not path.is_file():
                skipped.append(IngestError(str(path), _NOT_REGULAR))
            else:
                others[path.suffix.lower() or "(no suffix)"] += 1
        if others:
            kinds = ", ".join(f"{k} ({n})" for k, n in sorted(others.items()))
            skipped.append(
                IngestError(
                    str(root.resolve()),
                    f"{sum(others.values())} files not read, of unsupported types {kinds}; "
                    f"citeqa reads {_supported_list()}",
                )
            )
    return Discovered(tuple(found), tuple(skipped))


def read_source(
    source: Source, options: ReadOptions = DEFAULT_READ, tick: Callable[[int], None] | None = None
) -> Iterator[Article | IngestError]:
    """Each article a source holds, or the error that skipped it (a file's own error, or a record's).

    Args:
        source: A file or URL from :func:`discover`.
        options: Dump field names and fetch limits.
        tick: Told how many bytes of the source have been read so far (for a progress bar).
    """
    if isinstance(source, SourceUrl):
        yield from read_url(source, options.fetch)
        return
    suffix = source.path.suffix.lower()
    name = str(source.path)
    try:
        if suffix == ".jsonl":
            yield from read_jsonl(source.path, source.article_id, fields=options.fields, tick=tick)
            return
        if suffix == ".csv":
            yield from read_csv(source.path, source.article_id, fields=options.fields, tick=tick)
            return
        data = read_bytes(source.path)
        if suffix in FEED_SUFFIXES:
            yield from parse_feed(source.article_id, data, source=name)
        elif suffix in HTML_SUFFIXES:
            yield parse_html(source.article_id, data, source=name, sha256=sha256(data))
        elif suffix in TEXT_SUFFIXES:
            yield parse_article(source.article_id, decode(data, name), source=name, sha256=sha256(data))
        else:
            yield IngestError(name, f"unsupported file type {suffix!r}; citeqa reads {_supported_list()}")
        if tick is not None:
            tick(len(data))
    except IngestError as err:
        yield err
    except OSError as err:
        yield IngestError(name, f"cannot be read ({err.strerror or err})")


def read_article(source: SourceFile) -> Article:
    """Read a file that holds one article (``.txt``, ``.md``, ``.html``, ``.htm``).

    Raises:
        IngestError: The file is of another type, too large, binary, undecodable or empty.
    """
    if source.path.suffix.lower() not in SINGLE_ARTICLE_SUFFIXES:
        raise IngestError(str(source.path), f"holds no single article; expected one of {SINGLE_ARTICLE_SUFFIXES}")
    for item in read_source(source):
        if isinstance(item, IngestError):
            raise item
        return item
    raise IngestError(str(source.path), "has no text to index")
