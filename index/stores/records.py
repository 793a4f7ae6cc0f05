"""The records of a generation in SQLite (``records.sqlite``): articles with their metadata, sentences, chunks.

Format 3 adds the article metadata (timestamp, authors, site, URL) and the story an article
belongs to; a format-2 file has none of those columns and loads with them empty.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from index.types import Article, Chunk, Sentence, StoryVersion

SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, published TEXT, text TEXT NOT NULL,
    body_start INTEGER NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL,
    published_at TEXT, authors TEXT NOT NULL DEFAULT '[]', site TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '', story TEXT NOT NULL DEFAULT '', minhash BLOB
);
CREATE TABLE sentences (
    article_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    row INTEGER NOT NULL UNIQUE, PRIMARY KEY (article_id, idx)
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, article_id TEXT NOT NULL, idx INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL, last_sentence INTEGER NOT NULL
);
"""
_ARTICLE_COLUMNS = "id, title, published, text, body_start, source, sha256, published_at, authors, site, url, story"
_V2_COLUMNS = "id, title, published, text, body_start, source, sha256"


def write_records(
    path: Path,
    articles: Sequence[Article],
    sentences: Mapping[str, Sequence[Sentence]],
    chunks: Sequence[Chunk],
    signatures: Mapping[str, bytes] | None = None,
) -> None:
    """Write a new records file (format 3), with each article's near-duplicate signature when given."""
    signatures = signatures or {}
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executescript(SCHEMA)
        db.executemany(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}, minhash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    a.id,
                    a.title,
                    a.published.isoformat() if a.published else None,
                    a.text,
                    a.body_start,
                    a.source,
                    a.sha256,
                    a.published_at.isoformat() if a.published_at else None,
                    json.dumps(list(a.authors), ensure_ascii=False),
                    a.site,
                    a.url,
                    a.story,
                    signatures.get(a.id),
                )
                for a in articles
            ],
        )
        ordered = (s for a in articles for s in sentences[a.id])
        db.executemany(
            "INSERT INTO sentences VALUES (?, ?, ?, ?, ?)",
            [(s.article_id, s.index, s.start, s.end, row) for row, s in enumerate(ordered)],
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (row, c.article_id, c.index, c.start, c.end, c.first_sentence, c.last_sentence)
                for row, c in enumerate(chunks)
            ],
        )


def _article(row: Sequence[object]) -> Article:
    id_, title, published, text, body_start, source, sha, *extra = row
    stamp, authors, site, url, story = extra if extra else (None, "[]", "", "", "")
    names = json.loads(str(authors))
    if not isinstance(names, list):
        raise ValueError(f"authors of {id_!r} are not a list")
    return Article(
        str(id_),
        str(title),
        date.fromisoformat(str(published)) if published else None,
        str(text),
        int(str(body_start)),
        str(source),
        str(sha),
        published_at=datetime.fromisoformat(str(stamp)) if stamp else None,
        authors=tuple(str(n) for n in names),
        site=str(site),
        url=str(url),
        story=str(story),
    )


def with_versions(articles: Mapping[str, Article]) -> dict[str, Article]:
    """The articles with each grouped one's ``versions``: the other articles of its story, newest first."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles.values():
        if article.story:
            groups[article.story].append(article)
    out = dict(articles)
    for story, members in groups.items():
        newest = articles.get(story)
        # The newest first, then the others from the most recent.
        ordered = sorted(members, key=lambda a: (a.id != story, -(a.published or date.min).toordinal(), a.id))
        for article in members:
            versions = tuple(
                StoryVersion(article_id=m.id, title=m.title, site=m.site, url=m.url, published=m.published)
                for m in ordered
                if m.id != article.id
            )
            out[article.id] = replace(article, story=story if newest is not None else "", versions=versions)
    return out


def read_records(
    path: Path,
) -> tuple[dict[str, Article], dict[str, list[Sentence]], dict[str, int], list[Chunk]]:
    """Articles (with their story versions), sentences, each article's first sentence row, and chunks."""
    uri = f"file:{path}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        present = {row[1] for row in db.execute("PRAGMA table_info(articles)")}
        columns = _ARTICLE_COLUMNS if "story" in present else _V2_COLUMNS
        articles = with_versions({row[0]: _article(row) for row in db.execute(f"SELECT {columns} FROM articles")})
        sentences: dict[str, list[Sentence]] = {a: [] for a in articles}
        sentence_rows: dict[str, int] = {}
        for article_id, idx, start, end, row in db.execute(
            "SELECT article_id, idx, start, end, row FROM sentences ORDER BY article_id, idx"
        ):
            first = sentence_rows.setdefault(article_id, row)
            if row != first + idx or idx != len(sentences[article_id]):
                raise ValueError(f"sentence rows of {article_id!r} are not consecutive")
            sentences[article_id].append(Sentence(article_id, idx, start, end))
        chunks = [
            Chunk(article_id, idx, start, end, articles[article_id].text[start:end], first, last)
            for article_id, idx, start, end, first, last in db.execute(
                "SELECT article_id, idx, start, end, first_sentence, last_sentence FROM chunks ORDER BY row"
            )
        ]
    return articles, sentences, sentence_rows, chunks


def read_signatures(path: Path) -> dict[str, bytes]:
    """The stored near-duplicate signatures by article id (none from a format-2 file)."""
    uri = f"file:{path}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        if "minhash" not in {row[1] for row in db.execute("PRAGMA table_info(articles)")}:
            return {}
        return {str(k): bytes(v) for k, v in db.execute("SELECT id, minhash FROM articles WHERE minhash IS NOT NULL")}
