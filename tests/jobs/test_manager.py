"""The job manager: worker threads, the durable store, resume after a restart, cancel, retry."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fakecloud.faults import Faults
from fakecloud.testing import fast, start_cloud
from isolde.core.spans import Span
from isolde.jobs.manager import JobManager
from isolde.jobs.record import JobRecord
from isolde.jobs.store import JobStore
from isolde.providers.base import Request, RequestKind
from isolde.providers.registry import get_provider


def _fast_provider(name: str):  # type: ignore[no-untyped-def]
    provider = get_provider(name)
    return provider if name == "local" else fast(provider)


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    path = tmp_path / "in.wav"
    sf.write(path, (rng.standard_normal((48_000 * 3, 1)) * 0.1).astype(np.float32), 48_000)
    return path


def _manager(tmp_path: Path, seen: list[JobRecord] | None = None) -> JobManager:
    return JobManager(
        JobStore(tmp_path / "jobs"),
        providers=_fast_provider,
        on_update=seen.append if seen is not None else None,
    )


def _fal_record(tmp_path: Path, wav: Path, job_id: str, state: str, **extra) -> JobRecord:  # type: ignore[no-untyped-def]
    """A text job for fal as a process that crashed in `state` left it in the store."""
    fields = {"output_format": "wav", **extra}
    return JobRecord(
        id=job_id,
        provider="fal",
        kind="text",
        request=_text(wav).to_json(),
        out_dir=str(tmp_path / "take"),
        state=state,
        **fields,
    )


def _text(wav: Path) -> Request:
    return Request(RequestKind.TEXT, str(wav), prompt="the dog barking")


def test_a_local_job_runs_to_a_stored_take(tmp_path: Path, wav: Path) -> None:
    seen: list[JobRecord] = []
    manager = _manager(tmp_path, seen)
    request = Request(RequestKind.SPANS, str(wav), spans=(Span(0, 1, include=False),))
    job = manager.submit("local", request, tmp_path / "take1")
    assert manager.wait(job.id, timeout=30)
    done = manager.get(job.id)
    assert done is not None and done.state == "done", done
    assert Path(done.take_file).exists()
    assert seen[0].state == "pending" and seen[-1].state == "done"
    on_disk = json.loads((tmp_path / "jobs" / f"{job.id}.json").read_text())
    assert on_disk["state"] == "done" and on_disk["take_file"] == done.take_file


def test_every_phase_an_engine_names_reaches_the_listeners(tmp_path: Path, wav: Path) -> None:
    """Progress is throttled, but a new phase is not dropped: it may be all the user sees of a
    long stretch of work that reports nothing else."""
    seen: list[JobRecord] = []
    manager = _manager(tmp_path, seen)
    spans = (Span(0, 1, include=False),)
    request = Request(RequestKind.SPANS, str(wav), spans=spans, options={"method": "spectral"})
    job = manager.submit("local", request, tmp_path / "take1")
    assert manager.wait(job.id, timeout=30)
    phases = [r.message for r in seen if r.active]
    shown = [m for i, m in enumerate(phases) if m and (i == 0 or phases[i - 1] != m)]
    assert shown == [
        "choosing the method",
        "looking for mains hum",
        "measuring the background",
        "separating",
    ]


def test_a_fal_job_records_its_submission_before_finishing(
    tmp_path: Path, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = start_cloud(monkeypatch)
    try:
        manager = _manager(tmp_path)
        job = manager.submit("fal", _text(wav), tmp_path / "take")
        assert manager.wait(job.id, timeout=30)
        done = manager.get(job.id)
        assert done.state == "done", done.message
        assert done.request_id and done.submission["provider"] == "fal"
        assert "loading the model" in done.logs
        assert len(cloud.hits_to("sam-audio/separate", "POST")) == 1
    finally:
        cloud.stop()


def test_resume_after_a_crash_fetches_without_resubmitting(
    tmp_path: Path, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = start_cloud(monkeypatch)
    try:
        # the "crashed" process got as far as a real submit and wrote it down
        provider = fast(get_provider("fal"))
        submission = provider.submit(_text(wav), tmp_path / "work")
        store = JobStore(tmp_path / "jobs")
        store.put(
            _fal_record(
                tmp_path,
                wav,
                "crashed1",
                "queued",
                output_format="flac",
                submission=submission.to_json(),
            )
        )
        manager = JobManager(store, providers=_fast_provider)
        assert [r.id for r in manager.resume()] == ["crashed1"]
        assert manager.wait("crashed1", timeout=30)
        done = manager.get("crashed1")
        assert done.state == "done", done.message
        assert (tmp_path / "take" / "target.flac").exists()
        assert len(cloud.hits_to("sam-audio/separate", "POST")) == 1  # never sent twice
    finally:
        cloud.stop()


def test_a_submit_cut_off_by_a_crash_becomes_unknown_and_is_not_resent(
    tmp_path: Path, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = start_cloud(monkeypatch)
    try:
        store = JobStore(tmp_path / "jobs")
        store.put(_fal_record(tmp_path, wav, "lost1", "submitting"))
        manager = JobManager(store, providers=_fast_provider)
        assert manager.resume() == []
        record = store.get("lost1")
        assert record.state == "unknown" and "not sent again" in record.message
        assert cloud.hits_to("sam-audio", "POST") == []
    finally:
        cloud.stop()


def test_pending_and_local_jobs_start_again_after_a_crash(tmp_path: Path, wav: Path) -> None:
    store = JobStore(tmp_path / "jobs")
    request = Request(RequestKind.SPANS, str(wav), spans=(Span(0, 1, include=False),))
    for job_id, state in (("p1", "pending"), ("r1", "running")):
        store.put(
            JobRecord(
                id=job_id,
                provider="local",
                kind="spans",
                request=request.to_json(),
                out_dir=str(tmp_path / job_id),
                output_format="wav",
                state=state,
            )
        )
    manager = JobManager(store, providers=_fast_provider)
    assert sorted(r.id for r in manager.resume()) == ["p1", "r1"]
    assert manager.wait(timeout=30)
    assert {store.get("p1").state, store.get("r1").state} == {"done"}


def test_cancel_while_queued_reaches_the_provider(
    tmp_path: Path, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = start_cloud(monkeypatch, faults=Faults(step_s=0.2, queue_positions=[5, 4, 3, 2, 1]))
    try:
        seen: list[JobRecord] = []
        manager = _manager(tmp_path, seen)
        job = manager.submit("fal", _text(wav), tmp_path / "take")
        for _ in range(300):
            if any(r.state == "queued" for r in seen):
                break
            manager.wait(job.id, timeout=0.02)
        manager.cancel(job.id)
        assert manager.wait(job.id, timeout=30)
        assert manager.get(job.id).state == "cancelled"
        assert cloud.hits_to("/cancel", "PUT")
        assert not (tmp_path / "take" / "take.json").exists()
    finally:
        cloud.stop()


def test_a_failed_job_says_why_and_can_be_retried(
    tmp_path: Path, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = start_cloud(monkeypatch, faults=Faults(step_s=0.002, job_fails="CUDA out of memory"))
    try:
        manager = _manager(tmp_path)
        job = manager.submit("fal", _text(wav), tmp_path / "take")
        assert manager.wait(job.id, timeout=30)
        failed = manager.get(job.id)
        assert failed.state == "failed" and "out of memory" in failed.message
        cloud.faults.job_fails = None
        again = manager.retry(job.id)
        assert again.retry_of == job.id and again.id != job.id
        assert manager.wait(again.id, timeout=30)
        assert manager.get(again.id).state == "done"
    finally:
        cloud.stop()


def test_a_missing_key_fails_the_job_with_the_variable_named(
    tmp_path: Path, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FAL_KEY", raising=False)
    manager = _manager(tmp_path)
    job = manager.submit("fal", _text(wav), tmp_path / "take")
    assert manager.wait(job.id, timeout=30)
    record = manager.get(job.id)
    assert record.state == "failed" and "FAL_KEY" in record.message


def test_a_damaged_job_file_is_listed_not_lost(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "bad.json").write_text("{not json")
    assert store.all() == []
    assert store.unreadable and store.unreadable[0][0].name == "bad.json"
    assert (tmp_path / "jobs" / "bad.json").exists()


def test_a_cloud_inpaint_is_recorded_with_its_selection_so_resume_cannot_misplace_it(
    tmp_path: Path, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from isolde.core.spans import InpaintRegion

    cloud = start_cloud(monkeypatch)
    try:
        manager = _manager(tmp_path)
        request = Request(
            RequestKind.INPAINT,
            str(wav),
            prompt="rain",
            region=InpaintRegion(1.0, 1.5, prompt="rain"),
        )
        job = manager.submit("fal", request, tmp_path / "take", job_id="inpaint1")
        assert job.id == "inpaint1"
        assert job.request["selection"] == {"start": 1.0, "end": 1.5}
        assert manager.wait(job.id, timeout=30)
        # had it crashed while queued, resume goes piece by piece (the region is one piece,
        # placed back at its time), never fetching a region-only result as the whole file
        from dataclasses import replace

        from isolde.jobs.resumption import resume_plan

        crashed = manager.get(job.id).moved("queued")
        assert [p["state"] for p in crashed.pieces] == ["done"]
        assert resume_plan(crashed, manager.provider("fal")) == "start"
        no_pieces = replace(crashed, pieces=())  # an older record: not resumable as a whole
        assert resume_plan(no_pieces, manager.provider("fal")) == "unknown"
    finally:
        cloud.stop()


def test_workers_do_not_keep_the_process_alive(tmp_path: Path, wav: Path) -> None:
    import threading

    manager = _manager(tmp_path)
    request = Request(RequestKind.SPANS, str(wav), spans=(Span(0, 1, include=False),))
    job = manager.submit("local", request, tmp_path / "t")
    workers = [t for t in threading.enumerate() if t.name.startswith("job-local")]
    assert workers and all(t.daemon for t in workers)
    assert manager.wait(job.id, timeout=30)


def test_a_job_killed_before_its_submit_left_starts_again(
    tmp_path: Path, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = start_cloud(monkeypatch)
    try:
        store = JobStore(tmp_path / "jobs")
        store.put(_fal_record(tmp_path, wav, "upl1", "preparing"))
        manager = JobManager(store, providers=_fast_provider)
        assert [r.id for r in manager.resume()] == ["upl1"]
        assert manager.wait("upl1", timeout=30)
        record = store.get("upl1")
        assert record.state == "done" and record.sends == 1
        assert len(cloud.hits_to("sam-audio/separate", "POST")) == 1
    finally:
        cloud.stop()
