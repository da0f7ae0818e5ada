"""`isolde batch` and `isolde jobs`: many files, re-runs that skip or resume, never resend."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fakecloud.testing import fast, fast_classes, start_cloud
from isolde.cli.main import main
from isolde.jobs.record import JobRecord
from isolde.jobs.store import JobStore
from isolde.providers.base import Request, RequestKind
from isolde.providers.registry import get_provider


def _files(tmp_path: Path, n: int) -> list[Path]:
    rng = np.random.default_rng(5)
    paths = []
    for i in range(n):
        path = tmp_path / f"clip{i}.wav"
        sf.write(path, (rng.standard_normal((48_000 * 3, 1)) * 0.1).astype(np.float32), 48_000)
        paths.append(path)
    return paths


def _batch(capsys, *argv: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    code = main(["batch", *argv, "--json", "--quiet"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_batch_runs_every_file_and_a_rerun_skips_them(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    files = [str(p) for p in _files(tmp_path, 3)]
    out = tmp_path / "out"
    code, data = _batch(capsys, *files, "--exclude", "0-1", "--out", str(out), "--concurrency", "2")
    assert code == 0 and data["counts"] == {"done": 3}
    for i in range(3):
        assert (out / f"clip{i}" / "take.json").exists()
    code, data = _batch(capsys, *files, "--exclude", "0-1", "--out", str(out))
    assert code == 0 and data["counts"] == {"skipped": 3}
    assert main(["jobs", "list", "--store", str(out / ".jobs"), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [j["state"] for j in listed["jobs"]] == ["done"] * 3


def test_batch_checks_every_file_before_sending_anything(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    files = [str(p) for p in _files(tmp_path, 2)]
    out = tmp_path / "out"
    code = main(["batch", *files, "--exclude", "2-9", "--out", str(out), "--quiet"])
    assert code == 3
    assert "after the end" in capsys.readouterr().err
    assert not (out / ".jobs").exists()


def test_batch_on_the_cloud_sends_each_file_once(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch)
    fast_classes(monkeypatch)
    try:
        files = [str(p) for p in _files(tmp_path, 4)]
        code, data = _batch(
            capsys,
            *files,
            "--prompt",
            "the hum",
            "--provider",
            "fal",
            "--concurrency",
            "3",
            "--out",
            str(tmp_path / "out"),
        )
        assert code == 0 and data["counts"] == {"done": 4}
        assert len(cloud.hits_to("sam-audio/separate", "POST")) == 4
    finally:
        cloud.stop()


def test_a_rerun_after_a_crash_resumes_in_flight_jobs_without_resending(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = start_cloud(monkeypatch)
    fast_classes(monkeypatch)
    try:
        files = _files(tmp_path, 2)
        out = tmp_path / "out"
        # the killed run had submitted clip0 and written it down; clip1 was never started
        request = Request(RequestKind.TEXT, str(files[0].resolve()), prompt="the hum")
        submission = fast(get_provider("fal")).submit(request, tmp_path / "work")
        JobStore(out / ".jobs").put(
            JobRecord(
                id="killed",
                provider="fal",
                kind="text",
                request=request.to_json(),
                out_dir=str(out / "clip0"),
                output_format="wav",
                state="running",
                submission=submission.to_json(),
                label="clip0.wav",
            )
        )
        code, data = _batch(
            capsys, *map(str, files), "--prompt", "the hum", "--provider", "fal", "--out", str(out)
        )
        assert code == 0 and data["counts"] == {"done": 2}
        assert len(cloud.hits_to("sam-audio/separate", "POST")) == 2  # one per file, ever
        assert JobStore(out / ".jobs").get("killed").state == "done"
    finally:
        cloud.stop()


def test_jobs_cancel_and_unknown_ids(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    store = JobStore(tmp_path / "jobs")
    store.put(
        JobRecord(
            id="abc123",
            provider="local",
            kind="spans",
            request={},
            out_dir=str(tmp_path / "t"),
            output_format="wav",
            state="pending",
        )
    )
    assert main(["jobs", "cancel", "nope", "--store", str(store.root)]) == 3
    assert "no single job" in capsys.readouterr().err
    assert main(["jobs", "cancel", "abc", "--store", str(store.root)]) == 0
    assert store.get("abc123").state == "cancelled"
    assert main(["jobs", "resume", "--store", str(store.root)]) == 0
    assert "nothing to resume" in capsys.readouterr().out


def test_a_rerun_reports_a_job_cut_off_while_sending_and_does_not_resend(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = start_cloud(monkeypatch)
    fast_classes(monkeypatch)
    try:
        files = _files(tmp_path, 2)
        out = tmp_path / "out"
        request = Request(RequestKind.TEXT, str(files[0].resolve()), prompt="the hum")
        JobStore(out / ".jobs").put(
            JobRecord(
                id="cut",
                provider="fal",
                kind="text",
                request=request.to_json(),
                out_dir=str(out / "clip0"),
                output_format="wav",
                state="submitting",
                sends=1,
                label="clip0.wav",
            )
        )
        code, data = _batch(
            capsys, *map(str, files), "--prompt", "the hum", "--provider", "fal", "--out", str(out)
        )
        assert code == 4
        assert sorted(row["state"] for row in data["jobs"]) == ["done", "unknown"]
        assert len(cloud.hits_to("sam-audio/separate", "POST")) == 1  # only clip1 was sent
    finally:
        cloud.stop()
