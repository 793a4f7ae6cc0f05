"""Time-aware answering: "now" from the articles' dates, date filters, and newer news first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from index.stores import Store
from index.types import Article
from qa.kinds.when import TimePhrase, resolve
from qa.types import ArticleFilter, Hit, TimeScope

# Hits this close to the best one (a share of its score) are reordered newest first; weaker ones
# stay behind them, so "the latest" does not promote an off-topic story for being new.
NEAR_BEST = 0.6
# With no time words, reports of one developing story still disagree ("4 dead", then "12 dead"): the
# newer wins among hits this close to the best.
DEVELOPING = 0.85


def newest_date(store: Store) -> date | None:
    """The newest indexed article's date: "today" for an archive, unless the caller says otherwise."""
    return max((a.published for a in store.articles.values() if a.published is not None), default=None)


def within(where: ArticleFilter | None, scope: TimeScope) -> ArticleFilter | None:
    """``where`` narrowed to the dates ``scope`` allows (the later start, the earlier end)."""
    if scope.since is None and scope.until is None:
        return where
    base = where or ArticleFilter()
    since = max(d for d in (base.since, scope.since) if d is not None) if base.since or scope.since else None
    until = min(d for d in (base.until, scope.until) if d is not None) if base.until or scope.until else None
    if since and until and since > until:
        return replace(base, article_ids=frozenset())  # an empty range: nothing matches; the caller says so
    return replace(base, since=since, until=until)


def _day(article: Article) -> int:
    return article.published.toordinal() if article.published else 0


def newest_hits_first(store: Store, hits: Sequence[Hit], near_best: float = NEAR_BEST) -> list[Hit]:
    """``hits`` with those near the best reordered newest article first (stable otherwise)."""
    if not hits:
        return []
    best = max(h.score for h in hits)
    near = [h for h in hits if h.score >= near_best * best]
    rest = [h for h in hits if h.score < near_best * best]
    near.sort(key=lambda h: -_day(store.articles[h.chunk.article_id]))
    return near + rest


def newest_articles(store: Store, where: ArticleFilter | None, hits: Sequence[Hit]) -> list[Article]:
    """The articles a question with no topic ("What happened?") may be about: those the filter
    allows, newest first, when they are dated; else those of the hits, best first."""
    allowed = [a for a in store.articles.values() if where is None or where.allows(a.id, a.published)]
    if any(a.published for a in allowed):
        return sorted(allowed, key=lambda a: (-_day(a), a.title))
    seen: dict[str, Article] = {}
    for hit in hits:
        seen.setdefault(hit.chunk.article_id, store.articles[hit.chunk.article_id])
    return list(seen.values())


def nothing_matches(store: Store, where: ArticleFilter, scope: TimeScope | None) -> str | None:
    """Why no indexed article can answer under ``where`` (saying which dates the time words
    allowed), or None when some article can."""
    if any(where.allows(a.id, a.published) for a in store.articles.values()):
        return None
    if scope is not None and (scope.since or scope.until):
        return f"no indexed article is from {scope.phrase} ({_days(scope.since, scope.until)})"
    return "no indexed article matches the filter"


def _days(since: date | None, until: date | None) -> str:
    if since and until:
        return since.isoformat() if since == until else f"{since.isoformat()} to {until.isoformat()}"
    return f"from {since.isoformat()}" if since else f"until {until.isoformat() if until else ''}"


# Time words naming a calendar date ("in 1989", "March 2024") may be the date of the event rather
# than of the article: when no article is from then, they are read as words of the question.
_CALENDAR = frozenset({"in-year", "month-year", "since", "before", "after"})


def date_filter(
    store: Store, where: ArticleFilter | None, scope: TimeScope | None, *, strict: bool = False
) -> tuple[ArticleFilter | None, TimeScope | None, str | None]:
    """The filter to search with (None: none), the time reading it keeps (None when the time
    words were read as words of the question), and, when no article can answer, why not.
    ``strict``: a calendar date is always a filter ("What happened in 2023?" asks for its news)."""
    narrowed = within(where, scope) if scope is not None else where
    if narrowed is None or not narrowed.active:
        return None, scope, None
    unmatched = nothing_matches(store, narrowed, scope)
    allowed = [a for a in store.articles.values() if where is None or where.allows(a.id, a.published)]
    if unmatched and scope is not None and allowed and not any(a.published for a in allowed):
        # Time words cannot pick among undated articles: they are words of the question.
        kept, _, reason = date_filter(store, where, None)
        return kept, None, reason
    if unmatched and not strict and scope is not None and scope.form in _CALENDAR:
        kept, _, reason = date_filter(store, where, None)
        return kept, None, reason
    return narrowed, scope, unmatched


def developing(store: Store, hits: Sequence[Hit]) -> bool:
    """Whether the hits near the best come from two or more dated articles (reports that may disagree)."""
    if not hits:
        return False
    best = max(h.score for h in hits)
    dated = {
        h.chunk.article_id
        for h in hits
        if h.score >= DEVELOPING * best and store.articles[h.chunk.article_id].published
    }
    return len(dated) >= 2


def resolve_scope(phrase: TimePhrase | None, today: date | None, store: Store) -> TimeScope | None:
    """How a question's time words read against ``today`` (else the newest article's date); a
    caller's ``today`` also ends the range: nothing is known from after it."""
    if phrase is None:
        return None
    scope = resolve(phrase, today or newest_date(store))
    if today is not None:
        scope = replace(scope, until=min(scope.until, today) if scope.until else today)
    return scope
