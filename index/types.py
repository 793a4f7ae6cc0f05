"""Records passed between the indexing stages.

Every offset is a character position into ``Article.text``, half-open ``[start, end)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryVersion:
    """Another article telling the same story (a near-duplicate: the wire copy of another outlet,
    an updated version), as a citation lists it.

    Attributes:
        article_id: Its id.
        title: Its headline.
        site: Its outlet ("" when unknown).
        url: Its original address ("" when unknown).
        published: Its date, or None.
    """

    article_id: str
    title: str
    site: str = ""
    url: str = ""
    published: date | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One ingested article.

    Attributes:
        id: Stable identifier: the source path relative to the folder it was indexed from,
            without its suffix (``"000_76627542eb0685f5"`` for ``seeds/000_76627542eb0685f5.txt``);
            an item of a feed or dump adds its own part (``"feeds/world/bridge-reopens"``).
        title: The headline, or the body's first heading or sentence cut at about 80 characters.
        published: Publication date, or None.
        text: The stored text; every offset is a character offset into it. For a text file, the
            decoded file unchanged; for a page, feed item or record, its extracted main text.
        body_start: Where the citable text begins (after a date marker or front matter).
        source: Where it came from: a file's absolute path, or the URL that was fetched.
        sha256: Hash of what it was read from, used to skip unchanged articles on re-index.
        published_at: Full publication timestamp (timezone-aware when the source gave an offset)
            when the source has more than a date; None otherwise.
        authors: Bylines, in the order the source lists them.
        site: The outlet or site name ("" when unknown).
        url: The original address (canonical URL of a page, link of a feed item; "" when unknown).
        story: Id of the newest article of its near-duplicate group (itself when it is the newest);
            "" when it has no near-duplicate.
        versions: The other articles of its group, newest first (filled when an index is loaded).
    """

    id: str
    title: str
    published: date | None
    text: str
    body_start: int
    source: str
    sha256: str
    published_at: datetime | None = None
    authors: tuple[str, ...] = ()
    site: str = ""
    url: str = ""
    story: str = ""
    versions: tuple[StoryVersion, ...] = ()

    @property
    def latest(self) -> bool:
        """Whether no newer version of its story is indexed."""
        return self.story in ("", self.id)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or heading line) of an article: ``article.text[start:end]``."""

    article_id: str
    index: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of whole sentences that is embedded and searched as one passage.

    Attributes:
        article_id: The article it belongs to.
        index: Position among the article's chunks.
        start: Character offset of its first sentence, half-open with ``end``.
        end: Character offset just past its last sentence.
        text: ``article.text[start:end]``, exactly.
        first_sentence: Index of its first sentence.
        last_sentence: Index one past its last sentence.
    """

    article_id: str
    index: int
    start: int
    end: int
    text: str
    first_sentence: int
    last_sentence: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """A retrieved chunk with its scores.

    Attributes:
        chunk: The passage.
        score: Fused retrieval score (higher is better; see :class:`index.stores.SearchSettings`).
        dense: Dense score: the question's cosine with the chunk, blended with its cosine with
            the chunk's best sentence.
        lexical: BM25 score of the chunk for the question.
    """

    chunk: Chunk
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Which articles a question may be answered from; every condition given must hold.

    Attributes:
        article_ids: Only these articles; None allows any.
        since: Only articles published on or after this date (undated ones are then excluded).
        until: Only articles published on or before this date (undated ones are then excluded).
    """

    article_ids: frozenset[str] | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"the date range is empty: {self.since.isoformat()} is after {self.until.isoformat()}")

    @property
    def active(self) -> bool:
        return self.article_ids is not None or self.since is not None or self.until is not None

    def allows(self, article_id: str, published: date | None) -> bool:
        if self.article_ids is not None and article_id not in self.article_ids:
            return False
        if self.since is not None and (published is None or published < self.since):
            return False
        return not (self.until is not None and (published is None or published > self.until))
