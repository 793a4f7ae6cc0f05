"""Citations carry the article's headline, date, URL, outlet and the story's other versions, and survive JSON."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from index.chunk import split_sentences
from index.sources import parse_article
from index.types import StoryVersion
from qa.cite import cite
from qa.snap import Span
from qa.types import Answer, Citation

TEXT = (
    "---\ntitle: Bridge reopens\ndate: 2024-03-04\nurl: https://g.example/b\nsource: Gazette\n---\n"
    "The bridge reopened. Olsen led the crew."
)


def test_a_citation_carries_the_article_metadata_and_its_story():
    other = StoryVersion(article_id="w", title="Wire copy", site="Arno Post", url="https://p.example/w")
    article = replace(parse_article("b", TEXT), story="b", versions=(other,))
    start = TEXT.index("Olsen")
    c = cite(
        article,
        split_sentences(TEXT, article.body_start, "b"),
        Span(article_id="b", start=start, end=start + 5, similarity=1.0),
    )
    assert (c.title, c.published, c.url, c.site, c.also_in) == (
        "Bridge reopens",
        date(2024, 3, 4),
        "https://g.example/b",
        "Gazette",
        (other,),
    )
    assert TEXT[c.start : c.end] == c.quote == "Olsen led the crew."
    answer = Answer(question="Who led the crew?", text="Olsen", score=0.9, citations=(c,))
    assert Answer.from_dict(answer.to_dict()) == answer
    assert answer.to_markdown().rstrip().endswith("<https://g.example/b>")


def test_an_unsafe_url_stays_out_of_the_markdown():
    c = Citation(article_id="a", title="T", published=None, start=0, end=3, quote="abc", url="javascript:alert(1)")
    assert "javascript" not in Answer(question="q", text="abc", score=0.9, citations=(c,)).to_markdown()
