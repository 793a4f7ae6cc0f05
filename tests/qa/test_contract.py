import subprocess
import sys

import qa


def test_public_api_is_pinned():
    assert sorted(qa.__all__) == [
        "Answer",
        "ArticleFilter",
        "Citation",
        "CiteqaError",
        "CiteqaRetriever",
        "DEFAULT_TOP_K",
        "EmptyCorpusError",
        "Evidence",
        "ExtractiveReader",
        "Hit",
        "HybridRetriever",
        "IndexCorruptError",
        "IndexMismatchError",
        "IndexNotFoundError",
        "IngestError",
        "InvalidQuestionError",
        "LlamaReader",
        "MAX_QUESTION_CHARS",
        "ModelIntegrityError",
        "ModelNotAvailableError",
        "Pipeline",
        "Reader",
        "Reading",
        "SentenceReader",
        "answer",
        "default_index_dir",
        "ensure_default_index",
        "get_pipeline",
        "make_reader",
    ]
    for name in qa.__all__:
        assert getattr(qa, name) is not None


def test_import_qa_stays_cheap():
    code = "import sys, qa; print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', "
    code += "'llama_cpp', 'langchain_core', 'gradio') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_layers_point_one_way():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    for layer, forbidden in [("index", ("qa", "ui", "citeqa")), ("qa", ("ui", "citeqa"))]:
        for path in (root / layer).glob("*.py"):
            text = path.read_text()
            for other in forbidden:
                assert f"from {other}" not in text and f"import {other}" not in text, f"{path} imports {other}"
