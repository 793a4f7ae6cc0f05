"""The reader's own check of its answer: asked in the same conversation, recorded on the answer,
refusing below its threshold, and not asked at all by default."""

from pathlib import Path

import pytest

from index import build_index
from qa import LlamaReader, Pipeline, SentenceReader
from qa.llm import Generation
from qa.readers import check
from tests.fakes import HashEmbedder

STORY = (
    "Harbour strike ends after nine days\n\n"
    "Dock workers in Portmere returned to work on Monday after a nine-day strike. "
    "Police detained two men after a fight near the gates. "
    "The harbour authority said the strike had cost millions."
)


class TwoReplies:
    """The answer, then the check's one token: each fixed by the test; records every call."""

    def __init__(self, answer: str, verdict: str, verdict_prob: float):
        self.replies = [Generation(answer, (0.9,) * 3), Generation(verdict, (verdict_prob,))]
        self.calls: list[tuple[tuple[tuple[str, str], ...], str, int]] = []

    def chat(self, system, turns, user, *, max_tokens=32, **kwargs):
        self.calls.append((tuple(turns), user, max_tokens))
        return self.replies[min(len(self.calls), 2) - 1]

    def warm(self, system, turns):
        pass


@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> Pipeline:
    root: Path = tmp_path_factory.mktemp("harbour-check")
    (root / "harbour.txt").write_text(STORY, encoding="utf-8")
    embedder = HashEmbedder()
    build_index([root], root / "ix", embedder=embedder)
    return Pipeline(root / "ix", reader=SentenceReader(), embedder=embedder)


def read(pipeline: Pipeline, chat: TwoReplies, check_below: float | None):
    question = "How many men did police detain?"
    vector = pipeline.retriever.embed_query(question)
    evidence = pipeline.evidence(question, vector, pipeline.retrieve(question))
    reader = LlamaReader(chat_model=chat, support=None, check_below=check_below, second_look_below=-1.0)
    return reader.read(question, evidence, [])


def test_the_check_is_asked_of_the_cited_sentence_and_recorded(harbour):
    chat = TwoReplies("two", "YES", 0.8)
    reading = read(harbour, chat, check_below=0.0)
    assert reading.span is not None and reading.checked == pytest.approx(0.8)
    _, (check_turns, check_user, check_tokens) = chat.calls
    sentence = "Police detained two men after a fight near the gates."
    question = "How many men did police detain?"
    assert check_turns == check.turns() and check_tokens == 1
    assert check_user == check.TEMPLATE.format(sentence=sentence, question=question, answer="two")


def test_a_no_below_the_threshold_refuses_the_answer_and_says_why(harbour):
    reading = read(harbour, TwoReplies("two", "NO", 0.9), check_below=0.5)
    assert reading.span is None and reading.checked == pytest.approx(0.1)
    assert "check" in reading.reason and "'two'" in reading.reason, reading.reason


def test_a_yes_above_the_threshold_keeps_the_answer(harbour):
    reading = read(harbour, TwoReplies("two", "YES", 0.7), check_below=0.5)
    assert reading.span is not None and reading.checked == pytest.approx(0.7)


def test_a_reply_that_is_neither_yes_nor_no_counts_as_no(harbour):
    reading = read(harbour, TwoReplies("two", "Maybe", 0.9), check_below=0.5)
    assert reading.span is None and reading.checked == 0.0


def test_by_default_the_model_is_not_asked_to_check(harbour):
    chat = TwoReplies("two", "NO", 0.99)
    reading = read(harbour, chat, check_below=None)
    assert reading.span is not None and reading.checked is None and len(chat.calls) == 1


def test_no_check_is_asked_when_the_model_refused(harbour):
    chat = TwoReplies("NONE", "YES", 0.99)
    reading = read(harbour, chat, check_below=0.0)
    assert reading.span is None and all(tokens > 1 for _, _, tokens in chat.calls)


def test_the_answer_carries_the_check_and_a_refusal_says_why(harbour, tmp_path):
    from dataclasses import replace

    from qa.abstention import DEFAULT_POLICY
    from qa.types import Answer

    # Hash vectors are not close to anything: the relevance gate is not what is tested here.
    policy = replace(DEFAULT_POLICY, min_relevance=-1.0)
    question = "How many men did police detain?"
    for verdict, shown in (("YES", True), ("NO", False)):
        reader = LlamaReader(chat_model=TwoReplies("two", verdict, 0.9), support=None, check_below=0.5)
        pipeline = Pipeline(harbour.index_dir, reader=reader, embedder=harbour.retriever.embedder, policy=policy)
        result = pipeline.answer(question)
        assert result.checked == pytest.approx(0.9 if shown else 0.1), result
        assert (result.text == "two") is shown and (not shown) == ("check" in result.reason), result
        assert Answer.from_dict(result.to_dict()).checked == result.checked
