import subprocess
import sys

import qa


def test_public_api_is_pinned():
    assert sorted(qa.__all__) == [
        "AbstentionPolicy",
        "Answer",
        "AnswerPart",
        "ArticleFilter",
        "BuildReport",
        "ChatLLM",
        "Citation",
        "CiteqaError",
        "CiteqaRetriever",
        "DEFAULT_EMBEDDING_MODEL",
        "DEFAULT_INDEX_MODEL",
        "DEFAULT_READER",
        "DEFAULT_TOP_K",
        "DumpFields",
        "EmptyCorpusError",
        "Evidence",
        "EvidenceWeights",
        "ExtractiveReader",
        "FAQ_PRECOMPUTE_MAX_ARTICLES",
        "FaqError",
        "FaqItem",
        "FetchSettings",
        "Hit",
        "HybridRetriever",
        "IndexCorruptError",
        "IndexMismatchError",
        "IndexNotFoundError",
        "IngestError",
        "InvalidQuestionError",
        "KINDS",
        "LLMServerError",
        "LLM_APIS",
        "LlamaReader",
        "MAX_QUESTION_CHARS",
        "MigrateReport",
        "MilvusLocation",
        "ModelIntegrityError",
        "ModelNotAvailableError",
        "ONNX_INT8_MODEL",
        "ONNX_QINT8_MODEL",
        "Passage",
        "Pipeline",
        "READER_CHOICES",
        "ReadOptions",
        "Reader",
        "Reading",
        "SUPPORTED_SUFFIXES",
        "SearchSettings",
        "SentenceReader",
        "ServerChatModel",
        "Store",
        "StoryVersion",
        "SupportModel",
        "SupportSignals",
        "TimeScope",
        "answer",
        "build_index",
        "build_milvus",
        "default_index_dir",
        "ensure_default_index",
        "faq",
        "faq_markdown",
        "feedback_path",
        "get_pipeline",
        "make_embedder",
        "make_reader",
        "migrate_to_milvus",
        "parse_location",
        "record_feedback",
        "verify_index",
    ]
    for name in qa.__all__:
        assert getattr(qa, name) is not None


def test_import_qa_stays_cheap():
    code = "import sys, qa; print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', "
    code += "'llama_cpp', 'langchain_core', 'gradio', 'httpx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
