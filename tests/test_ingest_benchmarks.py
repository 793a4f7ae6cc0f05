"""The ingest benchmarks in their smallest configuration, so the scripts cannot rot (figures live in docs/)."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
needs_data = pytest.mark.skipif(
    not (DATA / "newsqa-dev" / "stories").is_dir() or not (DATA / "squad-v1.1").is_dir(),
    reason="the shared evaluation data (../shared/data) is not here",
)


def _run(*args: str) -> str:
    return subprocess.run(
        [sys.executable, *args], check=True, capture_output=True, text=True, timeout=120, cwd=REPO
    ).stdout


@needs_data
def test_throughput_benchmark_reports_every_format():
    out = _run("benchmarks/ingest_throughput.py", str(DATA), "--articles", "300", "--per-format", "20")
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 6
    assert all(int(row.split("|")[3].replace(",", "")) > 0 for row in rows)  # every format yields articles


@needs_data
def test_extractor_benchmark_scores_each_extractor():
    out = _run("benchmarks/ingest_extractors.py", str(DATA / "newsqa-dev" / "stories"), "--pages", "6")
    assert out.count("| trafilatura") == 2 and "| jusText" in out
