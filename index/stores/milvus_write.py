"""Writing a Milvus store article by article, so a killed write loses nothing already indexed.

Milvus has no transactions; a write is made safe by its order instead:

1. The write's number is recorded in the meta collection (``citeqa.writing``) before any row changes.
2. An article being replaced or removed loses its part-0 row first (it is then not "whole"), then
   its other rows.
3. A new article's chunks, sentences and text parts go in before its part-0 row, which is the last
   row written: readers ignore chunks of an article without one.
4. The write ends by flushing and moving ``citeqa.generation`` on (readers reload) and clearing
   ``citeqa.writing``.

A write killed part-way leaves every article it did not touch whole and those it finished whole;
:func:`recover` deletes the rows of the articles it left half-written, and the next build indexes
those again from their sources.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.bm25 import tokenize
from index.stores.milvus_rows import day_number, in_batches, query_all, record_json, row_id, text_parts
from index.stores.milvus_schema import (
    DUMMY_VECTOR,
    GENERATION_KEY,
    MAX_TEXT_BYTES,
    PART_CHARS,
    WRITING_KEY,
    MilvusLocation,
    read_properties,
    set_properties,
)
from index.types import Article, Chunk, Sentence

log = logging.getLogger(__name__)
INSERT_ROWS = 512  # rows per insert call: well under Milvus's 64 MiB request limit at 1,024 dimensions


@dataclass(frozen=True, slots=True)
class ArticleRows:
    """One article as written: its sentences and chunks with their vectors (float32, normalised)."""

    article: Article
    sentences: Sequence[Sentence]
    chunks: Sequence[Chunk]
    sentence_vectors: np.ndarray
    chunk_vectors: np.ndarray


def bm25_terms(text: str) -> str:
    """The chunk's BM25 terms as the engine indexes them: citeqa's stems, space-separated, cut to fit."""
    terms = " ".join(tokenize(text))
    if len(terms.encode("utf-8")) > MAX_TEXT_BYTES:
        terms = terms.encode("utf-8")[:MAX_TEXT_BYTES].decode("utf-8", "ignore").rsplit(" ", 1)[0]
    return terms


def begin(client: Any, location: MilvusLocation) -> int:
    """Start a write: recover from a killed one, then record this one's number. Returns it."""
    properties = read_properties(client, location)
    if properties.get(WRITING_KEY):
        recover(client, location)
        properties = read_properties(client, location)
    number = int(properties.get(GENERATION_KEY, "0")) + 1
    set_properties(client, location, {WRITING_KEY: str(number)})
    return number


def recover(client: Any, location: MilvusLocation) -> list[str]:
    """Delete the half-written articles a killed write left, and end it. Returns their ids."""
    properties = read_properties(client, location)
    number = int(properties.get(WRITING_KEY) or 0)
    if not number:
        return []
    touched: set[str] = set()
    for kind in ("chunks", "sentences", "articles"):
        touched |= {
            str(r["article_id"])
            for r in query_all(client, location.name(kind), "batch == {b}", ["article_id"], b=number)
        }
    whole = {
        str(r["article_id"])
        for r in query_all(client, location.name("articles"), "part == 0 and batch == {b}", ["article_id"], b=number)
    }
    half = sorted(touched - whole)
    delete(client, location, half)
    log.warning(
        "Milvus store at %s: an interrupted write left %d articles half-written; removed them", location, len(half)
    )
    commit(client, location, number)
    return half


def delete(client: Any, location: MilvusLocation, ids: Sequence[str]) -> None:
    """Remove articles: their part-0 rows first (no longer whole), then everything else of theirs."""
    for batch in in_batches(ids):
        _delete_where(client, location.name("articles"), "part == 0 and article_id in {ids}", ids=batch)
    for batch in in_batches(ids):
        for kind in ("chunks", "sentences", "articles"):
            _delete_where(client, location.name(kind), "article_id in {ids}", ids=batch)


def _delete_where(client: Any, collection: str, expr: str, **values: Any) -> None:
    # Deleting by primary key: Milvus Lite's delete takes no filter templates, and ids need no quoting.
    pks = [str(r["pk"]) for r in query_all(client, collection, expr, ["pk"], **values)]
    for batch in in_batches(pks):
        client.delete(collection, ids=batch)


def _part_rows(article: Article, number: int) -> list[dict]:
    return [
        {
            "pk": row_id(article.id, part),
            "article_id": article.id,
            "part": part,
            "published": day_number(article.published),
            "batch": number,
            "story": article.story,
            "text": text,
            "record": record_json(article) if part == 0 else "",
            "dummy": DUMMY_VECTOR,
        }
        for part, text in enumerate(text_parts(article.text, PART_CHARS))
    ]


def put(client: Any, location: MilvusLocation, items: Sequence[ArticleRows], number: int) -> None:
    """Insert whole articles (the caller deleted any previous rows of theirs)."""
    chunk_rows, sentence_rows, parts, heads = [], [], [], []
    for item in items:
        a = item.article
        day = day_number(a.published)
        for c, v in zip(item.chunks, item.chunk_vectors, strict=True):
            chunk_rows.append(
                {
                    "pk": row_id(a.id, c.index),
                    "article_id": a.id,
                    "idx": c.index,
                    "start": c.start,
                    "end": c.end,
                    "first_sentence": c.first_sentence,
                    "last_sentence": c.last_sentence,
                    "published": day,
                    "batch": number,
                    "terms": bm25_terms(c.text),
                    "vector": np.asarray(v, dtype=np.float32).tolist(),
                }
            )
        for s, v in zip(item.sentences, item.sentence_vectors, strict=True):
            sentence_rows.append(
                {
                    "pk": row_id(a.id, s.index),
                    "article_id": a.id,
                    "idx": s.index,
                    "start": s.start,
                    "end": s.end,
                    "batch": number,
                    "vector": np.asarray(v, dtype=np.float32).tolist(),
                }
            )
        head, *rest = _part_rows(a, number)
        parts += rest
        heads.append(head)
    for kind, rows in (("chunks", chunk_rows), ("sentences", sentence_rows), ("articles", parts), ("articles", heads)):
        for begin_row in range(0, len(rows), INSERT_ROWS):
            client.insert(location.name(kind), rows[begin_row : begin_row + INSERT_ROWS])


def update_metadata(client: Any, location: MilvusLocation, articles: Sequence[Article], number: int) -> None:
    """Rewrite kept articles' part-0 rows (new story, title, authors...); their date must not change."""
    rows = [_part_rows(a, number)[0] for a in articles]
    for begin_row in range(0, len(rows), INSERT_ROWS):
        client.upsert(location.name("articles"), rows[begin_row : begin_row + INSERT_ROWS])


def commit(client: Any, location: MilvusLocation, number: int) -> None:
    """End a write: flush, then publish it as the live generation."""
    for kind in ("chunks", "sentences", "articles"):
        client.flush(location.name(kind))
    set_properties(client, location, {GENERATION_KEY: str(number), WRITING_KEY: ""})


def end_unchanged(client: Any, location: MilvusLocation) -> None:
    """End a write that changed nothing: the generation stays, so readers keep what they loaded."""
    set_properties(client, location, {WRITING_KEY: ""})


def stored_rows(
    article: Article, sentences: Sequence[Sentence], chunks: Sequence[Chunk], vectors: Mapping[str, np.ndarray]
) -> ArticleRows:
    """An article's rows rebuilt from its stored sentence vectors (a new date or chunking: nothing embedded)."""
    from index.build import chunk_vectors

    own = vectors[article.id]
    return ArticleRows(
        article, sentences, chunks, own, chunk_vectors([article], {article.id: list(sentences)}, list(chunks), own)
    )
