"""`isolde export TAKE_DIR`: one file of a take folder, in any format and rate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio import OutputFormat
from isolde.cli.main import main
from isolde.core.spans import InpaintRegion, Span
from isolde.jobs.runner import run_to_take
from isolde.providers.base import Request, RequestKind
from isolde.providers.local import LocalProvider

RATE = 48_000


@pytest.fixture
def source(tmp_path: Path) -> Path:
    data = np.random.default_rng(4).standard_normal((2 * RATE, 2)) * 0.1
    path = tmp_path / "mix.wav"
    sf.write(path, data.astype(np.float32), RATE, subtype="FLOAT")
    return path


def test_a_take_folders_files_export_in_any_format_and_rate(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    take = tmp_path / "take"
    request = Request(RequestKind.SPANS, str(source), spans=(Span(0, 0.5, include=False),))
    run_to_take(LocalProvider(), request, take, OutputFormat())
    out = tmp_path / "res.flac"
    argv = ["export", str(take), "--what", "residual", "--out", str(out), "--rate", "44100"]
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == str(out)
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.format) == (44_100, 2, "FLAC")
    assert info.duration == pytest.approx(2.0, abs=1e-3)
    assert main(["export", str(take), "--out", str(tmp_path / "t.mp3")]) == 0  # the target
    residual, _ = sf.read(take / "residual.wav")
    target, _ = sf.read(take / "target.wav")
    mp3, rate = sf.read(tmp_path / "t.mp3")
    assert rate == RATE and np.abs(mp3).max() > 0.5 * np.abs(target).max()
    assert not np.allclose(residual, target)


def test_an_inpainting_take_exports_its_inpainted_audio(source: Path, tmp_path: Path) -> None:
    take = tmp_path / "take"
    request = Request(RequestKind.INPAINT, str(source), region=InpaintRegion(1.0, 1.02))
    run_to_take(LocalProvider(), request, take, OutputFormat())
    out = tmp_path / "fixed.wav"
    assert main(["export", str(take), "--out", str(out), "--format", "wav:16"]) == 0
    assert sf.info(out).subtype == "PCM_16"
    fixed, _ = sf.read(out)
    inpainted, _ = sf.read(take / "inpainted.wav")
    np.testing.assert_allclose(fixed, inpainted, atol=2 / 32768)
