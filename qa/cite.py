"""Citations: the exact sentences of an article that hold an answer, with the answer inside them."""

from __future__ import annotations

from collections.abc import Sequence

from index.types import Article, Sentence
from qa.snap import Span
from qa.types import Citation, Evidence


def cite(article: Article, sentences: Sequence[Sentence], span: Span) -> Citation:
    """The citation for an answer span: the whole sentence(s) of ``article`` that hold it.

    Invariant: ``article.text[c.start:c.end] == c.quote`` and the span lies inside it.
    """
    inside = [s for s in sentences if s.start < span.end and span.start < s.end]
    start = min([span.start, *(s.start for s in inside)])
    end = max([span.end, *(s.end for s in inside)])
    return Citation(
        article_id=article.id,
        title=article.title,
        published=article.published,
        start=start,
        end=end,
        quote=article.text[start:end],
        answer_start=span.start,
        answer_end=span.end,
        url=article.url,
        site=article.site,
        also_in=article.versions,
    )


def quote(item: Evidence) -> Citation:
    """An evidence sentence as a citation with no answer marked (shown with an abstention)."""
    s, article = item.sentence, item.article
    return Citation(
        article_id=article.id,
        title=article.title,
        published=article.published,
        start=s.start,
        end=s.end,
        quote=article.text[s.start : s.end],
        url=article.url,
        site=article.site,
        also_in=article.versions,
    )
