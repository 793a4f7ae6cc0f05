"""Answer questions over indexed news articles, citing exact spans.

The public face of citeqa: the UI and the command line import from here only.

>>> from qa import answer
>>> answer("Who led the armed group?").text  # doctest: +SKIP
'Milan Radoičić'
"""

from typing import TYPE_CHECKING

from index.build import BuildReport, build_index
from index.embed import DEFAULT_EMBEDDING_MODEL, DEFAULT_INDEX_MODEL, ONNX_INT8_MODEL, ONNX_QINT8_MODEL, make_embedder
from index.sources import SUPPORTED_SUFFIXES, DumpFields, FetchSettings, ReadOptions
from index.stores import SearchSettings, Store, verify_index
from index.stores.milvus_build import MigrateReport, build_milvus, migrate_to_milvus
from index.stores.milvus_schema import MilvusLocation, parse_location
from qa.abstention import AbstentionPolicy
from qa.api import answer, get_pipeline
from qa.config import EvidenceWeights
from qa.errors import (
    CiteqaError,
    EmptyCorpusError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    IngestError,
    InvalidQuestionError,
    LLMServerError,
    ModelIntegrityError,
    ModelNotAvailableError,
)
from qa.faq import PRECOMPUTE_MAX_ARTICLES as FAQ_PRECOMPUTE_MAX_ARTICLES
from qa.faq import FaqError, FaqItem, faq, faq_markdown
from qa.feedback import feedback_path, record_feedback
from qa.llm import ChatLLM, ServerChatModel
from qa.llm.server import APIS as LLM_APIS
from qa.pipeline import Pipeline
from qa.questions import MAX_QUESTION_CHARS
from qa.readers import (
    DEFAULT_READER,
    READER_CHOICES,
    ExtractiveReader,
    LlamaReader,
    Reader,
    Reading,
    SentenceReader,
    make_reader,
)
from qa.retrieve import DEFAULT_TOP_K, HybridRetriever
from qa.seeds import default_index_dir, ensure_default_index
from qa.support import SupportModel, SupportSignals
from qa.types import KINDS, Answer, AnswerPart, ArticleFilter, Citation, Evidence, Hit, Passage, StoryVersion, TimeScope

if TYPE_CHECKING:
    from qa.langchain_retriever import CiteqaRetriever

__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "DEFAULT_INDEX_MODEL",
    "DEFAULT_READER",
    "DEFAULT_TOP_K",
    "FAQ_PRECOMPUTE_MAX_ARTICLES",
    "KINDS",
    "LLM_APIS",
    "MAX_QUESTION_CHARS",
    "ONNX_INT8_MODEL",
    "ONNX_QINT8_MODEL",
    "READER_CHOICES",
    "SUPPORTED_SUFFIXES",
    "AbstentionPolicy",
    "Answer",
    "AnswerPart",
    "ArticleFilter",
    "BuildReport",
    "ChatLLM",
    "Citation",
    "CiteqaError",
    "CiteqaRetriever",
    "DumpFields",
    "EmptyCorpusError",
    "Evidence",
    "EvidenceWeights",
    "ExtractiveReader",
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
    "LLMServerError",
    "LlamaReader",
    "MigrateReport",
    "MilvusLocation",
    "ModelIntegrityError",
    "ModelNotAvailableError",
    "Passage",
    "Pipeline",
    "ReadOptions",
    "Reader",
    "Reading",
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


def __getattr__(name: str) -> object:
    # LangChain is imported only by those who ask for the retriever, keeping `import qa` cheap.
    if name == "CiteqaRetriever":
        from qa.langchain_retriever import CiteqaRetriever

        return CiteqaRetriever
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
