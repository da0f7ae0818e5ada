"""File → Export…: every kind and format, a resampled rate, progress, and cancel leaving no file."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from take_helpers import RATE, results_window, separation_take, stereo_wav, wait_lanes

from isolde.jobs import export as core_export
from isolde.ui.results import export_task
from isolde.ui.results.export_dialog import ExportDialog


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("export")
    source = stereo_wav(folder / "scene.wav")
    return {"source": source, "spans": separation_take(source, folder / "spans")}


@pytest.fixture
def window(qtbot, takes):  # type: ignore[no-untyped-def]
    window = results_window(qtbot, takes["source"])
    window.project.add_take(takes["spans"])
    wait_lanes(qtbot, window, ["target", "residual"])
    return window


def _choose(combo, data) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, (data, [combo.itemData(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)


def _export(qtbot, dialog: ExportDialog, dest: Path, **choices) -> Path:  # type: ignore[no-untyped-def]
    for name in ("what", "format", "bitrate", "rate"):
        if name in choices:
            _choose(getattr(dialog, name), choices[name])
    dialog.path.setText(str(dest))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.task is not None and dialog.task.done, timeout=20_000)
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=5_000)
    assert dialog.task.error is None, dialog.task.error
    assert dialog.last_result == dest and dest.exists()
    assert dialog.progress.value() == 1000 and "Exported" in dialog.status.text()
    return dest


@pytest.mark.parametrize(
    ("what", "fmt", "rate", "subtype"),
    [
        ("target", "wav:16", None, "PCM_16"),
        ("residual", "wav:24", None, "PCM_24"),
        ("edited", "wav:float", None, "FLOAT"),
        ("remix", "flac:24", None, "PCM_24"),
        ("target", "flac:16", 44100, "PCM_16"),
    ],
)
def test_exports_each_kind_and_format(qtbot, window, tmp_path, what, fmt, rate, subtype) -> None:  # type: ignore[no-untyped-def]
    dialog = window.results_docks.open_export()
    suffix = "." + fmt.split(":")[0]
    dest = _export(qtbot, dialog, tmp_path / f"out{suffix}", what=what, format=fmt, rate=rate)
    info = sf.info(dest)
    assert info.subtype == subtype and info.channels == 2
    assert info.samplerate == (rate or RATE)
    assert info.frames == pytest.approx(4.0 * (rate or RATE), abs=64)


def test_remix_export_has_the_current_gains_over_the_range(qtbot, window, takes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window.results_docks.remix_panel.set_gains(0.0, -12.0)
    window.edit_state.set_in(1.0)
    window.edit_state.set_out(3.0)
    dialog = window.results_docks.open_export()
    _choose(dialog.what, "remix")
    assert dialog.range.isEnabled() and "in/out" in dialog.range.currentText()
    dest = _export(qtbot, dialog, tmp_path / "remix.wav", format="wav:float")
    got = sf.read(dest, dtype="float32")[0]
    source = sf.read(takes["source"], dtype="float32")[0]
    target = sf.read(takes["spans"].files["target"], dtype="float32")[0]
    residual = sf.read(takes["spans"].files["residual"], dtype="float32")[0]
    inside = slice(int(1.1 * RATE), int(2.9 * RATE))
    want = target[inside] + 10 ** (-12 / 20) * residual[inside]
    np.testing.assert_allclose(got[inside], want, atol=1e-5)
    np.testing.assert_allclose(got[: int(0.9 * RATE)], source[: int(0.9 * RATE)], atol=1e-6)
    assert window.project.state.edits == ()  # exporting applies nothing


def test_mp3_bitrate_and_rate_choices(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = window.results_docks.open_export()
    _choose(dialog.format, "mp3")
    assert dialog.bitrate.isEnabled()
    assert dialog.rate.findData(96000) < 0 and dialog.rate.findData(44100) >= 0  # MP3 rates only
    low = _export(qtbot, dialog, tmp_path / "low.mp3", what="edited", bitrate=128, rate=44100)
    high = _export(qtbot, dialog, tmp_path / "high.mp3", bitrate=320)
    assert sf.info(low).samplerate == 44100 and sf.info(low).format == "MP3"
    assert high.stat().st_size > 2 * low.stat().st_size
    _choose(dialog.format, "wav:24")
    assert not dialog.bitrate.isEnabled() and dialog.path.text().endswith(".wav")


def test_cancel_stops_the_export_and_leaves_no_file(qtbot, window, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    started, gate = threading.Event(), threading.Event()
    real = core_export.export_state

    def held(*args, progress, **kwargs):  # type: ignore[no-untyped-def]
        def report(fraction: float, stage: str) -> None:
            progress(fraction, stage)
            started.set()
            gate.wait(5.0)  # hold the worker after its first block until the test has cancelled

        return real(*args, progress=report, **kwargs)

    monkeypatch.setattr(export_task, "export_state", held)
    dialog = window.results_docks.open_export()
    dialog.path.setText(str(tmp_path / "never.wav"))
    dialog.export_button.click()
    assert started.wait(5.0)
    assert dialog.close_button.text() == "Cancel"
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=5_000)
    dialog.close_button.click()
    gate.set()
    qtbot.waitUntil(lambda: dialog.task.done and dialog.export_button.isEnabled(), timeout=10_000)
    assert dialog.task.cancelled
    assert "cancelled" in dialog.status.text()
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temp file


def test_export_problems_are_shown_in_the_dialog(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = window.results_docks.open_export()
    dialog.path.setText(str(tmp_path / "missing" / "out.wav"))
    dialog.export_button.click()
    assert "does not exist" in dialog.status.text() and dialog.task is None
