"""SAM Audio's predicted spans: read from fal's result when it holds them, stored with the take.

fal's published schema does not show where predicted spans appear, so the fake cloud is taught
here (its model wrapped) to answer with a `predicted_spans` list when `predict_spans` is sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from fakecloud import fal_api
from isolde.cli.main import main
from isolde.providers.fal.predicted_spans import predicted_spans


def test_predicted_spans_are_read_tolerantly() -> None:
    assert predicted_spans({"predicted_spans": [{"start": 2, "end": 3}, [0.5, 1.0]]}) == [
        [0.5, 1.0],
        [2.0, 3.0],
    ]
    assert predicted_spans({"spans": [{"start": 1, "end": 2, "include": False}]}) == []
    bad = [{"start": "x", "end": 1}, [3, 2], [float("nan"), 1], "junk", [-1, 2], {"end": 4}]
    assert predicted_spans({"predicted_spans": bad}) == []
    assert predicted_spans({"target": {}, "residual": {}}) == []
    assert predicted_spans(None) == []


@pytest.fixture
def predicting_cloud(cloud, monkeypatch):  # type: ignore[no-untyped-def]
    real = fal_api._run_model

    def model(cloud: Any, job: Any) -> dict[str, Any]:
        out = real(cloud, job)
        if job.body.get("predict_spans"):
            out["predicted_spans"] = [{"start": 1.0, "end": 2.04}, {"start": 3.0, "end": 3.5}]
        return out

    monkeypatch.setattr(fal_api, "_run_model", model)
    return cloud


def wav(tmp_path: Path) -> Path:
    t = np.arange(3 * 48_000 + 24_000) / 48_000
    path = tmp_path / "tone.wav"
    sf.write(path, (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32), 48_000)
    return path


def test_fal_predicted_spans_reach_take_json_and_the_report(
    predicting_cloud, tmp_path, capsys
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "o"
    argv = ["separate", str(wav(tmp_path)), "--provider", "fal", "--prompt", "a hum"]
    code = main([*argv, "--option", "predict_spans=true", "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert data["checks"]["predicted_spans"] == [[1.0, 2.04], [3.0, 3.5]]
    take = json.loads((out / "take.json").read_text())
    assert take["take"]["checks"]["predicted_spans"] == [[1.0, 2.04], [3.0, 3.5]]
    assert take["engine_details"]["predicted_spans"] == [[1.0, 2.04], [3.0, 3.5]]
    assert data["problems"] == []  # a steady tone below 500 Hz: the fake keeps all of it


def test_without_predict_spans_nothing_is_shown(predicting_cloud, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    argv = ["separate", str(wav(tmp_path)), "--provider", "fal", "--prompt", "a hum"]
    assert main([*argv, "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert "predicted" not in capsys.readouterr().out
    take = json.loads((tmp_path / "o" / "take.json").read_text())
    assert "predicted_spans" not in take["take"]["checks"]
