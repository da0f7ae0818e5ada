"""`isolde separate` reports the result check (--json and plain), for the local engine and for fal
over real HTTP (the fake cloud's SAM Audio keeps the band below 500 Hz as the target)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.cli.main import main

RATE = 44_100


def scene(path: Path, *, low_tone: bool) -> Path:
    """4 s stereo: a 6 kHz whistle throughout, and (if asked) a 220 Hz tone from 1 s to 2 s."""
    t = np.arange(4 * RATE) / RATE
    x = 0.1 * np.sin(2 * np.pi * 6000 * t)
    if low_tone:
        inside = (t >= 1.0) & (t < 2.0)
        x[inside] += 0.5 * np.sin(2 * np.pi * 220 * t[inside])
    sf.write(path, np.stack([x, 0.7 * x], axis=1).astype(np.float32), RATE, subtype="PCM_16")
    return path


def separate_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code = main(["separate", *argv, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def stored_checks(data: dict) -> dict:
    return json.loads(Path(data["take"]).read_text())["take"]["checks"]


def test_fal_reports_a_silent_target(cloud, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    wav = scene(tmp_path / "whistle.wav", low_tone=False)  # nothing below 500 Hz
    data = separate_json(
        capsys, str(wav), "--provider", "fal", "--prompt", "a dog", "--out", str(tmp_path / "o")
    )
    assert len(data["problems"]) == 1
    assert data["problems"][0].startswith("the target is nearly silent throughout")
    assert data["checks"]["problems"][0]["code"] == "silent"
    assert stored_checks(data) == data["checks"]


def test_fal_good_result_with_spans_has_no_problems(cloud, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    wav = scene(tmp_path / "scene.wav", low_tone=True)
    out = tmp_path / "o"
    argv = ["--provider", "fal", "--include", "1-2", "--exclude", "3-4", "--out", str(out)]
    data = separate_json(capsys, str(wav), *argv)
    assert data["problems"] == []
    measures = data["checks"]["measures"]
    assert measures["include_kept_db"] > -1.0  # the tone is nearly all of the sound there
    assert measures["exclude_kept_db"] < -60.0  # fal left the exclude span empty
    assert stored_checks(data) == data["checks"]
    assert "predicted_spans" not in data["checks"]  # a span request predicts nothing


def test_local_engine_reports_its_check(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    wav = scene(tmp_path / "scene.wav", low_tone=True)
    data = separate_json(capsys, str(wav), "--include", "1-2", "--out", str(tmp_path / "o"))
    assert data["provider"] == "local"
    assert data["checks"]["version"] == 1 and "include_kept_db" in data["checks"]["measures"]
    assert data["problems"] == [p["message"] for p in data["checks"]["problems"]]
    assert stored_checks(data) == data["checks"]


def test_plain_output_names_the_problem(cloud, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    wav = scene(tmp_path / "whistle.wav", low_tone=False)
    argv = ["separate", str(wav), "--provider", "fal", "--prompt", "a dog", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("check: the target is nearly silent") for line in lines)
