import pytest

from index import build_index
from index.chunk import is_heading
from qa import Pipeline, SentenceReader
from qa.llm.generate import Generation
from qa.readers import LlamaReader
from qa.readers.llama import NO_ANSWER, PROMPTS


def test_titles_head_each_article_s_sentences_unless_the_title_is_one_of_them(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    pipeline = Pipeline(tmp_path / "ix", reader=SentenceReader(), embedder=embedder)
    question = "Who won the mayor election, and who led the harbour bridge repairs?"
    evidence = pipeline.evidence(question, pipeline.retriever.embed_query(question), pipeline.retrieve(question))
    index = pipeline.store
    # Every harbour sentence (its title is its first line); the election's body without its heading.
    chosen = [
        e
        for e in evidence
        if e.sentence.article_id == "harbour"
        or (e.sentence.article_id == "election" and not is_heading(index.articles["election"].text, e.sentence))
    ]
    plain = LlamaReader().passages(chosen)
    titled = LlamaReader(titles=True).passages(chosen)
    assert "#" not in plain
    blocks = titled.split("\n\n")
    election = next(b for b in blocks if "Sarah Quinn" in b)
    assert election.startswith("# Mayor re-elected in Dunmore\n")
    # harbour.txt has no heading: its title is its first line, which is among the chosen sentences.
    harbour = next(b for b in blocks if "Maria Olsen" in b)
    assert not harbour.startswith("#") and harbour.count("Harbour bridge reopens after repairs") == 1
    assert titled.replace("# Mayor re-elected in Dunmore\n", "") == plain


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_every_worked_example_copies_its_passage_or_refuses(name):
    # The examples teach copying: a reply that is not a span of the passage would teach rephrasing.
    prompt = PROMPTS[name]
    for question, reply in prompt.examples:
        assert reply == NO_ANSWER or reply in prompt.passage, (question, reply)
    assert any(reply == NO_ANSWER for _, reply in prompt.examples), "the examples show a refusal"


def test_the_reader_sends_the_prompt_it_was_built_with(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    pipeline = Pipeline(tmp_path / "ix", reader=SentenceReader(), embedder=embedder)
    question = "Who won the mayor election?"
    evidence = pipeline.evidence(question, pipeline.retriever.embed_query(question), pipeline.retrieve(question))
    sent = {}
    for name in PROMPTS:
        chat = RecordingChat("Sarah Quinn")
        reading = LlamaReader(chat_model=chat, prompt=name, support=None).read(question, evidence, [])
        assert reading.span is not None and reading.span.article_id == "election"
        (system, turns), *_ = chat.calls
        assert system == PROMPTS[name].system
        assert [reply for _, reply in turns] == [reply for _, reply in PROMPTS[name].examples]
        sent[name] = system
    assert len(set(sent.values())) == len(PROMPTS)


def test_an_unknown_prompt_is_refused_with_the_valid_names():
    with pytest.raises(ValueError, match="unknown prompt 'longest'; valid: shortest, complete"):
        LlamaReader(chat_model=RecordingChat(""), prompt="longest")


class RecordingChat:
    """Replies with a fixed text and records the system prompt and worked examples it was sent."""

    def __init__(self, reply):
        self.reply = reply
        self.calls = []

    def warm(self, system, turns):
        pass

    def chat(self, system, turns, user, **kwargs):
        self.calls.append((system, turns))
        return Generation(self.reply, (0.9,))
