"""A take appears whole or not at all: a failure on its second file, a full disk or Ctrl-C leave
either the old take (byte for byte) or nothing — never half a take, never a staging folder."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio import OutputFormat
from isolde.core.errors import AudioFileError
from isolde.core.progress import CancelToken
from isolde.core.spans import Span
from isolde.jobs.runner import clear_leftovers, run_to_take
from isolde.providers.base import EventFn, ProviderResult, Request, RequestKind, ignore_events
from isolde.providers.local import LocalProvider

RATE = 48_000
HERE = Path(__file__).resolve().parent


def _noise(path: Path, seconds: float, seed: int = 1) -> Path:
    data = np.random.default_rng(seed).standard_normal((int(seconds * RATE), 2)) * 0.1
    sf.write(path, data.astype(np.float32), RATE, subtype="FLOAT")
    return path


def _request(path: Path) -> Request:
    return Request(RequestKind.SPANS, str(path), spans=(Span(0, 0.5, include=False),))


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _beside(folder: Path) -> list[str]:
    """What lies next to `folder` that is not an input: staging or set-aside folders."""
    return sorted(p.name for p in folder.parent.iterdir() if ".isolde-" in p.name)


class _BadResidual(LocalProvider):
    """The engine's residual arrives damaged (a cut-off download): its transcode fails after
    the target was written."""

    name = "local"

    def run(
        self,
        request: Request,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> ProviderResult:
        result = super().run(request, work_dir, on_event=on_event, cancel=cancel)
        residual = Path(result.files["residual"])
        residual.write_bytes(residual.read_bytes()[:60])  # a header and nothing else
        return result


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return _noise(tmp_path / "in.wav", 2.0)


def test_a_failing_second_file_leaves_no_take(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "take"
    with pytest.raises(AudioFileError):
        run_to_take(_BadResidual(), _request(source), out, OutputFormat())
    assert not out.exists() or list(out.iterdir()) == []
    assert _beside(out) == []


def test_a_failing_replacement_keeps_the_old_take_whole(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "take"
    run_to_take(LocalProvider(), _request(source), out, OutputFormat.parse("flac"))
    old = _hashes(out)
    assert set(old) == {"target.flac", "residual.flac", "take.json"}
    with pytest.raises(AudioFileError):
        run_to_take(_BadResidual(), _request(source), out, OutputFormat())
    assert _hashes(out) == old
    assert _beside(out) == []


def test_a_replacement_is_whole_and_keeps_a_jobs_own_files(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "take"
    run_to_take(LocalProvider(), _request(source), out, OutputFormat.parse("flac"))
    (out / "mask.json").write_text("{}\n")  # what the editor writes beside a visual job's take
    outcome = run_to_take(LocalProvider(), _request(source), out, OutputFormat())
    assert sorted(p.name for p in out.iterdir()) == [
        "mask.json",
        "residual.wav",
        "take.json",
        "target.wav",
    ]
    doc = json.loads(outcome.take_file.read_text())
    assert doc["take"]["files"] == {"target": "target.wav", "residual": "residual.wav"}
    assert (out / "mask.json").read_text() == "{}\n"
    assert _beside(out) == []


def test_a_take_folder_reached_by_a_link_is_replaced_where_it_lies(
    source: Path, tmp_path: Path
) -> None:
    real = tmp_path / "real"
    run_to_take(LocalProvider(), _request(source), real, OutputFormat.parse("flac"))
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    outcome = run_to_take(LocalProvider(), _request(source), link, OutputFormat())
    assert link.is_symlink() and outcome.take_file == real / "take.json"
    assert sorted(p.name for p in real.iterdir()) == ["residual.wav", "take.json", "target.wav"]
    assert _beside(real) == []


def test_a_commit_killed_between_its_renames_is_undone(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "take"
    run_to_take(LocalProvider(), _request(source), out, OutputFormat())
    old = _hashes(out)
    # The state a SIGKILL between "old aside" and "new in" leaves: no take, both folders beside.
    os.rename(out, tmp_path / ".take.isolde-old-1234abcd")
    staging = tmp_path / ".take.isolde-new-5678"
    staging.mkdir()
    (staging / "target.wav").write_bytes(b"half")
    clear_leftovers(out)
    assert _hashes(out) == old
    assert _beside(out) == []


def test_ctrl_c_while_replacing_a_take_keeps_the_old_one(tmp_path: Path) -> None:
    small, long = _noise(tmp_path / "small.wav", 1.0), _noise(tmp_path / "long.wav", 120.0, 2)
    out = tmp_path / "take"
    run_to_take(LocalProvider(), _request(small), out, OutputFormat())
    old = _hashes(out)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "isolde",
            "separate",
            str(long),
            "--exclude",
            "0-1",
            "--out",
            str(out),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "%" not in proc.stderr.readline():
        pass
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 5, err
    assert _hashes(out) == old
    assert _beside(out) == []


def _can_mount_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-r", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs unshare and a private tmpfs mount")
def test_a_full_disk_never_damages_the_old_take(tmp_path: Path) -> None:
    small, long = _noise(tmp_path / "small.wav", 1.0), _noise(tmp_path / "long.wav", 60.0, 3)
    disk = tmp_path / "disk"
    disk.mkdir()
    driver = HERE / "disk_full_driver.py"
    script = (
        f"mount -t tmpfs -o size=128m tmpfs {disk} && "
        f"exec {sys.executable} {driver} {disk} {small} {long}"
    )
    done = subprocess.run(
        ["unshare", "-r", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["first"][0] == 0, report["first"]
    code, err = report["refused"]
    assert code == 3 and "not enough free disk space" in err and "MB" in err, err
    code, err = report["full"]
    assert code == 3 and "disk space" in err, err
    assert report["after_refused"] == report["before"] == report["after_full"]
    assert report["root"] == ["take"]
