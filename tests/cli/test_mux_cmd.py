"""`isolde mux VIDEO AUDIO --out OUT`: the new video, what was padded or trimmed, clear errors
(exit 3), and Ctrl-C (exit 5, no file)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf

from isolde.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "video"))
from video_factory import make_video

RATE = 48_000


def tone(path: Path, seconds: float, channels: int = 2) -> Path:
    t = np.arange(round(seconds * RATE)) / RATE
    sf.write(path, np.stack([0.2 * np.sin(2 * np.pi * 440 * t)] * channels, 1), RATE)
    return path


@pytest.fixture
def video(tmp_path: Path) -> Path:
    return make_video(tmp_path / "clip.mp4", seconds=2.0).path


def streams(path: Path) -> dict[str, str]:
    with av.open(str(path)) as container:
        return {s.type: s.codec_context.name for s in container.streams}


def test_mux_writes_the_video_and_says_so(
    video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "clean.mov"
    code = main(["mux", str(video), str(tone(tmp_path / "a.wav", 2.0)), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.splitlines()[0] == str(out)
    assert "pcm_s16le" in captured.out and "note" not in captured.err
    assert streams(out) == {"video": "h264", "audio": "pcm_s16le"}


def test_padding_and_trimming_are_said(
    video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tone(tmp_path / "short.wav", 1.5)
    assert main(["mux", str(video), str(short), "--out", str(tmp_path / "a.mp4"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["command"] == "mux" and data["audio_codec"] == "aac"
    assert data["padded_s"] == pytest.approx(0.5) and data["trimmed_s"] == 0
    assert "padded with silence" in data["notes"][0]
    long = tone(tmp_path / "long.wav", 2.25)
    assert main(["mux", str(video), str(long), "--out", str(tmp_path / "b.mkv"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "0.250 s longer than the picture: trimmed" in err
    assert streams(tmp_path / "b.mkv")["audio"] == "flac"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["{video}", "{audio}", "--out", "{tmp}/o.webm"], ".mp4, .m4v, .mov or .mkv"),
        (["{tmp}/none.mp4", "{audio}", "--out", "{tmp}/o.mp4"], "no such file"),
        (["{video}", "{audio}", "--out", "{video}"], "overwrite the VIDEO"),
        (["{video}", "{audio}", "--out", "{audio}"], "overwrite the AUDIO"),
        (["{audio}", "{audio}", "--out", "{tmp}/o.mp4"], "no picture"),
        (["{video}", "{tmp}/mute.mp4", "--out", "{tmp}/o.mp4"], "mute.mp4"),
        (["{video}", "{audio}", "--out", "{tmp}/nowhere/o.mp4"], "does not exist"),
    ],
)
def test_bad_inputs_exit_3_with_a_clear_message(
    video: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    needle: str,
) -> None:
    audio = tone(tmp_path / "a.wav", 1.0)
    make_video(tmp_path / "mute.mp4", seconds=1.0, audio=False)
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [a.format(video=video, audio=audio, tmp=tmp_path) for a in args]
    code = main(["mux", *argv])
    err = capsys.readouterr().err
    assert code == 3, err
    assert needle in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_ctrl_c_exits_5_and_leaves_no_file(tmp_path: Path) -> None:
    video = make_video(tmp_path / "long.mp4", size=(64, 48), fps=5, seconds=180, audio=False)
    audio = tone(tmp_path / "long.wav", 180.0)
    out = tmp_path / "out"
    out.mkdir()
    command = ["mux", str(video.path), str(audio), "--out", str(out / "muxed.mp4")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "isolde", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if "copying the picture" in line or not line:
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 5, err
    assert "cancelled" in err
    assert not list(out.iterdir())
