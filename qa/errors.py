"""Exceptions raised by qa; the index package's errors are re-exported so callers need one import."""

from index.errors import (
    CiteqaError,
    EmptyCorpusError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    IngestError,
    ModelNotAvailableError,
)


class InvalidQuestionError(CiteqaError, ValueError):
    """The question is empty, whitespace or too long."""


class ModelIntegrityError(CiteqaError):
    """An assembled model file does not match its pinned size or sha256."""


class LLMServerError(CiteqaError):
    """The LLM server is down, timed out, broke off an answer, refused a request or has no model
    by the name asked for."""


__all__ = [
    "CiteqaError",
    "EmptyCorpusError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IngestError",
    "InvalidQuestionError",
    "LLMServerError",
    "ModelIntegrityError",
    "ModelNotAvailableError",
]
