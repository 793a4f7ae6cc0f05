"""Rows of a Milvus store read back into citeqa's records, and filters written as Milvus expressions."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from index.types import Article, ArticleFilter, Chunk, Sentence

QUERY_BATCH = 1_000  # rows per page of a query iterator, and ids per "in" list
CHUNK_FIELDS = ["pk", "article_id", "idx", "start", "end", "first_sentence", "last_sentence"]


def row_id(article_id: str, index: int) -> str:
    """Primary key of an article's ``index``-th chunk, sentence or text part (fixed width: unique)."""
    return f"{article_id}#{index:06d}"


def day_number(day: date | None) -> int:
    """A date as the INT64 the date filters compare: YYYYMMDD, 0 when undated."""
    return day.year * 10_000 + day.month * 100 + day.day if day else 0


def render(expr: str, values: Mapping[str, Any]) -> str:
    """``expr`` with each ``{name}`` replaced by its value as a Milvus literal.

    Milvus Lite takes no expression templates (``filter_params``), so values are written in;
    strings as JSON literals, which Milvus's parser reads with the same escapes.
    """

    def literal(value: Any) -> str:
        if isinstance(value, list | tuple):
            return "[" + ", ".join(literal(v) for v in value) + "]"
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)
        return str(int(value))

    return expr.format(**{k: literal(v) for k, v in values.items()}) if values else expr


def filter_expression(where: ArticleFilter | None) -> str:
    """A Milvus filter expression allowing what ``where`` allows ("" for everything)."""
    if where is None or not where.active:
        return ""
    parts: list[str] = []
    values: dict[str, Any] = {}
    if where.article_ids is not None:
        parts.append("article_id in {ids}")
        values["ids"] = sorted(where.article_ids)
    if where.since is not None:
        parts.append("published >= {since}")
        values["since"] = day_number(where.since)
    if where.until is not None:
        parts.append("published > 0 and published <= {until}")  # undated articles are excluded
        values["until"] = day_number(where.until)
    return render(" and ".join(parts), values)


def record_json(article: Article) -> str:
    """The metadata of an article (all but its text, story and versions) as stored in part 0."""
    return json.dumps(
        {
            "title": article.title,
            "published": article.published.isoformat() if article.published else None,
            "body_start": article.body_start,
            "source": article.source,
            "sha256": article.sha256,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "authors": list(article.authors),
            "site": article.site,
            "url": article.url,
        },
        ensure_ascii=False,
    )


def article_from(article_id: str, record: str, story: str, text: str) -> Article:
    data = json.loads(record)
    return Article(
        article_id,
        str(data["title"]),
        date.fromisoformat(data["published"]) if data["published"] else None,
        text,
        int(data["body_start"]),
        str(data["source"]),
        str(data["sha256"]),
        published_at=datetime.fromisoformat(data["published_at"]) if data["published_at"] else None,
        authors=tuple(str(a) for a in data["authors"]),
        site=str(data["site"]),
        url=str(data["url"]),
        story=story,
    )


def text_parts(text: str, size: int) -> list[str]:
    """``text`` in consecutive parts of at most ``size`` characters (one empty part for an empty text)."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def sentence_from(row: Mapping[str, Any]) -> Sentence:
    return Sentence(str(row["article_id"]), int(row["idx"]), int(row["start"]), int(row["end"]))


def chunk_from(row: Mapping[str, Any], text: str) -> Chunk:
    start, end = int(row["start"]), int(row["end"])
    return Chunk(
        str(row["article_id"]),
        int(row["idx"]),
        start,
        end,
        text[start:end],
        int(row["first_sentence"]),
        int(row["last_sentence"]),
    )


def query_all(client: Any, collection: str, expr: str, fields: Sequence[str], **values: Any) -> Iterator[dict]:
    """Every row matching ``expr``, page by page (a plain query stops at Milvus's result window)."""
    pages = client.query_iterator(
        collection, batch_size=QUERY_BATCH, filter=render(expr, values), output_fields=list(fields)
    )
    try:
        while rows := pages.next():
            yield from rows
    finally:
        pages.close()


def in_batches(ids: Sequence[str], size: int = QUERY_BATCH) -> Iterator[list[str]]:
    for begin in range(0, len(ids), size):
        yield list(ids[begin : begin + size])


def count(client: Any, collection: str, expr: str = "", **values: Any) -> int:
    rows = client.query(collection, filter=render(expr, values), output_fields=["count(*)"])
    return int(rows[0]["count(*)"])
