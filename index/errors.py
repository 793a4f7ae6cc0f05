"""Exceptions raised by the index package; all derive from :class:`CiteqaError`."""


class CiteqaError(Exception):
    """Base class of every error citeqa raises on purpose."""


class IngestError(CiteqaError):
    """A file could not be read as an article (binary, undecodable, empty, unsupported)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class EmptyCorpusError(CiteqaError):
    """Indexing was asked for, but no article could be read."""


class IndexNotFoundError(CiteqaError):
    """No index exists at the given location."""


class StoreUnreachableError(IndexNotFoundError):
    """The Milvus server (or Lite file) named by a store location cannot be reached or opened."""


class IndexCorruptError(CiteqaError):
    """An index exists but cannot be read (damaged files, unknown format version)."""


class IndexMismatchError(CiteqaError):
    """An index was built with settings (embedding model, dimension) other than the ones asked for."""


class ModelNotAvailableError(CiteqaError):
    """A model is neither on disk nor in an installed package, and downloading is not allowed."""
