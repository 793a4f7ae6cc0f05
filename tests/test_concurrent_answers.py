"""A short run of benchmarks/concurrent_answers.py: answer() from threads while another process
rebuilds the index gives 0 errors and each answer equal to its sequential one."""

import pytest

from benchmarks.concurrent_answers import main

pytestmark = pytest.mark.models


def test_threads_answer_the_same_while_another_process_builds(capsys):
    assert main(["--threads", "4", "--rounds", "1", "--builds", "2"]) == 0
    out = capsys.readouterr().out
    assert '"errors": 0' in out and '"mismatches": 0' in out
