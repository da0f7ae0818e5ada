"""One duration: `isolde info`, the probe and the decoded audio the editor opens agree on a
compressed file's length — the decoded samples, with the encoder's priming and padding left out
when the container declares them (an MP4's edit list), counted by decoding when it does not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from isolde.audio import open_audio, probe
from isolde.audio.decoders import _EndTrim
from isolde.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "video"))
from video_factory import AUDIO_RATE, make_video

SECONDS = 2.0
FRAMES = round(SECONDS * AUDIO_RATE)  # 96 000: not a multiple of AAC's 1024-sample frame


def _info_cli(path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert main(["info", "--json", str(path)]) == 0
    return json.loads(capsys.readouterr().out)


def _decoded_without_trimming(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(frame.samples for frame in container.decode(container.streams.audio[0]))


def test_an_mp4_is_as_long_as_its_container_declares_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = make_video(tmp_path / "clip.mp4", size=(64, 48), seconds=SECONDS)
    assert _decoded_without_trimming(made.path) > FRAMES  # the AAC padding is there to trim
    source = open_audio(made.path)
    try:
        assert source.info.frames == FRAMES and source.duration == SECONDS
        samples = source.read(0, FRAMES)[:, 0]
    finally:
        source.close()
    assert probe(made.path).frames == FRAMES
    data = _info_cli(made.path, capsys)
    assert data["frames"] == FRAMES and data["duration"] == SECONDS
    assert main(["info", str(made.path)]) == 0
    assert "0:00:02.000" in capsys.readouterr().out
    # What is kept is the tone from its first sample to its last: the priming was skipped and
    # no real sample was trimmed.
    t = np.arange(FRAMES) / AUDIO_RATE
    tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    middle = slice(2048, FRAMES - 2048)
    assert np.corrcoef(samples[middle], tone[middle])[0, 1] > 0.999
    assert np.abs(samples[-1024:]).max() > 0.2


def test_a_container_that_only_estimates_is_counted_by_decoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = make_video(tmp_path / "clip.mkv", size=(64, 48), seconds=SECONDS)
    estimate = probe(made.path)
    assert not estimate.frames_exact
    source = open_audio(made.path)
    try:
        decoded = source.info.frames
    finally:
        source.close()
    assert decoded == _decoded_without_trimming(made.path)  # nothing declared: nothing trimmed
    assert estimate.frames != decoded  # the estimate alone would disagree…
    data = _info_cli(made.path, capsys)
    assert data["frames"] == decoded  # …but info reports the decoded length
    assert data["duration"] == pytest.approx(decoded / AUDIO_RATE)


def test_the_end_trim_keeps_everything_when_the_declared_length_is_far_too_short() -> None:
    rate = 48_000
    blocks = [np.ones((10_000, 1), np.float32) for _ in range(3)]

    def run(declared: int) -> int:
        trim = _EndTrim(declared, rate)
        out = [b for block in blocks for b in trim.feed(block)] + list(trim.finish())
        return sum(b.shape[0] for b in out)

    assert run(29_500) == 29_500  # 500 frames of padding: dropped
    assert run(20_000) == 30_000  # 10 000 past the end is no padding: the header is wrong
    assert run(40_000) == 30_000  # shorter than declared: what was decoded
