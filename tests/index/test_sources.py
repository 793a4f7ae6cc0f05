"""Each kind of news source: the text and metadata it yields, and its bad inputs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from index.errors import IngestError
from index.sources import DumpFields, SourceFile, discover, parse_article, read_article, read_source
from index.sources.common import SHORT_TITLE_CHARS, short_title
from index.sources.dumps import read_csv, read_jsonl
from index.sources.feeds import html_to_text, parse_feed
from index.sources.html import parse_html
from tests.index import newsfixtures as nf


def _items(path, article_id="f"):
    return list(read_source(SourceFile(path, article_id)))


def test_page_main_text_without_navigation_ads_comments_or_footer():
    article = parse_html("p", nf.PAGE.encode(), source="page.html", sha256="x")
    for paragraph in nf.BRIDGE_BODY:
        assert paragraph in article.text
    for boilerplate in ("Sport", "Zephyr phone", "reader42", "Copyright", "Privacy"):
        assert boilerplate not in article.text
    assert "\n\n" in article.text  # paragraphs stay apart, so the paragraph view works


def test_page_metadata_prefers_json_ld_and_og_tags():
    article = parse_html("p", nf.PAGE.encode(), source="page.html", sha256="x")
    assert article.title == "Harbour bridge reopens after eight months of repairs"  # JSON-LD headline
    assert article.published == date(2024, 3, 4)
    assert article.published_at == datetime(2024, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert article.authors == ("Tom Reyes", "Ana Lima")
    assert article.site == "Port Ellis Gazette"  # og:site_name before the JSON-LD publisher
    assert article.url == "https://gazette.example/news/harbour-bridge-reopens"  # canonical


def test_page_without_metadata_falls_back_to_a_short_first_sentence_title():
    article = parse_html("p", nf.PAGE_WITHOUT_METADATA.encode(), source="flood.html", sha256="x", url="")
    assert article.published is None and article.published_at is None and article.authors == ()
    assert article.text.startswith("Heavy rain flooded the lower town")
    assert len(article.title) <= SHORT_TITLE_CHARS and article.title.endswith("…")
    assert article.text.startswith(article.title[:-1])


def test_fetched_page_falls_back_to_its_address_and_host():
    article = parse_html("p", nf.PAGE_WITHOUT_METADATA.encode(), source="u", sha256="x", url="https://x.example/a")
    assert article.url == "https://x.example/a" and article.site == "x.example"


def test_malformed_html_is_still_read_but_a_page_of_links_or_bytes_is_refused():
    broken = "<html><body><div><p>" + nf.BRIDGE_BODY[0] + "<p>" + nf.BRIDGE_BODY[1] + "</span></table>"
    assert nf.BRIDGE_BODY[1] in parse_html("b", broken.encode(), source="b.html", sha256="").text
    with pytest.raises(IngestError, match="no main text") as info:
        parse_html("l", nf.LINK_PAGE.encode(), source="links.html", sha256="")
    assert info.value.path == "links.html"
    with pytest.raises(IngestError, match="binary"):
        parse_html("z", b"\x89PNG\x00\x00", source="z.html", sha256="")
    with pytest.raises(IngestError, match=r"no main text|could not be parsed"):
        parse_html("e", b"   ", source="e.html", sha256="")


def test_rss_items_carry_headline_date_link_authors_and_the_fullest_text():
    items = list(parse_feed("feeds/courier", nf.RSS.encode(), source="courier.rss"))
    articles = [i for i in items if not isinstance(i, IngestError)]
    errors = [i for i in items if isinstance(i, IngestError)]
    mayor, ferry = articles
    assert mayor.id == "feeds/courier/mayor-re-elected" and ferry.id == "feeds/courier/ferry-resumes"
    assert mayor.title == "Mayor re-elected in Dunmore"
    assert mayor.published == date(2024, 5, 12) and mayor.published_at.hour == 21
    assert mayor.url == "https://courier.example/politics/mayor-re-elected"
    assert mayor.authors == ("Lena Park",) and mayor.site == "Dunmore Courier"
    # content:encoded, not the one-line description; HTML stripped, script dropped
    assert mayor.text == (
        "Sarah Quinn won a second term as mayor of Dunmore on Sunday.\n\n"
        "She received 54 percent of the vote. Turnout was the highest since 1998."
    )
    assert ferry.text == "The ferry to Inish Mor sails again from Friday, the operator said."
    (empty,) = errors
    assert "item 3" in empty.path and "Empty item" in empty.path and "no text" in empty.reason


def test_atom_entries_are_read_too(tmp_path):
    (article,) = _items(nf.write(tmp_path / "valley.atom", nf.ATOM), "valley")
    assert article.title == "School roof repaired" and article.site == "Valley Times"
    assert article.published_at == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    assert article.authors == ("Ray Cole",) and article.url == "https://valley.example/school-roof"
    assert article.text == "The roof of the village school was repaired over the holidays."


def test_broken_feed_xml_is_named_with_the_reason(tmp_path):
    items = _items(nf.write(tmp_path / "broken.rss", nf.BROKEN_RSS))
    errors = [i for i in items if isinstance(i, IngestError)]
    assert errors and all(str(tmp_path / "broken.rss") in e.path for e in errors)
    assert any("not well-formed XML" in e.reason and "line" in e.reason for e in errors)
    assert all(isinstance(i, IngestError) or i.text for i in items)
    (not_feed,) = _items(nf.write(tmp_path / "catalog.xml", nf.NOT_A_FEED))
    assert isinstance(not_feed, IngestError) and "not an RSS or Atom feed" in not_feed.reason


def test_html_to_text_keeps_paragraphs_and_entities():
    assert html_to_text("<p>A &amp; B</p><ul><li>one</li><li>two</li></ul>") == "A & B\n\none\n\ntwo"
    assert html_to_text("plain &lt;text&gt;") == "plain <text>"


def test_jsonl_dump_fields_by_convention_and_bad_lines_by_number(tmp_path):
    lines = [
        *nf.good_jsonl_lines(),
        "{not json",
        json.dumps({"id": "r3", "title": "No body"}),
        "[1, 2]",
        "",
        json.dumps({"title": "Numbers", "text": 42}),
    ]
    items = list(read_jsonl(nf.write_jsonl(tmp_path / "dump.jsonl", lines), "dump"))
    articles = [i for i in items if not isinstance(i, IngestError)]
    errors = {e.path.rsplit(" ", 1)[1]: e.reason for e in items if isinstance(e, IngestError)}
    library, bakery = articles
    assert library.id == "dump/r1" and library.title == "Library opens in Port Ellis"
    assert library.text.startswith("A new public library") and library.url == "https://news.example/library"
    assert library.published_at == datetime(2024, 2, 10, 8, 0, tzinfo=UTC) and library.authors == ("Kim Vo",)
    assert bakery.id == "dump/r2" and bakery.published is None
    assert set(errors) == {"3", "4", "5", "7"}
    assert "not valid JSON" in errors["3"] and "no text" in errors["4"] and "text, content, body" in errors["4"]
    assert "not an object" in errors["5"] and "not a string" in errors["7"]


def test_dump_fields_can_be_named(tmp_path):
    path = nf.write_jsonl(tmp_path / "cms.jsonl", [json.dumps({"key": 9, "hl": "Own names", "story": "Body text."})])
    (article,) = read_jsonl(path, "cms", fields=DumpFields(text=("story",), title=("hl",), id=("key",)))
    assert (article.id, article.title, article.text) == ("cms/9", "Own names", "Body text.")
    with pytest.raises(ValueError, match="non-empty"):
        DumpFields(text=())


def test_csv_dump_with_a_bad_row(tmp_path):
    path = nf.write(
        tmp_path / "dump.csv",
        'id,headline,content,date\na1,Roads closed,"Snow closed the roads, again.",2024-01-05\n'
        "a2,Too,many,values,here\na3,Untitled,,2024-01-06\n",
    )
    items = list(read_csv(path, "sheet"))
    (article,) = [i for i in items if not isinstance(i, IngestError)]
    assert article.id == "sheet/a1" and article.published == date(2024, 1, 5) and article.title == "Roads closed"
    reasons = sorted((e.path.rsplit(" ", 1)[1], e.reason) for e in items if isinstance(e, IngestError))
    assert reasons[0][0] == "3" and "more values" in reasons[0][1]
    assert reasons[1][0] == "4" and "no text" in reasons[1][1]


FRONT = """---
title: "Harbour bridge reopens"
date: 2024-03-04 09:30:00
source: Port Ellis Gazette
url: https://gazette.example/bridge
authors: [Tom Reyes, Ana Lima]
---
The harbour bridge reopened on Monday. Olsen led the crew.
"""


def test_front_matter_is_metadata_and_not_citable():
    article = parse_article("fm", FRONT)
    assert article.text == FRONT  # offsets still index the stored text
    assert article.text[article.body_start :].startswith("The harbour bridge")
    assert article.title == "Harbour bridge reopens"
    assert article.published == date(2024, 3, 4) and article.published_at == datetime(2024, 3, 4, 9, 30)
    assert article.site == "Port Ellis Gazette" and article.url == "https://gazette.example/bridge"
    assert article.authors == ("Tom Reyes", "Ana Lima")


def test_date_marker_after_front_matter_and_alone_still_works():
    article = parse_article("m", "---\ntitle: T\n---\ndate 2023-11-14 Body sentence here.")
    assert article.published == date(2023, 11, 14) and article.text[article.body_start :] == "Body sentence here."
    assert parse_article("d", "date 2023-11-14 Only a marker article.").published == date(2023, 11, 14)


def test_bad_front_matter_is_a_clear_error_and_a_rule_is_just_text():
    with pytest.raises(IngestError, match="not valid YAML"):
        parse_article("y", "---\ntitle: [unclosed\n---\nBody.")
    with pytest.raises(IngestError, match="not a date"):
        parse_article("y", "---\ndate: next tuesday\n---\nBody.")
    rule = parse_article("r", "---\nJust prose here\n---\nMore prose.")
    assert rule.body_start == 0 and rule.title == "---"


def test_short_title_cuts_a_long_first_sentence_at_a_word_boundary():
    sentence = "Serbia has recently made the decision to withdraw " + "several armoured units " * 5 + "from the border."
    title = short_title(sentence)
    assert len(title) <= SHORT_TITLE_CHARS and title.endswith("…")
    assert sentence.startswith(title[:-1]) and sentence[len(title) - 1] == " "
    assert parse_article("s", sentence).title == title
    assert short_title("Short one.") == "Short one."


def test_unsupported_files_are_reported_not_fatal(tmp_path):
    nf.write(tmp_path / "docs" / "story.txt", "A story.")
    (tmp_path / "docs" / "scan.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "docs" / "page_files" / "style.css").parent.mkdir()
    (tmp_path / "docs" / "page_files" / "style.css").write_text("p {}")
    found = discover([tmp_path / "docs", tmp_path / "docs" / "scan.pdf"])
    assert [s.article_id for s in found.sources] == ["story"]
    folder, named = found.skipped
    assert "2 files not read" in folder.reason and ".css (1)" in folder.reason and ".pdf (1)" in folder.reason
    assert named.path.endswith("scan.pdf") and "unsupported file type '.pdf'" in named.reason


def test_read_article_reads_pages_but_not_containers(tmp_path):
    page = read_article(SourceFile(nf.write(tmp_path / "p.html", nf.PAGE), "p"))
    assert page.site == "Port Ellis Gazette"
    with pytest.raises(IngestError, match="no single article"):
        read_article(SourceFile(nf.write(tmp_path / "f.rss", nf.RSS), "f"))
