"""Answer questions over indexed news articles, citing exact spans.

>>> from qa import answer
>>> answer("Who led the armed group?").text  # doctest: +SKIP
'Milan Radoičić'
"""

from qa.errors import (
    CiteqaError,
    EmptyCorpusError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    IngestError,
    InvalidQuestionError,
    ModelIntegrityError,
    ModelNotAvailableError,
)
from qa.pipeline import MAX_QUESTION_CHARS, Pipeline, answer, default_index_dir, ensure_default_index, get_pipeline
from qa.readers import ExtractiveReader, LlamaReader, Reader, Reading, SentenceReader, make_reader
from qa.retrieve import DEFAULT_TOP_K, HybridRetriever
from qa.types import Answer, ArticleFilter, Citation, Evidence, Hit

__all__ = [
    "DEFAULT_TOP_K",
    "MAX_QUESTION_CHARS",
    "Answer",
    "ArticleFilter",
    "Citation",
    "CiteqaError",
    "CiteqaRetriever",
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


def __getattr__(name: str) -> object:
    # LangChain is imported only by those who ask for the retriever, keeping `import qa` cheap.
    if name == "CiteqaRetriever":
        from qa.langchain_retriever import CiteqaRetriever

        return CiteqaRetriever
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
