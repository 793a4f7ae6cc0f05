"""SIGKILL during an incremental build, a FAQ store write and a feedback append (a few trials of
benchmarks/crash_trials.py; the benchmark runs 20 or more)."""

from __future__ import annotations

import json

from benchmarks.crash_trials import index_trials, store_trials
from qa.feedback import record_feedback
from qa.types import Answer


def test_killed_builds_leave_the_old_index_whole_and_the_next_build_completes(tmp_path):
    results = index_trials(tmp_path, trials=4, articles=20, real=False, seed=3)
    assert [
        r for r in results if not (r["same_citation"] and r["old_articles_whole"] and r["next_build_complete"])
    ] == []
    assert all(r["exit"] != 0 or r["outcome"].startswith("finished") for r in results)
    assert all(r["staging_left"] == [] for r in results), "a build cleans up what a killed one left"


def test_killed_faq_and_feedback_writers_leave_whole_records(tmp_path):
    results = store_trials(tmp_path, trials=2, seed=3)
    assert all(r["faq_integrity"] and r["faq_rows_readable"] for r in results)
    assert all(r["feedback_torn"] == 0 and r["feedback_lines"] > 0 for r in results)


def test_a_torn_feedback_tail_does_not_swallow_the_next_record(tmp_path):
    path = tmp_path / "feedback.jsonl"
    path.write_bytes(b'{"liked": true}\n{"liked": fal')  # a disk that filled up mid-line
    record_feedback(Answer(question="q", text=None, score=0.0), True, path=path)
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and json.loads(lines[-2])["liked"] is True and lines[1] == b'{"liked": fal'
