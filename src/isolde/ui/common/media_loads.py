"""Background loads of media that hold files open: dropping one that is no longer wanted. No Qt."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Protocol

from isolde.core.progress import CancelToken


class Closable(Protocol):
    def close(self) -> None: ...


def drop_load(future: Future[Closable], token: CancelToken) -> None:
    """Cancel a load and close whatever it opened, once it stops."""
    token.cancel()
    future.add_done_callback(close_result)


def close_result(future: Future[Closable]) -> None:
    if future.cancelled() or future.exception() is not None:
        return
    future.result().close()
