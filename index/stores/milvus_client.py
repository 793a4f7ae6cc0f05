"""A ``MilvusClient`` that tells a lost server from any other failure."""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from index.errors import StoreUnreachableError


def unreachable(where: object, why: str) -> str:
    """The message for a store that cannot be reached: where, why, and what to do."""
    return f"cannot reach the Milvus store at {where}: {why}; start the server or check the URI"


class ReachableClient:
    """Passes every call to a ``MilvusClient``; a lost server is a :class:`StoreUnreachableError`.

    pymilvus finds a server gone only on the next call, as a gRPC trace. Once lost, the client is
    closed and every later call fails at once with the same error: whoever holds it opens the store
    again, on a new connection, which reaches the server when it is back.
    """

    __slots__ = ("_client", "_lost", "_where")

    def __init__(self, client: Any, where: object) -> None:
        self._client, self._where, self._lost = client, where, ""

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr
        return functools.partial(self._checked, attr)

    def _checked(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        from pymilvus import MilvusException, MilvusUnavailableException
        from pymilvus.client.types import Status

        if self._lost:
            raise StoreUnreachableError(self._lost)
        try:
            return method(*args, **kwargs)
        except MilvusException as err:
            if err.code != Status.CONNECT_FAILED and not isinstance(err, MilvusUnavailableException):
                raise
            self._lost = unreachable(self._where, err.message)
            with contextlib.suppress(Exception):
                self._client.close()
            raise StoreUnreachableError(self._lost) from None
