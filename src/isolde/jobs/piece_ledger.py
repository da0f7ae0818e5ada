"""The job store's side of a job sent in pieces: each piece in the job's record, each finished
piece's output kept beside the record until the job is done.

A record's `pieces` is a list of {"key", "state", "submission", "file", "role", "sample_rate",
"endpoint", "request_id", "cost_usd", "details"}; `providers.pieces` says what the states mean
and when they are written. Every change is saved (atomically, fsynced) before it returns, so the
store alone tells a restarted Isolde which pieces to keep, fetch, send, or report as unknown.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from isolde.core.errors import ProviderError
from isolde.core.progress import CancelToken
from isolde.jobs.record import JobRecord
from isolde.providers.base import EventFn, Provider, ProviderResult
from isolde.providers.errors import JobFailedError
from isolde.providers.pieces import DONE, PENDING, SENDING, SUBMITTED, PieceState, recording
from isolde.providers.submission import Submission


class JobPieces:
    """A `providers.pieces.PieceLedger` over one job's record (`get`/`put` read and save it)."""

    def __init__(
        self,
        get: Callable[[], JobRecord],
        put: Callable[[JobRecord], object],
        provider: Provider,
        folder: Path,
    ) -> None:
        self._get, self._put = get, put
        self.provider = provider
        self.folder = Path(folder)

    # -- reading ------------------------------------------------------------------------------
    def _find(self, key: str) -> Mapping[str, Any]:
        for piece in self._get().pieces:
            if piece.get("key") == key:
                return piece
        return {"key": key, "state": PENDING}

    def state(self, key: str) -> PieceState:
        piece = self._find(key)
        state = str(piece.get("state", PENDING))
        submission = Submission.from_json(piece["submission"]) if piece.get("submission") else None
        if state == DONE:
            kept = self.folder / str(piece.get("file", ""))
            if piece.get("file") and kept.is_file():
                return PieceState(DONE, submission, _kept_result(piece, kept))
            if submission is not None:
                return PieceState(SUBMITTED, submission)  # the kept copy is gone: fetch again
            raise ProviderError(
                f"piece {key} of this job came back, but its kept output ({kept}) is gone and "
                "the engine cannot be asked for it again; retry the job as a new one"
            )
        if state == SUBMITTED and submission is not None:
            return PieceState(SUBMITTED, submission)
        return PieceState(SENDING if state == SENDING else PENDING)

    # -- writing ------------------------------------------------------------------------------
    def _update(self, key: str, **changes: Any) -> None:
        record = self._get()
        pieces = [dict(p) for p in record.pieces]
        for piece in pieces:
            if piece.get("key") == key:
                piece.update(changes)
                break
        else:
            pieces.append({"key": key, "state": PENDING, **changes})
        self._put(replace(record, pieces=tuple(pieces)))

    def begin(self, keys: list[str]) -> None:
        record = self._get()
        known = {p.get("key") for p in record.pieces}
        new = [{"key": k, "state": PENDING} for k in keys if k not in known]
        if new:
            self._put(replace(record, pieces=(*record.pieces, *new)))

    def sending(self, key: str) -> None:
        self._update(key, state=SENDING)

    def submitted(self, key: str, submission: Submission) -> None:
        self._update(key, state=SUBMITTED, submission=submission.to_json())

    def resume(
        self,
        key: str,
        submission: Submission,
        work_dir: Path,
        on_event: EventFn,
        cancel: CancelToken | None,
    ) -> ProviderResult:
        for event in self.provider.watch(submission, cancel=cancel):
            if event.state == "failed":
                raise JobFailedError(
                    f"{self.provider.title}: piece {key} ({submission.request_id}) failed: "
                    f"{event.message}",
                    reason=event.message,
                )
            if event.state != "done":
                on_event(event)
        return self.provider.fetch(submission, work_dir, on_event=on_event, cancel=cancel)

    def finished(self, key: str, result: ProviderResult, role: str) -> ProviderResult:
        produced = Path(result.files[role])
        kept = self.folder / f"piece-{key}{produced.suffix}"
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(f".{kept.name}.part")
        shutil.copyfile(produced, partial)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, kept)
        self._update(
            key,
            state=DONE,
            file=kept.name,
            role=role,
            sample_rate=result.sample_rate,
            endpoint=result.endpoint,
            request_id=result.provider_request_id,
            cost_usd=result.cost_usd,
            details=_plain(dict(result.details)),
        )
        return _kept_result(self._find(key), kept)


@contextlib.contextmanager
def recording_pieces(
    get: Callable[[], JobRecord],
    put: Callable[[JobRecord], object],
    provider: Provider,
    folder: Path,
) -> Iterator[None]:
    """A cloud job's pieces are recorded while the block runs (see `providers.pieces`)."""
    if provider.capabilities.key_env is None:
        yield  # this machine's engine: nothing billed, nothing to keep
        return
    with recording(JobPieces(get, put, provider, folder)):
        yield


def _kept_result(piece: Mapping[str, Any], kept: Path) -> ProviderResult:
    return ProviderResult(
        files={str(piece.get("role", "target")): kept},
        sample_rate=int(piece.get("sample_rate") or 0),
        endpoint=str(piece.get("endpoint", "")),
        provider_request_id=piece.get("request_id"),
        cost_usd=piece.get("cost_usd"),
        details=dict(piece.get("details") or {}),
    )


def _plain(value: Any) -> Any:
    """Engine details as plain JSON values (anything else as its text)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def describe(record: JobRecord) -> str:
    """Where a multi-piece job stands, for messages: "pieces 1, 2 kept; piece 3 unknown"."""
    groups: dict[str, list[str]] = {}
    for piece in record.pieces:
        groups.setdefault(str(piece.get("state")), []).append(str(piece.get("key")))
    words = {DONE: "kept", SUBMITTED: "at the provider", SENDING: "unknown", PENDING: "not sent"}
    parts = []
    for state in (DONE, SUBMITTED, SENDING, PENDING):
        keys = groups.get(state)
        if keys:
            parts.append(
                f"{'piece' if len(keys) == 1 else 'pieces'} {', '.join(keys)} {words[state]}"
            )
    return "; ".join(parts)
