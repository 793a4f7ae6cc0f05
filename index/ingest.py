"""Plan a build: read every source, compare with the index, drop exact copies and group near-duplicates."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from index.dedup import DEFAULT_DEDUP, DedupSettings, exact_copies, group, signatures
from index.errors import IngestError
from index.sources import ReadOptions, Source, SourceFile, read_source
from index.types import Article

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, stage)`` while a build runs."""


@dataclass(slots=True)
class Plan:
    """What a build will do: which articles are kept (vectors reused), which are embedded."""

    keep: list[str] = field(default_factory=list)
    fresh: list[Article] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    copies: list[tuple[str, str]] = field(default_factory=list)
    records: dict[str, Article] = field(default_factory=dict)  # kept articles as read now (metadata may be new)
    signatures: dict[str, bytes] = field(default_factory=dict)  # MinHash of every article, stored with the index


def _under(path: str, roots: Iterable[Path]) -> bool:
    return any(path == str(root) or path.startswith(str(root) + os.sep) for root in roots)


def _same_text(a: Article, b: Article) -> bool:
    return a.sha256 == b.sha256 and a.source == b.source and a.body_start == b.body_start and a.text == b.text


def _size(source: Source) -> int:
    try:
        return source.path.stat().st_size if isinstance(source, SourceFile) else 0
    except OSError:
        return 0


def plan_build(
    sources: Sequence[Source],
    roots: Sequence[Path],
    old_articles: Mapping[str, Article],
    *,
    options: ReadOptions,
    dedup: DedupSettings = DEFAULT_DEDUP,
    known: Mapping[str, bytes] | None = None,
    progress: ProgressCallback | None = None,
) -> Plan:
    """Read ``sources`` and decide, against the indexed ``old_articles``, what to keep, embed and remove.

    An article whose source could not be read (or had a bad record) is kept as indexed, never
    dropped for it; one whose file is gone from a folder in ``roots`` is removed. Of exact copies
    one is indexed; near-duplicates get their group's newest article as ``story``. ``known`` holds
    the stored MinHash signatures of the indexed articles, reused for those whose text is unchanged.
    """
    plan = Plan()
    seen: dict[str, str] = {}
    failed: set[str] = set()
    total = sum(_size(s) for s in sources)
    done = 0
    for source in sources:

        def tick(n: int, base: int = done) -> None:
            if progress is not None:
                progress(min(base + n, total), total, "reading")

        for item in read_source(source, options, tick):
            if isinstance(item, IngestError):
                plan.errors.append(item)
                failed.add(source.name)
                continue
            if item.id in seen:
                plan.errors.append(
                    IngestError(item.source, f"has the same article id {item.id!r} as {seen[item.id]}; skipped")
                )
                continue
            seen[item.id] = item.source
            previous = old_articles.get(item.id)
            if previous is not None and _same_text(previous, item):
                plan.keep.append(item.id)
                plan.records[item.id] = item
            else:
                plan.fresh.append(item)
                (plan.updated if previous is not None else plan.added).append(item.id)
        done += _size(source)
        if progress is not None:
            progress(done, total, "reading")
    for article_id, article in old_articles.items():
        if article_id in seen:
            continue
        if article.source in failed or not _under(article.source, roots):
            plan.keep.append(article_id)
            plan.records[article_id] = article
        else:
            plan.removed.append(article_id)
    _drop_copies(plan, old_articles)
    _group(plan, dedup, known or {}, progress)
    return plan


def _drop_copies(plan: Plan, old_articles: Mapping[str, Article]) -> None:
    everything = [*plan.records.values(), *plan.fresh]
    copies = exact_copies(everything, prefer=set(old_articles))
    if not copies:
        return
    by_id = {a.id: a for a in everything}
    for copy, original in sorted(copies.items()):
        plan.copies.append((copy, original))
        plan.errors.append(IngestError(by_id[copy].source, f"{copy!r} has the same text as {original!r}; indexed once"))
        if copy in old_articles:
            plan.removed.append(copy)
    plan.fresh = [a for a in plan.fresh if a.id not in copies]
    plan.keep = [a for a in plan.keep if a not in copies]
    plan.added = [a for a in plan.added if a not in copies]
    plan.updated = [a for a in plan.updated if a not in copies]
    for copy in copies:
        plan.records.pop(copy, None)


def _group(plan: Plan, dedup: DedupSettings, known: Mapping[str, bytes], progress: ProgressCallback | None) -> None:
    everything = [*plan.records.values(), *plan.fresh]
    unchanged = {k: v for k, v in known.items() if k in plan.records}
    plan.signatures = signatures(everything, dedup, unchanged, progress)
    matrix = np.frombuffer(b"".join(plan.signatures[a.id] for a in everything), dtype=np.uint32)
    story = group(everything, matrix.reshape(len(everything), dedup.num_perm), dedup)
    plan.records = {k: replace(a, story=story.get(k, ""), versions=()) for k, a in plan.records.items()}
    plan.fresh = [replace(a, story=story.get(a.id, ""), versions=()) for a in plan.fresh]
