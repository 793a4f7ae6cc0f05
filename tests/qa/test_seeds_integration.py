"""The real pipeline on seeds/: MiniLM embeddings, FAISS + BM25, Qwen2.5-1.5B via llama.cpp."""

import pytest

from qa import answer
from qa.readers import LLM_SUPPORT

pytestmark = pytest.mark.models

ANSWERABLE = [
    ("Who led the armed group?", "Milan Radoičić", "The armed group was led by Milan Radoičić"),
    ("Who is Germany's ambassador to the US?", "Andreas Michaelis", "Germany’s ambassador to the US"),
    ("What party is Milan Radoičić the deputy leader of?", "Serb List", "the deputy leader of Serb List"),
    ("Who did Blinken speak with?", "President Vučić", "During his conversation with President Vučić"),
    ("Who took responsibility for the shootout?", "Radoičić", "has taken responsibility for the shootout"),
    ("What did Vučić allege?", "brutal ethnic cleansing", "allegations of “brutal ethnic cleansing”"),
]
UNANSWERABLE = [
    "What is the capital of Australia?",
    "Who won the 2022 World Cup?",
    "When did the Serbian army invade Kosovo?",
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    from index import build_index
    from tests.conftest import SEEDS

    directory = tmp_path_factory.mktemp("seeds-index")
    build_index([SEEDS], directory)
    return directory


def check_citations(result, index_dir):
    from qa import get_pipeline

    pipeline = get_pipeline(index_dir)
    for citation in result.citations:
        article = pipeline.article(citation.article_id)
        assert article.text[citation.start : citation.end] == citation.quote
        assert citation.start >= article.body_start
        assert citation.start <= citation.answer_start < citation.answer_end <= citation.end
        assert article.text[citation.answer_start : citation.answer_end] == result.text
        assert citation.published.isoformat() == "2023-11-14"


@pytest.mark.parametrize(("question", "expected", "evidence"), ANSWERABLE)
def test_seed_questions_are_answered_with_the_right_span(index_dir, question, expected, evidence):
    result = answer(question, index_dir=index_dir)
    assert result.text == expected, result
    assert evidence in result.citations[0].quote
    assert LLM_SUPPORT.threshold <= result.score <= 1.0  # the support check let it through
    check_citations(result, index_dir)


def test_why_question_cites_the_withdrawal_paragraph(index_dir):
    result = answer("Why did Serbia pull troops back?", index_dir=index_dir)
    assert not result.abstained, result
    assert result.kind == "explanation"
    citation = result.citations[0]
    assert "withdraw" in citation.quote or "pulled back" in citation.quote
    # An explanation shows its whole sentence, with the reason (the short answer) highlighted inside it.
    assert result.parts[0].text == citation.quote
    assert any(w in result.text for w in ("warnings", "counterproductive", "war", "concerns")), result.text
    check_citations(result, index_dir)


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_questions_the_article_does_not_answer_are_abstained_on(index_dir, question):
    result = answer(question, index_dir=index_dir)
    assert result.abstained and result.citations == (), result
    assert result.reason


def test_default_index_is_built_from_seeds_when_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("CITEQA_INDEX_DIR", str(tmp_path / "default"))
    result = answer("Who led the armed group?", reader="sentence")
    assert (tmp_path / "default" / "CURRENT").is_file()
    assert "Milan Radoičić" in result.citations[0].quote


def test_langchain_retriever_returns_documents_with_offsets(index_dir):
    from qa import CiteqaRetriever, get_pipeline

    docs = CiteqaRetriever(index_dir=str(index_dir), top_k=2).invoke("Who led the armed group?")
    assert len(docs) == 2
    article = get_pipeline(index_dir).article(docs[0].metadata["article_id"])
    assert any("Milan Radoičić" in d.page_content for d in docs)
    for d in docs:
        assert article.text[d.metadata["start"] : d.metadata["end"]] == d.page_content
        assert d.metadata["published"] == "2023-11-14"


def test_a_prompt_layout_puts_the_question_where_it_says(index_dir):
    from qa.pipeline import Pipeline
    from qa.readers import LlamaReader

    reader = LlamaReader(layout="question-both")
    prompts = []
    chat = reader.chat_model.chat

    def spy(system, turns, prompt, **kwargs):
        prompts.append((turns, prompt))
        return chat(system, turns, prompt, **kwargs)

    reader.chat_model.chat = spy
    result = Pipeline(index_dir, reader=reader).answer("Who led the armed group?")
    assert result.text == "Milan Radoičić", result
    turns, prompt = prompts[0]
    assert prompt.startswith("Question: Who led the armed group?\n\nPassages:\n")
    assert prompt.endswith("\n\nQuestion: Who led the armed group?")
    assert "Radoičić" in prompt.split("Passages:\n", 1)[1]
    # The worked examples are shown in the same layout.
    assert all(example.startswith("Question: ") and example.count("Question: ") == 2 for example, _ in turns)


def test_an_unknown_prompt_layout_is_refused():
    from qa.readers import LlamaReader

    with pytest.raises(ValueError, match="unknown prompt layout 'sideways'; valid: passages-first"):
        LlamaReader(layout="sideways")
