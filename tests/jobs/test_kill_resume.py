"""Kill the process (SIGKILL) mid-job at different points; the same command run again must end
with every job done exactly once: intact files, and one submit per job at the fake server."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fakecloud.faults import Faults
from fakecloud.testing import start_cloud

FILES = 3


def _inputs(tmp_path: Path) -> list[Path]:
    rng = np.random.default_rng(11)
    paths = []
    for i in range(FILES):
        path = tmp_path / f"in{i}.wav"
        sf.write(path, (rng.standard_normal((48_000 * 2, 1)) * 0.1).astype(np.float32), 48_000)
        paths.append(path)
    return paths


def _batch(files: list[Path], out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "isolde",
        "batch",
        *map(str, files),
        "--prompt",
        "the hiss",
        "--provider",
        "fal",
        "--concurrency",
        "1",
        "--out",
        str(out),
        "--quiet",
        "--json",
    ]


def _states(out: Path) -> list[str]:
    states = []
    for path in (out / ".jobs").glob("*.json"):
        with contextlib.suppress(OSError, ValueError):  # mid-rename: read again next time
            states.append(json.loads(path.read_text())["state"])
    return states


def _reached(point: str, out: Path, cloud) -> bool:  # type: ignore[no-untyped-def]
    if point == "downloading":  # the result download has started (it is slowed down)
        return any(h.method == "GET" and "/cdn/files/" in h.path for h in cloud.hits)
    return point in _states(out)


@pytest.mark.parametrize("kill_at", ["preparing", "queued", "running", "downloading", "done"])
def test_killed_anywhere_then_run_again(
    kill_at: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = Faults(step_s=0.15, queue_positions=[2, 1], upload_delay_s=0.6, download_delay_s=0.6)
    cloud = start_cloud(monkeypatch, faults=faults)
    try:
        files, out = _inputs(tmp_path), tmp_path / "out"
        env = {**os.environ, **cloud.env()}
        child = subprocess.Popen(
            _batch(files, out), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while not _reached(kill_at, out, cloud):
            assert child.poll() is None, "the batch ended before the kill point"
            assert time.monotonic() < deadline, f"never reached {kill_at}"
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        again = subprocess.run(
            _batch(files, out), env=env, capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 0, again.stdout + again.stderr
        for path in files:
            take = out / path.stem
            doc = json.loads((take / "take.json").read_text())
            for role in ("target", "residual"):
                data, rate = sf.read(take / doc["take"]["files"][role])
                assert rate == 48_000 and len(data) == 96_000
            assert not list(take.glob(".isolde-work-*")) and not list(take.glob(".*.part"))
        assert len(cloud.hits_to("sam-audio/separate", "POST")) == FILES  # exactly once each
    finally:
        cloud.stop()
