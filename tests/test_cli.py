import json
import time

import pytest

from citeqa.cli import main
from tests.conftest import SEEDS


def test_help_for_every_command(capsys):
    for argv in (["--help"], ["index", "--help"], ["ask", "--help"], ["chat", "--help"], ["faq", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
    assert "--index-dir" in capsys.readouterr().out


def test_empty_question_is_a_clear_error(capsys):
    assert main(["ask", "   "]) == 2
    assert "question is empty" in capsys.readouterr().err


def test_missing_index_is_a_clear_error(tmp_path, capsys):
    assert main(["ask", "Who?", "--index-dir", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert "no index at" in err and "Traceback" not in err


def test_missing_path_to_index(tmp_path, capsys):
    assert main(["index", str(tmp_path / "nope"), "--index-dir", str(tmp_path / "ix")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


@pytest.mark.models
def test_index_then_ask_as_json(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bad.txt").write_bytes(b"\x00\x01binary")
    assert main(["index", str(SEEDS), str(tmp_path / "docs"), "--index-dir", str(tmp_path / "ix"), "--no-faq"]) == 0
    out = capsys.readouterr()
    assert "1 articles" in out.out and "1 added" in out.out
    assert "bad.txt" in out.err and "binary" in out.err

    assert main(["ask", "Who led the armed group?", "--index-dir", str(tmp_path / "ix"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["text"] == "Milan Radoičić" and data["abstained"] is False
    citation = data["citations"][0]
    assert set(citation) == {
        "article_id",
        "title",
        "published",
        "start",
        "end",
        "quote",
        "answer_start",
        "answer_end",
        "url",
        "site",
        "also_in",
    }
    text = (SEEDS / f"{citation['article_id']}.txt").read_text(encoding="utf-8")
    assert text[citation["start"] : citation["end"]] == citation["quote"]
    assert citation["published"] == "2023-11-14"

    assert main(["ask", "What is the capital of Australia?", "--index-dir", str(tmp_path / "ix")]) == 0
    assert "The articles do not say" in capsys.readouterr().out


@pytest.mark.models
def test_faq_is_made_at_index_time_and_read_back(tmp_path, capsys):
    assert main(["index", str(SEEDS), "--index-dir", str(tmp_path / "ix")]) == 0
    assert "FAQ for" in capsys.readouterr().out
    started = time.perf_counter()
    assert main(["faq", "--index-dir", str(tmp_path / "ix"), "--json"]) == 0
    read_back = time.perf_counter() - started
    (items,) = json.loads(capsys.readouterr().out).values()
    assert len(items) >= 3, items
    article = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    for item in items:
        assert item["question"].endswith("?")
        assert item["answer"]["citations"]  # a summary or a list cites one sentence per part
        for citation in item["answer"]["citations"]:
            assert article[citation["start"] : citation["end"]] == citation["quote"]
    assert "summary" in {i["answer"]["kind"] for i in items}  # the news box's "What happened?"
    assert len({i["question"] for i in items}) == len(items)
    assert read_back < 5, f"the stored FAQ should be read back, not generated again ({read_back:.1f} s)"

    assert main(["faq", "no-such-article", "--index-dir", str(tmp_path / "ix")]) == 1
    assert "no indexed article has the id 'no-such-article'" in capsys.readouterr().err


def test_index_help_names_the_formats_and_the_dump_flags(capsys):
    with pytest.raises(SystemExit):
        main(["index", "--help"])
    out = capsys.readouterr().out
    assert ".html" in out and ".jsonl" in out and "--text-field" in out and "--fetch-timeout" in out


def test_a_failing_url_and_a_dump_field_flag_are_named_in_the_error(tmp_path, capsys):
    from tests.index import newsfixtures as nf
    from tests.webserver import closed_port

    dump = nf.write_jsonl(tmp_path / "d.jsonl", nf.good_jsonl_lines())
    url = f"http://127.0.0.1:{closed_port()}/story"
    code = main(["index", url, str(dump), "--text-field", "story", "--index-dir", str(tmp_path / "ix"), "--no-faq"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert url in err and "cannot be reached" in err
    assert "looked for the fields story" in err


@pytest.mark.models
def test_index_pages_feeds_dumps_and_a_url_then_ask(tmp_path, capsys):
    from tests.index import newsfixtures as nf
    from tests.webserver import serve

    folder = tmp_path / "news"
    nf.write(folder / "bridge.html", nf.PAGE)
    nf.write(folder / "courier.rss", nf.RSS)
    nf.write_jsonl(folder / "dump.jsonl", [*nf.good_jsonl_lines(), "{broken"])
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    with serve({"/valley": (200, "application/atom+xml", nf.ATOM.encode())}) as base:
        code = main(["index", str(folder), f"{base}/valley", "--index-dir", str(tmp_path / "ix"), "--no-faq"])
    out = capsys.readouterr()
    assert code == 0 and "6 articles" in out.out
    assert "line 3" in out.err and ".pdf (1)" in out.err and "reading" in out.err
    assert (
        main(["ask", "Who led the repair crew?", "--index-dir", str(tmp_path / "ix"), "--json", "--reader", "sentence"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["citations"][0]["url"] == "https://gazette.example/news/harbour-bridge-reopens"
