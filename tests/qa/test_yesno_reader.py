"""Yes/no questions the rules leave open, read by the LLM: its settling words must be an evidence
sentence's own, a "Yes" over words that negate is no answer, and the real model's readings on seeds/."""

from dataclasses import replace
from pathlib import Path

import pytest

from index import build_index
from qa import Pipeline, SentenceReader, answer
from qa.abstention import DEFAULT_POLICY
from qa.kinds.yesno_reader import EXAMPLES, SYSTEM, ReadYesNo, parse, read_yes_no
from qa.llm import Generation
from tests.conftest import SEEDS
from tests.fakes import HashEmbedder

STORY = (
    "Harbour strike ends after nine days\n\n"
    "Dock workers in Portmere returned to work on Monday after a nine-day strike. "
    "Police detained two men after a fight near the gates. "
    "Lind denied that the union had planned the fight. "
    "The harbour authority said the strike had cost millions."
)


class ScriptedChat:
    """The LLM's reply fixed by the test; records what it was asked."""

    def __init__(self, reply: str, probs: tuple[float, ...] = (0.9,)):
        self.reply, self.probs = reply, probs
        self.users: list[str] = []

    def chat(self, system, turns, user, **kwargs):
        self.users.append(user)
        return Generation(self.reply, self.probs)


@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> Pipeline:
    root: Path = tmp_path_factory.mktemp("harbour-llm")
    (root / "harbour.txt").write_text(STORY, encoding="utf-8")
    embedder = HashEmbedder()
    build_index([root], root / "ix", embedder=embedder)
    return Pipeline(root / "ix", reader=SentenceReader(), embedder=embedder)


def read(pipeline: Pipeline, question: str, reply: str, probs: tuple[float, ...] = (0.9,), min_cosine: float = -1.0):
    vector = pipeline.retriever.embed_query(question)
    evidence = pipeline.evidence(question, vector, pipeline.retrieve(question))
    chat = ScriptedChat(reply, probs)
    # Hash vectors are not close to anything: the relevance gate is the pipeline's, not tested here.
    policy = replace(DEFAULT_POLICY, min_relevance=-1.0)
    settings = ReadYesNo(min_cosine=min_cosine)
    return read_yes_no(pipeline.store, chat, question, evidence, policy=policy, settings=settings), chat


def test_the_settling_words_are_cited_at_their_offsets(harbour):
    result, chat = read(harbour, "Was anyone taken into custody?", "Police detained two men => YES")
    assert (result.text, result.verdict) == ("Yes", True), result
    (citation,) = result.citations
    text = harbour.article(citation.article_id).text
    assert text[citation.answer_start : citation.answer_end] == "Police detained two men" == result.parts[0].text
    assert (
        text[citation.start : citation.end] == citation.quote == "Police detained two men after a fight near the gates."
    )
    assert "Police detained two men" in chat.users[0]  # the evidence was in the prompt


def test_words_not_in_the_articles_are_no_answer(harbour):
    result, _ = read(harbour, "Were the talks cancelled?", "the talks were cancelled by the mayor => YES")
    assert result.abstained and "not in the articles" in result.reason, result


def test_a_yes_over_words_that_negate_is_no_answer(harbour):
    result, _ = read(
        harbour, "Did the union plan the fight?", "Lind denied that the union had planned the fight => YES"
    )
    assert result.abstained and "otherwise" in result.reason, result


def test_a_no_from_the_model_stands_when_its_words_are_there(harbour):
    result, _ = read(harbour, "Is the strike still going on?", "Dock workers in Portmere returned to work => NO")
    assert (result.text, result.verdict) == ("No", False), result


def test_an_unsure_verdict_is_no_answer(harbour):
    # Sure of the copied words, unsure of the last token: the verdict.
    result, _ = read(
        harbour, "Is the strike over?", "Dock workers in Portmere returned to work => YES", (0.99,) * 9 + (0.5,)
    )
    assert result.abstained and "its verdict (0.50)" in result.reason, result
    sure, _ = read(harbour, "Is the strike over?", "Dock workers in Portmere returned to work => YES", (0.99,) * 10)
    assert sure.verdict is True, sure


def test_a_sentence_far_from_the_question_is_no_answer(harbour):
    reply = "Dock workers in Portmere returned to work => YES"
    far, _ = read(harbour, "Is the strike over?", reply, min_cosine=0.99)
    assert far.abstained and "far from the question" in far.reason, far


@pytest.mark.parametrize("reply", ["NONE", "Yes", "returned to work", "returned to work => MAYBE", " => YES"])
def test_a_reply_without_words_and_a_verdict_is_no_answer(harbour, reply):
    result, _ = read(harbour, "Is the strike still going on?", reply)
    assert result.abstained and result.kind == "yes/no", result


def test_the_worked_examples_copy_their_passage_and_show_each_reply():
    from qa.kinds.yesno_reader import _PASSAGE

    parsed = [parse(reply) for _, reply in EXAMPLES]
    assert {p[1] for p in parsed if p} == {True, False} and None in parsed
    for p in parsed:
        assert p is None or p[0] in _PASSAGE, p
    assert "NONE" in SYSTEM


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory):
    directory = tmp_path_factory.mktemp("seeds-yesno-llm")
    build_index([SEEDS], directory)
    return directory


@pytest.mark.models
@pytest.mark.parametrize(
    ("question", "verdict", "words"),
    [
        # Worded otherwise than the article: the rules leave these open, the LLM settles them.
        ("Has Radoičić admitted a role in the shootout?", True, "taken responsibility"),
        ("Is it known where the weapons came from?", False, "remains unclear"),
    ],
)
def test_the_llm_settles_what_the_rules_leave_open(seeds_index, question, verdict, words):
    # Ungated: what the real model reads; the gates are measured in benchmarks/yesno_reader.py.
    ungated = ReadYesNo(min_verdict=0.0, min_cosine=-1.0)
    result = Pipeline(seeds_index, yes_no_llm=ungated).answer(question)
    assert (result.kind, result.verdict) == ("yes/no", verdict), result
    assert words in result.parts[0].text
    c = result.citations[0]
    assert c.quote == Pipeline(seeds_index, reader=SentenceReader()).article(c.article_id).text[c.start : c.end]


@pytest.mark.models
@pytest.mark.parametrize(
    "question", ["Did Serbia invade Kosovo?", "Did Germany send troops?", "Was the Serbian president arrested?"]
)
def test_with_the_llm_it_still_abstains_when_the_text_does_not_settle_it(seeds_index, question):
    result = Pipeline(seeds_index, yes_no_llm=ReadYesNo()).answer(question)
    assert result.kind == "yes/no" and result.abstained, result


@pytest.mark.models
def test_by_default_the_llm_does_not_settle_yes_no_questions(seeds_index):
    # Off by default: on unseen questions it added as many wrong verdicts as right ones.
    result = answer("Has Radoičić admitted a role in the shootout?", index_dir=seeds_index)
    assert result.kind == "yes/no" and result.abstained, result
