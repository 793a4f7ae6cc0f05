"""citeqa's hybrid retriever as a LangChain ``BaseRetriever``.

>>> from qa.langchain_retriever import CiteqaRetriever
>>> docs = CiteqaRetriever(index_dir="/path/to/index").invoke("Who led the armed group?")  # doctest: +SKIP
>>> docs[0].metadata["start"], docs[0].metadata["end"]  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from qa.pipeline import get_pipeline
from qa.retrieve import DEFAULT_TOP_K


class CiteqaRetriever(BaseRetriever):
    """Dense + BM25 retrieval over a citeqa index, returning LangChain documents.

    Each document's ``page_content`` is the chunk text; ``metadata`` holds ``article_id``,
    ``title``, ``published`` (ISO date or None), ``start`` and ``end`` (character offsets into the
    article, half-open) and the scores.
    """

    index_dir: str | None = None
    top_k: int = DEFAULT_TOP_K

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        pipeline = get_pipeline(self.index_dir, "sentence")
        documents = []
        for hit in pipeline.retrieve(query, self.top_k):
            article = pipeline.article(hit.chunk.article_id)
            metadata: dict[str, Any] = {
                "article_id": article.id,
                "title": article.title,
                "published": article.published.isoformat() if article.published else None,
                "source": article.source,
                "start": hit.chunk.start,
                "end": hit.chunk.end,
                "score": hit.score,
                "dense_score": hit.dense,
                "bm25_score": hit.lexical,
            }
            documents.append(Document(page_content=hit.chunk.text, metadata=metadata))
        return documents
