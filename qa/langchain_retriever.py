"""citeqa's hybrid retriever as a LangChain ``BaseRetriever``.

>>> from qa.langchain_retriever import CiteqaRetriever
>>> retriever = CiteqaRetriever(index_dir="/path/to/index", k=3)
>>> docs = retriever.invoke("Who led the armed group?")  # doctest: +SKIP
>>> docs[0].metadata["start"], docs[0].metadata["end"]  # doctest: +SKIP
>>> retriever.invoke("Who led the armed group?", k=1)  # doctest: +SKIP
>>> CiteqaRetriever(store="milvus:./archive.db").invoke("Who led the armed group?")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables.config import run_in_executor
from pydantic import field_validator, model_validator

from index.stores.milvus_schema import parse_location
from qa import DEFAULT_TOP_K, get_pipeline


def _check_k(k: object) -> int:
    # bool is an int subclass, and pydantic's lax mode would turn "3" or 2.0 into 3 or 2: refuse
    # them here, so a typo'd k is an error rather than a silently different number of documents.
    if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
        raise ValueError(f"k must be an int greater than 0, got {k!r}")
    return k


class CiteqaRetriever(BaseRetriever):
    """Dense + BM25 retrieval over a citeqa index, returning LangChain documents.

    Each document's ``page_content`` is the chunk text; ``metadata`` holds ``article_id``,
    ``title``, ``published`` (ISO date or None), ``source``, ``start`` and ``end`` (character
    offsets into the article, half-open) and the scores (``score``, ``dense_score``,
    ``bm25_score``).

    Attributes:
        index_dir: Index folder; None (and no ``store``) uses the index of ``seeds/``, built when
            missing or stale.
        store: A Milvus store instead of an index folder: ``"milvus:./archive.db"`` (Milvus Lite)
            or ``"http://host:19530"`` (a server; token from ``$CITEQA_MILVUS_TOKEN``), the one
            ``citeqa index --store`` writes.
        k: Documents returned per query. ``k`` is the name every LangChain retriever uses (and
            LangChain's standard retriever tests check); ``top_k``, citeqa's own name, is accepted
            by the constructor as an alias. ``invoke(query, k=...)`` overrides it for one call.
    """

    index_dir: str | None = None
    store: str | None = None
    k: int = DEFAULT_TOP_K

    @model_validator(mode="before")
    @classmethod
    def _top_k_alias(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "top_k" not in data:
            return data
        data = dict(data)
        top_k = data.pop("top_k")
        # Silently preferring one of two different counts would hide a caller's mistake.
        if "k" in data and data["k"] != top_k:
            raise ValueError(f"k and top_k name the same setting; got k={data['k']!r} and top_k={top_k!r}")
        data["k"] = top_k
        return data

    @model_validator(mode="after")
    def _one_place(self) -> CiteqaRetriever:
        if self.index_dir is not None and self.store is not None:
            raise ValueError(f"give index_dir or store, not both (got {self.index_dir!r} and {self.store!r})")
        if self.store is not None:
            parse_location(self.store)  # a malformed store is an error here, not at the first query
        return self

    @field_validator("k", mode="before")
    @classmethod
    def _valid_k(cls, k: object) -> int:
        return _check_k(k)

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        # BaseRetriever.invoke hands every extra keyword through; an unknown one (top_n=...) must
        # not be ignored the way k used to be. "verbose" is one invoke itself reads and passes on.
        unexpected = sorted(set(kwargs) - {"verbose"})
        if unexpected:
            raise TypeError(f"CiteqaRetriever.invoke() got unexpected keyword arguments {unexpected}; it takes k")
        top_k = self.k if k is None else _check_k(k)
        pipeline = get_pipeline(self.index_dir, "sentence", store=self.store)
        documents = []
        for hit in pipeline.retrieve(query, top_k):
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

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        **kwargs: Any,
    ) -> list[Document]:
        # BaseRetriever's default drops the extra keywords ainvoke passes, so ainvoke(query, k=3)
        # would fail; forward them to the sync path.
        return await run_in_executor(
            None, self._get_relevant_documents, query, run_manager=run_manager.get_sync(), **kwargs
        )
