"""``citeqa ask`` prints each answer shape readably, and ``--json`` carries the shape."""

import json
from datetime import date

import pytest

from citeqa.cli import main
from citeqa.printing import print_answer
from qa import Answer, Citation
from tests import shaped
from tests.conftest import SEEDS
from tests.shaped import composed

TEXT = "Troops left the border on Monday. Serbia, Kosovo and the US held talks.\x1b]0;owned\x07"


def cite(sentence: str, span: str | None = None, published=date(2023, 11, 14)) -> Citation:
    return shaped.cite(TEXT, sentence, span, title="Talks", published=published)


def printed(answer, capsys) -> list[str]:
    print_answer(answer)
    return capsys.readouterr().out.splitlines()


TROOPS = "Troops left the border on Monday."
TALKS = "Serbia, Kosovo and the US held talks."


def test_yes_no_prints_the_verdict_first_then_the_span_and_its_marker(capsys):
    lines = printed(
        composed("yes/no", [("Troops left the border", [cite(TROOPS, "Troops left the border")])], verdict=False),
        capsys,
    )
    assert lines[0] == "No — Troops left the border [1]  (confidence 0.80)"
    assert lines[2:4] == ["[1] Talks (2023-11-14) [a:0-33]", f"    “{TROOPS}”"]


def test_list_prints_a_bullet_per_item_markers_numbered_across_them_and_a_shared_quote_once(capsys):
    cs = [cite(TALKS, name) for name in ("Serbia", "Kosovo", "US")]
    lines = printed(composed("list", [("Serbia", cs[:1]), ("Kosovo", cs[1:2]), ("the\nUS", cs[1:])]), capsys)
    assert lines[:4] == ["- Serbia [1]", "- Kosovo [2]", "- the US [3][4]", "(confidence 0.80)"]
    # All four cite the one sentence: its quote is printed once, under all their markers.
    assert lines[4:] == ["", "[1][2][3][4] Talks (2023-11-14) [a:34-71]", f"    “{TALKS}”"]


def test_summary_prints_one_wrapped_paragraph_and_time_aware_answers_say_how_time_was_read(capsys):
    from qa.types import TimeScope

    scope = TimeScope(phrase="last week", today=date(2023, 11, 14), since=date(2023, 11, 6), until=date(2023, 11, 12))
    parts = [(TROOPS, [cite(TROOPS, published=None)])] + [(TALKS, [cite(TALKS)])] * 3
    lines = printed(composed("summary", parts, time=scope), capsys)
    paragraph = lines[: lines.index("Time read as “last week”: 2023-11-06 to 2023-11-12, as of 2023-11-14")]
    assert len(paragraph) > 1 and all(len(line) <= 100 for line in paragraph)
    assert " ".join(paragraph) == f"{TROOPS} [1] {TALKS} [2] {TALKS} [3] {TALKS} [4]  (confidence 0.80)"
    assert "[1] Talks (undated) [a:0-33]" in lines and "[2][3][4] Talks (2023-11-14) [a:34-71]" in lines


def test_factoid_prints_as_before_and_article_control_characters_are_escaped(capsys):
    c = cite(TEXT[34:], "Kosovo")
    lines = printed(Answer(question="q", text="Kosovo", score=0.9, citations=(c,)), capsys)
    assert lines[0] == "Kosovo  (confidence 0.90)"
    assert "\x1b" not in "\n".join(lines) and "\\x1b]0;owned\\x07" in lines[-1]


@pytest.mark.models
def test_ask_prints_and_returns_a_yes_no_answer_with_its_shape(tmp_path, capsys):
    assert main(["index", str(SEEDS), "--index-dir", str(tmp_path / "ix"), "--no-faq"]) == 0
    capsys.readouterr()
    ask = ["ask", "Was anyone killed?", "--index-dir", str(tmp_path / "ix"), "--reader", "sentence"]
    assert main([*ask, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "yes/no" and data["verdict"] is True and data["text"] == "Yes" and data["time"] is None
    (part,) = data["parts"]
    assert data["citations"] == part["citations"] and part["worded"] is False
    c = part["citations"][0]
    article = (SEEDS / f"{c['article_id']}.txt").read_text(encoding="utf-8")
    assert article[c["start"] : c["end"]] == c["quote"] and article[c["answer_start"] : c["answer_end"]] == part["text"]
    assert main(ask) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Yes — {part['text']} [1]  (confidence ")
    assert lines[2].startswith("[1] ") and "(2023-11-14)" in lines[2]

    latest = [
        "ask",
        "What is the latest news about Kosovo?",
        "--index-dir",
        str(tmp_path / "ix"),
        "--reader",
        "sentence",
    ]
    assert main([*latest, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "summary" and len(data["parts"]) >= 2
    assert data["time"] == {
        "phrase": "the latest",
        "today": "2023-11-14",
        "since": None,
        "until": None,
        "newest_first": True,
        "form": "recent",
    }
