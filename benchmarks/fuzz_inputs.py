"""A bounded hypothesis fuzz of what users and the open web hand citeqa: questions, and file
bytes in every format it reads. Each input must give a value or citeqa's own clear error, never
another exception, and every article read keeps its text and offsets whole.

    .venv/bin/python benchmarks/fuzz_inputs.py --examples 2000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.chunk import chunk_sentences, split_sentences
from index.errors import IngestError
from index.sources import SUPPORTED_SUFFIXES
from index.sources.common import SourceFile
from index.sources.discovery import read_source
from qa.errors import InvalidQuestionError
from qa.questions import validate_question

# Text that looks like what the readers parse, so the fuzz reaches past the first check.
FRAGMENTS = [
    "date 2024-03-02 ",
    "date 2999-01-01 ",
    "date 2024-02-30 ",
    "---\ntitle: T\ndate: 2024-13-01\n---\n",
    "---\n",
    "<html><body><p>",
    "</p>",
    "<article>",
    "<rss><channel><item><title>",
    "</title><description>",
    '{"title": "A", "text": "',
    '"}\n',
    "title,text,date\n",
    "\ufeff",
    "\x00",
    "\x1b[2J",
    "$$x$$",
    "<img onerror=x>",
    "Mr. Olsen said. ",
    "\n\n",
    "Radoičić ",
    "日本語。",
    "\u202e",
    "\ud800",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=12).map("".join)
blobs = st.one_of(
    st.binary(max_size=400),
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    texts.map(lambda t: t.encode("utf-16", "surrogatepass")),
    texts.map(lambda t: t.encode("latin-1", "replace")),
)


def check_question(question: str) -> None:
    try:
        valid = validate_question(question)
    except InvalidQuestionError:
        return
    assert valid == question.strip() and valid
    assert not any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in valid)


def check_file(folder: Path, suffix: str, data: bytes) -> None:
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    for item in read_source(SourceFile(path, "fuzz")):
        if isinstance(item, IngestError):
            assert str(path) in str(item) or item.path.startswith(str(path))
            continue
        assert 0 <= item.body_start <= len(item.text)
        sentences = split_sentences(item.text, item.body_start, item.id)
        for s in sentences:
            assert item.body_start <= s.start < s.end <= len(item.text)
        for chunk in chunk_sentences(item.text, sentences, article_id=item.id):
            assert item.text[chunk.start : chunk.end] == chunk.text


def run(examples: int) -> dict[str, float]:
    """Fuzz each property with ``examples`` inputs; returns seconds per property."""
    times: dict[str, float] = {}
    options = settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))

    @options
    @given(st.one_of(texts, st.text()))
    def questions(question: str) -> None:
        check_question(question)

    with tempfile.TemporaryDirectory() as scratch:

        @options
        @given(st.sampled_from(SUPPORTED_SUFFIXES), blobs)
        def files(suffix: str, data: bytes) -> None:
            check_file(Path(scratch), suffix, data)

        for name, test in (("questions", questions), ("files", files)):
            start = time.perf_counter()
            test()
            times[name] = time.perf_counter() - start
    return times


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000, help="inputs per property (default: 2000)")
    for name, seconds in run(parser.parse_args().examples).items():
        print(f"{name}: ok in {seconds:.1f} s")
