"""Duplicates: exact copies indexed once; near-duplicates grouped, one version per story in search, the newest first."""

from __future__ import annotations

import json
from datetime import date

import numpy as np

from index import build_index, load_index
from index.dedup import DedupSettings, MinHasher, similarity, stories, text_key
from index.sources import parse_article
from index.types import ArticleFilter
from tests.index import newsfixtures as nf

WIRE = (
    "Rescue teams in the mountain town of Vell searched through the night for two hikers missing since "
    "Saturday, when a storm swept across the northern ridge. The hikers, a couple from the coastal city of "
    "Arno, had set out for a two day walk to the Karst lakes and were last seen at a refuge hut. Police said "
    "a helicopter would join the search at first light if the wind dropped. Volunteers from three villages "
    "brought dogs and thermal cameras, and the regional governor said every resource would be used. The "
    "storm brought down trees and cut power to four hundred homes in the valley below the ridge."
)
UPDATE = (
    WIRE.replace("searched through the night for", "found")
    .replace("missing since Saturday", "alive on Monday, two days after they went missing")
    .replace("Police said a helicopter would join the search at first light if the wind dropped.", "")
    + " Both hikers were taken to hospital in Vell with mild hypothermia, doctors said."
)
OTHER = (
    "The city council of Dunmore voted on Tuesday to close the old market hall for a year of renovation. "
    "Traders will move to a temporary site by the river, and the council promised lower rents while the "
    "work goes on. The hall, built in 1887, needs a new roof and new drains, the architect told the meeting."
)


def _record(id_, text, date, site, url):
    return json.dumps({"id": id_, "title": text.split(".")[0], "text": text, "date": date, "site": site, "url": url})


def _corpus(tmp_path):
    lines = [
        _record("wire-a", WIRE, "2024-04-06T18:00:00Z", "Vell Herald", "https://herald.example/hikers"),
        _record("wire-b", "By Staff.\n\n" + WIRE, "2024-04-06T19:30:00Z", "Arno Post", "https://post.example/hikers"),
        _record("wire-c", UPDATE, "2024-04-08T07:00:00Z", "Vell Herald", "https://herald.example/hikers-found"),
        _record("market", OTHER, "2024-04-07", "Dunmore Courier", "https://courier.example/market"),
    ]
    return nf.write_jsonl(tmp_path / "news" / "wire.jsonl", lines)


def test_signatures_tell_edited_copies_from_other_stories():
    hasher = MinHasher()
    wire, update, other = (hasher.signature(t) for t in (WIRE, UPDATE, OTHER))
    assert similarity(wire, hasher.signature(WIRE)) == 1.0
    assert similarity(wire, update) >= DedupSettings().threshold
    assert similarity(wire, other) < 0.1
    assert text_key("The  Storm\n\ncame!") == text_key("the storm came!") != text_key("the storm came")


def test_exact_copies_are_indexed_once(tmp_path, embedder):
    nf.write(tmp_path / "c" / "a.txt", "A storm hit Vell. Power was cut to 400 homes.")
    nf.write(tmp_path / "c" / "b.txt", "a storm hit vell.\n\npower was cut to 400 homes.")
    nf.write(tmp_path / "c" / "c.txt", "The market hall closes for renovation.")
    report = build_index([tmp_path / "c"], tmp_path / "ix", embedder=embedder)
    assert report.copies == (("b", "a"),) and report.articles == 2
    assert any("same text as 'a'" in e.reason for e in report.errors)
    assert set(load_index(tmp_path / "ix").articles) == {"a", "c"}
    again = build_index([tmp_path / "c"], tmp_path / "ix", embedder=embedder)  # stable: nothing changes
    assert not again.changed and again.generation == report.generation


def test_near_duplicates_form_one_story_whose_newest_version_is_recorded(tmp_path, embedder):
    report = build_index([_corpus(tmp_path)], tmp_path / "ix", embedder=embedder)
    assert report.stories == 1 and report.articles == 4
    articles = load_index(tmp_path / "ix").articles
    newest = "wire/wire-c"
    assert {a.id for a in articles.values() if a.story == newest} == {"wire/wire-a", "wire/wire-b", newest}
    assert articles["wire/market"].story == "" and articles["wire/market"].latest
    assert articles[newest].latest and not articles["wire/wire-a"].latest
    versions = articles["wire/wire-a"].versions
    assert [v.article_id for v in versions] == [newest, "wire/wire-b"]  # the newest first
    assert {v.site for v in versions} == {"Vell Herald", "Arno Post"}
    assert versions[0].url == "https://herald.example/hikers-found"


def test_search_returns_one_version_of_a_story_the_newest_allowed(tmp_path, embedder):
    build_index([_corpus(tmp_path)], tmp_path / "ix", embedder=embedder)
    index = load_index(tmp_path / "ix")
    question = "Where were the missing hikers from Arno last seen?"
    vector = embedder.embed([question])[0]
    hits = index.search(question, vector, 10)
    story_ids = [h.chunk.article_id for h in hits if h.chunk.article_id.startswith("wire/wire")]
    assert set(story_ids) == {"wire/wire-c"}
    # Before the update was published, the newest version then was the second outlet's copy.
    earlier = index.search(question, vector, 10, where=ArticleFilter(until=date(2024, 4, 7)))
    assert {h.chunk.article_id for h in earlier} & {"wire/wire-a", "wire/wire-b", "wire/wire-c"} == {"wire/wire-b"}


def test_without_duplicates_search_is_untouched(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    index = load_index(tmp_path / "ix")
    scores = {row: float(-row) for row in range(len(index.chunks))}
    assert index.one_version_per_story(scores) is scores
    assert all(a.story == "" for a in index.articles.values())


def test_groups_are_transitive_and_undated_articles_lose_to_dated_ones():
    a = parse_article("a", WIRE)
    b = parse_article("b", "date 2024-01-01 " + WIRE + " One more line at the end.")
    c = parse_article("c", OTHER)
    assert stories([a, b, c]) == {"a": "b", "b": "b"}
    assert stories([c]) == {} and stories([]) == {}
    assert np.array_equal(MinHasher().signature(""), MinHasher().signature("   "))


def test_an_update_reuses_the_stored_signatures(corpus, tmp_path, embedder, monkeypatch):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    made = []
    real = MinHasher.signature
    monkeypatch.setattr(MinHasher, "signature", lambda self, text: made.append(text) or real(self, text))
    nf.write(corpus / "new.txt", OTHER)
    report = build_index([corpus], tmp_path / "ix", embedder=embedder)
    assert report.added == ("new",) and made == [OTHER]
