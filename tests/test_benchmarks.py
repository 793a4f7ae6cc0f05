"""The small configuration of the performance benchmark, so the script cannot rot (figures live in docs/)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SQUAD = REPO.parent / "shared" / "data" / "squad-v1.1" / "dev-v1.1.json"


@pytest.mark.models
def test_quick_benchmark_runs_and_reports_every_table(tmp_path):
    out, raw = tmp_path / "performance.md", tmp_path / "performance.json"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "performance.py"),
            str(SQUAD),
            "--quick",
            "--work",
            str(tmp_path),
            "--out",
            str(out),
            "--json",
            str(raw),
        ],
        check=True,
        timeout=600,
    )
    results = json.loads(raw.read_text())
    builds = {b["system"]: b for b in results["builds"]}
    assert set(builds) == {"citeqa", "citeqa-onnx-qint8"}
    assert builds["citeqa"]["articles"] == 60 and builds["citeqa"]["chunks"] == builds["citeqa-onnx-qint8"]["chunks"]
    for b in builds.values():
        assert b["recall@5"] >= 0.9 and b["peak_mb"] > 0 and b["retrieval"]["n"] == 20
    (inc,) = results["incremental"]
    assert inc["added"] == 1 and inc["removed"] == 1
    faiss = {r["index"]: r for r in results["faiss"]}
    assert faiss["flat"]["recall@10"] == 1.0 and faiss["hnsw32 (efSearch 256)"]["recall@10"] >= 0.9
    assert faiss["hnsw32-sq8 (efSearch 512)"]["bytes_per_vector"] < faiss["hnsw32 (efSearch 512)"]["bytes_per_vector"]
    assert 1536 <= faiss["flat"]["bytes_per_vector"] < 1600  # 384 float32 per vector, plus a small header
    text = out.read_text()
    for heading in ("## Index build and retrieval", "## Incremental update", "## FAISS at scale"):
        assert heading in text


def test_support_fit_separates_answerable_from_unanswerable(tmp_path):
    import random

    rng = random.Random(3)
    rows = []
    for i in range(120):
        answerable = i % 2 == 0
        centre = 0.7 if answerable else 0.35
        signals = {
            "reader": rng.uniform(0.5, 1.0),
            "quote_cosine": rng.gauss(centre, 0.12),
            "quote_overlap": rng.gauss(centre, 0.15),
            "best_cosine": rng.gauss(centre + 0.05, 0.1),
        }
        setting = "open" if answerable else "unanswerable"
        rows.append({"setting": setting, "signals": signals, "f1": 1.0 if answerable else 0.0})
    rows.append({"setting": "open", "signals": {}, "f1": 0.0})  # the reader itself abstained
    train = tmp_path / "train.json"
    train.write_text(json.dumps({"questions": rows}))
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "fit_support.py"), str(train), "--max-abstention", "0.1"],
        check=True,
        capture_output=True,
        text=True,
    )
    chosen = next(line for line in result.stdout.splitlines() if "(chosen)" in line)
    _, _, threshold, answerable_abstained, unanswerable_abstained, _, _ = chosen.split("|")
    assert float(threshold.split()[0]) > 0
    assert float(answerable_abstained) <= 0.1
    assert float(unanswerable_abstained) > 0.7
    assert "weights=" in result.stdout


def test_same_answers_compare_finds_a_moved_citation_and_passes_identical_records(tmp_path):
    answer = {
        "question": "Who led the armed group?",
        "text": "Milan Radoičić",
        "score": 0.9,
        "reason": "",
        "standalone_question": None,
        "citations": [{"article_id": "a", "start": 10, "end": 40, "quote": "q", "answer_start": 12, "answer_end": 20}],
        "considered": [],
    }
    moved = {**answer, "citations": [{**answer["citations"][0], "start": 11}]}
    paths = {}
    for name, seeds in (("before", [answer]), ("same", [answer]), ("moved", [moved])):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps({"squad": [], "seeds": seeds}))
    script = [sys.executable, str(REPO / "benchmarks" / "same_answers.py"), "--compare"]
    same = subprocess.run([*script, str(paths["before"]), str(paths["same"])], capture_output=True, text=True)
    assert same.returncode == 0 and "0 of 1 answers differ" in same.stdout
    differs = subprocess.run([*script, str(paths["before"]), str(paths["moved"])], capture_output=True, text=True)
    assert differs.returncode == 1 and "differs in citations" in differs.stdout


def test_yes_no_sweep_scores_a_gate_on_the_recorded_readings(tmp_path):
    def rec(id_, answerable, abstained, right, cosine=None):
        signals = {"reader": 0.9, "quote_cosine": cosine, "quote_overlap": 0.5, "best_cosine": 0.7, "verdict": 0.9}
        return {"id": id_, "answerable": answerable, "abstained": abstained, "right": right,
                "signals": signals if cosine is not None else None}  # fmt: skip

    rules = [rec("a", True, True, False), rec("b", True, True, False), rec("c", False, True, True)]
    # The LLM answers all three: "a" right from a close sentence, "b" and "c" wrong from far ones.
    read = [rec("a", True, False, True, 0.7), rec("b", True, False, False, 0.3), rec("c", False, False, False, 0.4)]
    path = tmp_path / "collected.json"
    path.write_text(json.dumps({"set.jsonl": {"rules": rules, "ungated": read}}))
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "yesno_reader.py"), "sweep", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = {line.split(" | ")[0].strip("| "): line for line in out.splitlines()}
    assert rows["rules alone (every reading withheld)"].endswith("| +0 | +0 | +0 |")
    assert rows["none"].endswith("| +0 | +2 | -4 |")  # one more right, one right abstention lost, two wrong
    assert rows["sentence cosine >= 0.6"].endswith("| +1 | +0 | +1 |")


def test_answer_check_sweep_withholds_the_recorded_answers_below_each_threshold(tmp_path):
    def near(id_, half, answer, checked):
        return {"id": id_, "half": half, "answer": answer, "checked": checked}

    def asked(id_, answer, f1, checked):
        return {"id": id_, "answer": answer, "f1": f1, "checked": checked}

    data = {
        # dev: one near miss already abstained, one answered with a low check, one with a high one
        "nearmiss": [near("n1", "dev", None, None), near("n2", "dev", "x", 0.2), near("n3", "dev", "y", 0.9),
                     near("n4", "held-out", "z", 0.4)],
        "squad-dev": [asked("s1", "a", 1.0, 0.95), asked("s2", "b", 0.6, 0.3)],
    }  # fmt: skip
    path = tmp_path / "check.json"
    path.write_text(json.dumps(data))
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "answer_check.py"), "sweep", str(path), "--thresholds", "0", "0.5"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = {line.split(" | ")[0].strip("| "): line for line in out.splitlines()}
    # near misses dev 1/3 -> 2/3 abstained; held-out 0 -> 1; SQuAD: s2 (a right answer) withheld, F1 80 -> 50
    assert rows["0"].endswith("| 0.333 | 0.000 | 0.000 / 80.0 (0) |"), out
    assert rows["0.5"].endswith("| 0.667 | 1.000 | 0.500 / 50.0 (1) |"), out
