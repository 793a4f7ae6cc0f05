"""A short run of benchmarks/fuzz_inputs.py: questions and file bytes in every format give a value
or a clear error, and every article read keeps its offsets whole."""

from benchmarks.fuzz_inputs import run


def test_a_short_fuzz_of_questions_and_files():
    times = run(examples=150)
    assert set(times) == {"questions", "files"}
