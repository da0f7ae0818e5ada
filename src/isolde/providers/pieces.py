"""Where a job sent in several pieces (chunks of a long file, a selection) keeps its pieces.

`assembly.run_windows` sends pieces one at a time. When the job runner has installed a ledger
(`recording`), each piece is written down before its billed request leaves ("sending"), with its
submission once the engine answers ("submitted"), and with its output kept on disk once it is
back ("done"). A run after a crash asks the ledger first: a done piece is read from disk, a
submitted one is watched and fetched, a pending one is sent, and a piece still "sending" — it may
exist remotely without us knowing its id — is never sent again (SubmissionUnknownError).

The ledger is passed down as a context variable, so engines and the selection code need no
extra argument. Keys name pieces: "2" is the second window; a window that is itself split
(a long selection on a chunking engine) has pieces "2.1", "2.2", … No Qt, no job store here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from isolde.core.progress import CancelToken
from isolde.providers.base import EventFn, ProviderResult
from isolde.providers.submission import Submission

PENDING, SENDING, SUBMITTED, DONE = "pending", "sending", "submitted", "done"


@dataclass(frozen=True)
class PieceState:
    state: str  # PENDING, SENDING, SUBMITTED or DONE
    submission: Submission | None = None  # SUBMITTED: the remote job to watch and fetch
    kept: ProviderResult | None = None  # DONE: the piece's output as kept on disk


class PieceLedger(Protocol):
    def begin(self, keys: list[str]) -> None:
        """Write these pieces down (pending) unless they already are."""

    def state(self, key: str) -> PieceState: ...

    def sending(self, key: str) -> None:
        """Durable before the piece's billed request leaves the machine."""

    def submitted(self, key: str, submission: Submission) -> None:
        """Durable before anything else happens to the remote job."""

    def resume(
        self,
        key: str,
        submission: Submission,
        work_dir: Path,
        on_event: EventFn,
        cancel: CancelToken | None,
    ) -> ProviderResult:
        """Watch a piece's remote job to its end and fetch its result into `work_dir`."""

    def finished(self, key: str, result: ProviderResult, role: str) -> ProviderResult:
        """Keep the piece's `role` output on disk, mark it done; the result as kept."""


_scope: ContextVar[tuple[PieceLedger, str] | None] = ContextVar("isolde_pieces", default=None)


@contextmanager
def recording(ledger: PieceLedger) -> Iterator[None]:
    """Pieces sent by the code run inside this block are written down in `ledger`."""
    token = _scope.set((ledger, ""))
    try:
        yield
    finally:
        _scope.reset(token)


def current() -> tuple[PieceLedger, str] | None:
    """The installed ledger and the key prefix for pieces started here (None: not recording)."""
    return _scope.get()


@contextmanager
def inside(key: str) -> Iterator[None]:
    """While piece `key` runs: pieces it is split into are keyed `key.1`, `key.2`, …"""
    scope = _scope.get()
    if scope is None:
        yield
        return
    token = _scope.set((scope[0], f"{key}."))
    try:
        yield
    finally:
        _scope.reset(token)


def running(key: str) -> bool:
    """True when the innermost piece running on this thread is `key` (not one of its parts)."""
    scope = _scope.get()
    return scope is not None and scope[1] == f"{key}."
