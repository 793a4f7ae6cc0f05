"""Add uploaded files to an existing index: checked first, copied into the index's own folder, indexed incrementally.

Uploads are kept under ``<index>/uploads/`` so that a later update finds them again. A file that
cannot be read is refused with the reason, before anything is copied or indexed, and nothing already
indexed is touched by a refused file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.build import BuildReport, ProgressCallback, build_index
from index.embed import Embedder
from index.errors import IndexCorruptError, IndexNotFoundError, IngestError
from index.sources import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, SourceFile, read_source
from index.stores import load_index
from index.types import Article

UPLOADS_FOLDER = "uploads"
MAX_UPLOAD_BYTES = 5_000_000
assert MAX_UPLOAD_BYTES <= MAX_FILE_BYTES


@dataclass(frozen=True, slots=True)
class AddReport:
    """What an upload did.

    Attributes:
        added: Ids of the articles accepted (new or replacing an earlier upload of the same name).
        errors: Files refused, each with the reason.
        build: The index update, or None when no file was accepted.
    """

    added: tuple[str, ...]
    errors: tuple[IngestError, ...]
    build: BuildReport | None


def uploads_dir(index_dir: str | os.PathLike[str]) -> Path:
    """Where uploaded articles of an index are kept."""
    return Path(index_dir).expanduser().resolve() / UPLOADS_FOLDER


def _article_id(name: str) -> str:
    stem = re.sub(r"[^\w.-]+", "-", Path(name).stem, flags=re.UNICODE).strip("-.")
    return stem or "article"


def _check(path: Path, article_id: str) -> tuple[list[Article], list[IngestError]]:
    """The articles an uploaded file holds and the problems in it, read as indexing will read it."""
    articles: list[Article] = []
    problems: list[IngestError] = []
    for item in read_source(SourceFile(path, article_id)):
        (problems if isinstance(item, IngestError) else articles).append(item)  # type: ignore[arg-type]
    return articles, problems


def _elsewhere(article: Article | None, uploads: Path) -> bool:
    """Whether an indexed article came from somewhere other than the uploads folder."""
    return article is not None and not article.source.startswith(str(uploads) + os.sep)


def add_files(
    files: Sequence[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    embedder: Embedder | None = None,
    progress: ProgressCallback | None = None,
    existing: Mapping[str, Article] | None = None,
    build: Callable[[Sequence[Path]], BuildReport] | None = None,
) -> AddReport:
    """Check ``files``, copy the good ones into the index's uploads folder and index them.

    Each file must be of a type indexing reads (text, Markdown, a news page, a feed or a dump),
    at most :data:`MAX_UPLOAD_BYTES`, hold at least one article, and must not take the id of an
    article indexed from elsewhere. A feed's or dump's bad items are reported and the rest added.

    Args:
        files: The uploaded files.
        index_dir: The index to add them to.
        embedder: The index's embedding model (default: the default model).
        progress: Told how embedding goes.
        existing: The articles already indexed, when the caller has them loaded (else read from disk).
        build: Indexes the uploads folder into the store the uploads belong to (a Milvus store);
            None: :func:`index.build_index` into ``index_dir``.

    Returns:
        Which files were added and which were refused, with reasons.
    """
    directory = Path(index_dir).expanduser().resolve()
    target = uploads_dir(directory)
    if existing is None:
        try:
            existing = load_index(directory).articles
        except (IndexNotFoundError, IndexCorruptError):
            existing = {}
    accepted: dict[str, tuple[str, bytes]] = {}
    errors: list[IngestError] = []
    for raw in files:
        path = Path(raw)
        name = path.name
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            errors.append(
                IngestError(
                    name, f"unsupported file type {suffix or '(none)'!r}; upload {', '.join(SUPPORTED_SUFFIXES)} files"
                )
            )
            continue
        try:
            size = path.stat().st_size
        except OSError as err:
            errors.append(IngestError(name, f"cannot be read ({err.strerror})"))
            continue
        if size > MAX_UPLOAD_BYTES:
            errors.append(IngestError(name, f"is {size:,} bytes; the upload limit is {MAX_UPLOAD_BYTES:,}"))
            continue
        article_id = _article_id(name)
        try:
            data = path.read_bytes()
        except OSError as err:
            errors.append(IngestError(name, f"cannot be read ({err.strerror})"))
            continue
        articles, problems = _check(path, article_id)
        if not articles:
            first = problems[0] if problems else IngestError(name, "has no text to index")
            reason = first.reason if first.path == str(path) else str(first).replace(str(path), name)
            errors.append(IngestError(name, reason))
            continue
        taken = next((a.id for a in articles if _elsewhere(existing.get(a.id), target)), None)
        if taken is not None:
            errors.append(IngestError(name, f"an article with the id {taken!r} is already indexed; rename the file"))
            continue
        if article_id in accepted:
            errors.append(IngestError(name, f"uploaded twice under the id {article_id!r}; the first copy is kept"))
            continue
        accepted[article_id] = (suffix, data)
    if not accepted:
        return AddReport((), tuple(errors), None)
    target.mkdir(parents=True, exist_ok=True)
    for article_id, (suffix, data) in accepted.items():
        for other in SUPPORTED_SUFFIXES:  # one file per id, whichever suffix it came with
            if other != suffix:
                (target / f"{article_id}{other}").unlink(missing_ok=True)
        _write_atomically(target / f"{article_id}{suffix}", data)
    if build is not None:
        report = build([target])
    else:
        report = build_index([target], directory, embedder=embedder, progress=progress)
    return AddReport(tuple(accepted), tuple(errors) + report.errors, report)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
