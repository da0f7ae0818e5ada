"""Per-piece records of a job sent in pieces: written in the job's record, read back after a
restart, and what they make a resume do (keep, fetch, send, or report unknown)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.core.errors import ProviderError
from isolde.core.spans import Span
from isolde.jobs.piece_ledger import JobPieces, describe
from isolde.jobs.record import JobRecord
from isolde.jobs.resumption import resume_plan, same_job
from isolde.jobs.store import JobStore
from isolde.providers.base import ProviderResult, Request, RequestKind
from isolde.providers.fal import FalProvider
from isolde.providers.submission import Submission


def _submission(rid: str) -> Submission:
    return Submission("fal", "fal-ai/sam-audio/separate", rid, f"http://x/{rid}/status", "http://x")


def _ledger(tmp_path: Path) -> tuple[JobPieces, JobStore, str]:
    store = JobStore(tmp_path / "jobs")
    request = Request(RequestKind.TEXT, str(tmp_path / "in.wav"), prompt="hiss")
    record = JobRecord("j1", "fal", "text", request.to_json(), str(tmp_path / "out"), "wav")
    store.put(record)

    def get() -> JobRecord:
        found = store.get("j1")
        assert found is not None
        return found

    return JobPieces(get, store.put, FalProvider(), store.pieces_dir("j1")), store, "j1"


def test_pieces_are_written_down_and_read_back_after_a_restart(tmp_path: Path) -> None:
    ledger, store, job = _ledger(tmp_path)
    ledger.begin(["1", "2", "3"])
    ledger.begin(["1", "2", "3"])  # a resumed run plans the same pieces: nothing changes
    ledger.sending("1")
    ledger.submitted("1", _submission("r1"))
    produced = tmp_path / "target.wav"
    sf.write(produced, np.zeros((480, 1), np.float32), 48_000)
    result = ProviderResult({"target": produced}, 48_000, "fal-ai/x", "r1", 0.05, {"a": (1, 2)})
    kept = ledger.finished("1", result, "target")
    produced.unlink()  # the work folder goes; the kept copy stays
    assert kept.files["target"].is_file() and kept.provider_request_id == "r1"
    ledger.sending("2")
    record = store.get(job)
    assert record is not None
    assert [p["state"] for p in record.pieces] == ["done", "sending", "pending"]
    assert record.pieces[0]["details"] == {"a": [1, 2]}
    assert ledger.state("1").kept is not None and ledger.state("3").state == "pending"
    assert describe(record) == "piece 1 kept; piece 2 unknown; piece 3 not sent"
    assert resume_plan(record, FalProvider()) == "unknown"  # piece 2 may exist: never re-sent
    ledger.submitted("2", _submission("r2"))
    record = store.get(job)
    assert record is not None and resume_plan(record, FalProvider()) == "start"
    second = ledger.state("2")
    assert second.state == "submitted" and second.submission is not None
    assert second.submission.request_id == "r2"  # resume watches and fetches it


def test_a_lost_kept_piece_is_fetched_again_or_reported_never_resent(tmp_path: Path) -> None:
    ledger, store, _ = _ledger(tmp_path)
    produced = tmp_path / "target.wav"
    sf.write(produced, np.zeros((480, 1), np.float32), 48_000)
    result = ProviderResult({"target": produced}, 48_000, "fal-ai/x", "r1")
    ledger.submitted("1", _submission("r1"))
    ledger.finished("1", result, "target")
    ledger.finished("2", result, "target")  # a synchronous engine's piece: no submission
    for kept in store.pieces_dir("j1").iterdir():
        kept.unlink()
    assert ledger.state("1").state == "submitted"  # fetch it again from the engine
    with pytest.raises(ProviderError, match="retry the job"):
        ledger.state("2")


def test_the_same_command_is_recognised_whatever_its_span_ids(tmp_path: Path) -> None:
    def request() -> Request:  # spans get new ids on every run
        return Request(RequestKind.SPANS, "/m.wav", spans=(Span(1.0, 2.0, True),))

    out = tmp_path / "out"
    record = JobRecord("j", "fal", "spans", request().to_json(), str(out), "wav", state="queued")
    assert same_job([record], "fal", request(), out, "wav") is record
    assert same_job([record], "fal", request(), tmp_path / "other", "wav") is None
    assert same_job([record], "fal", request(), out, "flac") is None
    assert same_job([replace(record, state="failed")], "fal", request(), out, "wav") is None
    assert same_job([replace(record, state="unknown")], "fal", request(), out, "wav") is not None
