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
    assert set(citation) == {"article_id", "title", "published", "start", "end", "quote", "answer_start", "answer_end"}
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
        (citation,) = item["answer"]["citations"]
        assert article[citation["start"] : citation["end"]] == citation["quote"]
    assert len({i["question"] for i in items}) == len(items)
    assert read_back < 5, f"the stored FAQ should be read back, not generated again ({read_back:.1f} s)"

    assert main(["faq", "no-such-article", "--index-dir", str(tmp_path / "ix")]) == 1
    assert "no indexed article has the id 'no-such-article'" in capsys.readouterr().err
