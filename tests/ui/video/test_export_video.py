"""File → Export video…: the picture copied packet for packet, the chosen sound in it (a take's
target, the edited sound), the muxer's padding said, and cancel leaving nothing behind."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import av
import numpy as np
import pytest
from take_helpers import separation_take, wait_lanes
from video_helpers import MadeVideo, make_video, video_window

from isolde.audio import open_audio
from isolde.core.takes import Take
from isolde.ui.video import export_video_task
from isolde.ui.video.export_video import ExportVideoDialog


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[MadeVideo, Take]:
    folder = tmp_path_factory.mktemp("export-video")
    made = make_video(folder / "clip.mp4", size=(160, 120), fps=25, seconds=2, gop=12)
    take = separation_take(made.path, folder / "take", exclude=(0.0, 0.6))
    return made, take


def _choose(combo, data) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, (data, [combo.itemData(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)


def _packets(path: Path) -> list[tuple[bytes, int | None, bool]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [(bytes(p), p.pts, p.is_keyframe) for p in container.demux(stream) if p.size]


def _sound(path: str | Path) -> np.ndarray:
    with open_audio(path) as source:
        return source.read(0, source.frames)


def _export(qtbot, dialog: ExportVideoDialog, dest: Path) -> str:  # type: ignore[no-untyped-def]
    dialog.path.setText(str(dest))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.task is not None and dialog.task.done, timeout=30_000)
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=5_000)
    assert dialog.task.error is None, dialog.task.error
    assert dialog.last_result == dest and dest.exists()
    assert dialog.progress.value() == 1000
    return dialog.status.text()


def _window(qtbot, clip):  # type: ignore[no-untyped-def]
    made, take = clip
    window = video_window(qtbot, made.path)
    window.project.add_take(take)
    wait_lanes(qtbot, window, ["target", "residual"])
    return window


def test_a_takes_target_goes_into_the_picture_unchanged(qtbot, clip, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made, take = clip
    window = _window(qtbot, clip)
    dialog = window.video.open_export()
    _choose(dialog.take, take.id)
    _choose(dialog.what, "target")
    _choose(dialog.container, ".mov")
    dest = tmp_path / "target.mov"
    status = _export(qtbot, dialog, dest)
    assert status.startswith("Exported target.mov (picture copied, sound pcm_s24le)"), status
    assert _packets(dest) == _packets(made.path)
    got, want, source = _sound(dest), _sound(take.files["target"]), _sound(made.path)
    n = min(len(got), len(want))
    report = dialog.task.report
    assert n == pytest.approx(report.picture_s * 48_000, abs=48) and got.shape[1] == want.shape[1]
    if report.trimmed_s:  # the encoder's priming makes the sound a little longer than 2 s
        assert f"{report.trimmed_s:.3f} s of sound beyond the picture was left out" in status
    assert np.abs(got[:n] - want[:n]).max() < 1e-4  # PCM: the target, sample for sample
    assert np.abs(got[:n] - source[:n]).max() > 0.05  # and not the original sound


def test_the_remix_at_the_current_gains(qtbot, clip, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made, take = clip
    window = _window(qtbot, clip)
    window.results_docks.remix_panel.set_gains(0.0, -12.0)
    dialog = window.video.open_export()
    _choose(dialog.take, take.id)
    _choose(dialog.what, "remix")
    assert dialog.range.isEnabled() and dialog.range.currentText() == "Whole file"
    _choose(dialog.container, ".mov")
    _export(qtbot, dialog, tmp_path / "remix.mov")
    assert _packets(tmp_path / "remix.mov") == _packets(made.path)
    got = _sound(tmp_path / "remix.mov")
    want = _sound(take.files["target"]) + _sound(take.files["residual"]) * 10 ** (-12 / 20)
    n = min(len(got), len(want))
    assert np.abs(got[:n] - want[:n]).max() < 1e-3


def test_the_edited_sound_as_aac_in_mp4(qtbot, clip, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made, _take = clip
    window = _window(qtbot, clip)
    dialog = window.video.open_export()
    _choose(dialog.what, "edited")
    assert not dialog.take.isEnabled()
    assert dialog.path.text().endswith("clip-edited.mp4")
    dest = tmp_path / "edited.mp4"
    status = _export(qtbot, dialog, dest)
    assert "sound aac" in status
    assert _packets(dest) == _packets(made.path)
    got, want = _sound(dest), _sound(made.path)
    n = min(len(got), len(want)) - 2048
    diff = got[1024:n] - want[1024:n]
    assert np.sqrt(np.mean(diff**2)) < 0.02 * np.sqrt(np.mean(want**2)) + 1e-3


def test_a_short_sound_is_padded_and_the_dialog_says_so(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made = make_video(tmp_path / "short.mp4", fps=25, seconds=2, audio_seconds=1.5)
    window = video_window(qtbot, made.path)
    dialog = window.video.open_export()
    _choose(dialog.container, ".mkv")
    status = _export(qtbot, dialog, tmp_path / "out.mkv")
    assert "sound flac" in status and "padded with silence" in status, status
    assert dialog.task.report.padded_s == pytest.approx(0.5, abs=0.05)


def test_cancel_leaves_no_file_and_no_temporary_sound(qtbot, clip, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    started, gate = threading.Event(), threading.Event()
    real = export_video_task.mux

    def held(*args, progress, **kwargs):  # type: ignore[no-untyped-def]
        def report(fraction: float, stage: str) -> None:
            progress(fraction, stage)
            started.set()
            gate.wait(5.0)  # hold the muxer (the sound is rendered) until the test cancelled

        return real(*args, progress=report, **kwargs)

    monkeypatch.setattr(export_video_task, "mux", held)
    window = _window(qtbot, clip)
    dialog = window.video.open_export()
    out = tmp_path / "out"
    out.mkdir()
    dialog.path.setText(str(out / "never.mp4"))
    dialog.export_button.click()
    assert started.wait(10.0)
    assert any(scratch.iterdir())  # the temporary sound exists while muxing
    assert dialog.close_button.text() == "Cancel"
    dialog.close_button.click()
    gate.set()
    qtbot.waitUntil(lambda: dialog.task.done and dialog.export_button.isEnabled(), timeout=10_000)
    assert dialog.task.cancelled and "cancelled" in dialog.status.text()
    assert list(out.iterdir()) == []
    assert list(scratch.iterdir()) == []


def test_export_video_needs_a_video(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from job_helpers import noise_wav

    window = video_window(qtbot, noise_wav(tmp_path / "noise.wav"))
    window.actions_by_key["export_video"].trigger()
    assert window.video.export_dialog is None
    assert "Open a video first" in window.statusBar().currentMessage()
