from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import build_index
from index.chunk import split_sentences
from index.sources import parse_article
from qa import Answer, InvalidQuestionError, Pipeline, Reading, SentenceReader
from qa.cite import cite
from qa.snap import Span


@pytest.fixture
def pipeline(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    return Pipeline(tmp_path / "ix", reader=SentenceReader(), embedder=embedder, min_relevance=0.3)


def test_answers_with_a_citation_that_quotes_the_article(pipeline):
    result = pipeline.answer("Who led the repair crew on the harbour bridge?")
    assert not result.abstained
    (citation,) = result.citations
    article = pipeline.article(citation.article_id)
    assert article.id == "harbour" and citation.published.isoformat() == "2024-03-02"
    assert article.text[citation.start : citation.end] == citation.quote
    assert "Maria Olsen" in citation.quote
    assert citation.title == "Harbour bridge reopens after repairs"


def test_unrelated_question_abstains_without_citations(pipeline):
    result = pipeline.answer("What is the capital of Australia?")
    assert result.abstained and result.text is None
    assert result.citations == () and result.reason


class FakeReader:
    """The parts of the Reader contract a reader without a model keeps."""

    support = None
    llm = None

    def warm(self):
        pass


def span_of(sentence):
    return Span(article_id=sentence.article_id, start=sentence.start, end=sentence.end, similarity=1.0)


class RefusingReader(FakeReader):
    name = "refuses"

    def read(self, question, evidence, passages, *, on_text=None):
        return Reading(span=None, confidence=0.1, reason="not in the passages")


class UnsureReader(FakeReader):
    name = "unsure"

    def read(self, question, evidence, passages, *, on_text=None):
        return Reading(span=span_of(evidence[0].sentence), confidence=0.05)


def test_fake_and_provided_readers_keep_the_reader_contract():
    from qa import Reader

    assert all(isinstance(r, Reader) for r in (RefusingReader(), UnsureReader(), SentenceReader()))


def test_reader_refusal_and_low_confidence_abstain(corpus, tmp_path, embedder):
    build_index([corpus], tmp_path / "ix", embedder=embedder)
    for reader, reason in [(RefusingReader(), "not in the passages"), (UnsureReader(), "too uncertain")]:
        p = Pipeline(tmp_path / "ix", reader=reader, embedder=embedder, min_relevance=0.0)
        result = p.answer("Who led the repair crew?")
        assert result.abstained and reason in result.reason


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "empty"), ("   \n", "empty"), ("x" * 2001, "2,001 characters"), (None, "must be a string")],
)
def test_bad_questions_are_clear_errors(pipeline, question, message):
    with pytest.raises(InvalidQuestionError, match=message):
        pipeline.answer(question)


def test_new_generation_is_picked_up_without_restart(pipeline, corpus, embedder):
    assert pipeline.answer("Which ferry line started service?").abstained
    (corpus / "ferry.txt").write_text("The Northline ferry service started sailing to Brackwater on Friday.")
    build_index([corpus], pipeline.index_dir, embedder=embedder)
    result = pipeline.answer("Which ferry service started sailing to Brackwater?")
    assert result.citations[0].article_id == "ferry"


def test_answer_is_a_value_not_an_exception():
    a = Answer(question="q?", text=None, score=0.2, reason="no")
    assert a.abstained and not Answer(question="q?", text="x", score=0.9).abstained


sentences = st.lists(
    st.sampled_from(["Alpha beta.", "Gamma delta!", "Dr. Who came.", "“Quoted” text?", "x\n\ny."]),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(sentences, st.data())
def test_every_citation_quotes_the_article_exactly(parts, data):
    article = parse_article("p", "date 2024-01-01 " + " ".join(parts))
    body = range(article.body_start, len(article.text))
    start = data.draw(st.sampled_from(body))
    end = data.draw(st.integers(start + 1, len(article.text)))
    sentences = split_sentences(article.text, article.body_start, article.id)
    citation = cite(article, sentences, Span(article_id="p", start=start, end=end, similarity=1.0))
    assert article.text[citation.start : citation.end] == citation.quote
    assert citation.start <= citation.answer_start <= citation.answer_end <= citation.end
    assert citation.start >= article.body_start


class FirstSentenceReader(FakeReader):
    """Cites the first evidence sentence with full confidence, so only the support check decides."""

    name = "first"

    def __init__(self, support):
        self.support = support

    def read(self, question, evidence, passages, *, on_text=None):
        return Reading(span=span_of(evidence[0].sentence), confidence=0.95)


def test_support_check_withholds_answers_whose_sentence_does_not_match(corpus, tmp_path, embedder):
    from qa.support import SupportModel, SupportSignals

    build_index([corpus], tmp_path / "ix", embedder=embedder)
    # Support grows with the cited sentence's share of the question's words.
    weights = SupportSignals(reader=0.0, quote_cosine=0.0, quote_overlap=10.0, best_cosine=0.0)
    support = SupportModel(weights=weights, bias=-5.0, threshold=0.5)
    p = Pipeline(tmp_path / "ix", reader=FirstSentenceReader(support), embedder=embedder, min_relevance=0.0)
    matched = p.answer("Who led the repair crew on the harbour bridge?")
    assert not matched.abstained and matched.score >= 0.5
    assert isinstance(matched.signals, SupportSignals)
    assert matched.signals.reader == pytest.approx(0.95)
    off_topic = p.answer("Which crew won the harbour regatta trophy last spring?")
    assert off_topic.abstained and "does not appear to answer" in off_topic.reason
    assert off_topic.score < 0.5 and off_topic.signals.quote_overlap < matched.signals.quote_overlap


def test_evidence_puts_sentences_sharing_rare_question_words_first(pipeline):
    question = "Who led the repair crew on the harbour bridge?"
    vector = pipeline.retriever.embed_query(question)
    evidence = pipeline.evidence(question, vector, pipeline.retrieve(question))
    scores = [e.score for e in evidence]
    assert scores == sorted(scores, reverse=True)
    best = pipeline.article(evidence[0].sentence.article_id).text[evidence[0].sentence.start : evidence[0].sentence.end]
    assert "Maria Olsen" in best


def _evidence_texts(pipeline, question, hits):
    vector = pipeline.retriever.embed_query(question)
    return [
        pipeline.article(e.sentence.article_id).text[e.sentence.start : e.sentence.end]
        for e in pipeline.evidence(question, vector, hits)
    ]


def test_with_a_score_weight_evidence_from_a_passage_far_behind_the_best_comes_later(corpus, tmp_path, embedder):
    from qa import EvidenceWeights

    build_index([corpus], tmp_path / "ix", embedder=embedder)
    # The sixth round's order, an option; a pipeline with the default order lives beside it.
    pipeline = Pipeline(
        tmp_path / "ix", reader=SentenceReader(), embedder=embedder, evidence=EvidenceWeights(passage_score=1.5)
    )
    question = "Who led the repair crew on the harbour bridge?"
    hits = pipeline.retrieve(question)
    crew = [h for h in hits if "Maria Olsen" in h.chunk.text]
    others = [h for h in hits if "Maria Olsen" not in h.chunk.text]
    assert crew and others
    level = [replace(h, score=1.0) for h in crew + others]
    trailing = [replace(h, score=0.0) for h in crew] + [replace(h, score=1.0) for h in others]
    assert "Maria Olsen" in _evidence_texts(pipeline, question, level)[0]
    assert not any("Maria Olsen" in t for t in _evidence_texts(pipeline, question, trailing)[: len(others)])


def test_heading_lines_rank_below_the_body_that_states_the_fact(pipeline):
    question = "Who was re-elected mayor in Dunmore?"
    texts = _evidence_texts(pipeline, question, pipeline.retrieve(question))
    assert "Mayor re-elected in Dunmore" in texts  # still evidence, but not first
    assert texts[0].startswith("Sarah Quinn won a second term")
