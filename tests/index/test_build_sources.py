"""Building from the new formats: a source gone bad keeps what was indexed from it; the rest still indexes."""

from __future__ import annotations

import json

from index import build_index, load_index
from tests.index import newsfixtures as nf


def test_a_feed_or_dump_gone_bad_loses_nothing_already_indexed(tmp_path, embedder):
    folder = tmp_path / "news"
    nf.write(folder / "courier.rss", nf.RSS)
    dump = nf.write_jsonl(folder / "dump.jsonl", nf.good_jsonl_lines())
    nf.write(folder / "page.html", nf.PAGE)
    build_index([folder], tmp_path / "ix", embedder=embedder)
    before = load_index(tmp_path / "ix").articles
    assert {"courier/mayor-re-elected", "courier/ferry-resumes", "dump/r1", "dump/r2", "page"} <= set(before)

    nf.write(folder / "courier.rss", "<rss><channel><item><title>cut off")  # truncated download
    lines = nf.good_jsonl_lines()
    nf.write_jsonl(dump, [lines[0], lines[1][:20]])  # r2's line is now broken
    nf.write(folder / "new.txt", "A new story about the ferry timetable.")
    report = build_index([folder], tmp_path / "ix", embedder=embedder)

    after = load_index(tmp_path / "ix").articles
    assert set(after) == {*before, "new"}
    assert after["courier/mayor-re-elected"].text == before["courier/mayor-re-elected"].text
    reasons = " ".join(str(e) for e in report.errors)
    assert "courier.rss" in reasons and "dump.jsonl line 2" in reasons and "not valid JSON" in reasons


def test_items_removed_from_a_dump_in_an_indexed_folder_are_removed(tmp_path, embedder):
    dump = nf.write_jsonl(tmp_path / "news" / "dump.jsonl", nf.good_jsonl_lines())
    build_index([tmp_path / "news"], tmp_path / "ix", embedder=embedder)
    nf.write_jsonl(dump, nf.good_jsonl_lines()[:1])
    report = build_index([tmp_path / "news"], tmp_path / "ix", embedder=embedder)
    assert report.removed == ("dump/r2",) and set(load_index(tmp_path / "ix").articles) == {"dump/r1"}


def test_an_edited_record_is_re_embedded_alone(tmp_path, embedder):
    records = nf.dump_records()
    dump = nf.write_jsonl(tmp_path / "news" / "dump.jsonl", [json.dumps(r) for r in records])
    build_index([tmp_path / "news"], tmp_path / "ix", embedder=embedder)
    records[1]["text"] = "A Dunmore bakery won the national bread prize for the second year."
    nf.write_jsonl(dump, [json.dumps(r) for r in records])
    embedder.embedded.clear()
    report = build_index([tmp_path / "news"], tmp_path / "ix", embedder=embedder)
    assert report.updated == ("dump/r2",) and report.unchanged == 1
    assert embedder.embedded == [records[1]["text"]]


def test_progress_is_told_of_reading_duplicates_and_embedding(tmp_path, embedder):
    folder = tmp_path / "news"
    nf.write(folder / "courier.rss", nf.RSS)
    nf.write_jsonl(folder / "dump.jsonl", nf.good_jsonl_lines())
    seen: dict[str, tuple[int, int]] = {}
    build_index([folder], tmp_path / "ix", embedder=embedder, progress=lambda d, t, s: seen.__setitem__(s, (d, t)))
    assert set(seen) == {"reading", "duplicates", "embedding"}
    assert all(done == total > 0 for done, total in seen.values())  # each bar ends full
