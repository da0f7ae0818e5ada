"""Applied edits are seen and heard: after Apply the main lanes draw and play the recording as
edited (what Export writes); undo and Remove bring the recording back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from take_helpers import (
    RATE,
    load_take,
    play_settled,
    pull_heard,
    scene_takes,
    takes_window,
    wait_lanes,
)

from isolde.audio import OutputFormat, open_audio
from isolde.audio.pull_backend import PullBackend
from isolde.audio.pyramid import PeakPyramid
from isolde.jobs.export import export_state
from isolde.ui.results.listen_mix import ORIGINAL, describe
from isolde.ui.shell.main_window import MainWindow
from isolde.ui.timeline.waveform_layer import lane_offsets


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return scene_takes(tmp_path_factory.mktemp("applied"))


def _window(qtbot, takes, key: str, backend: PullBackend | None = None) -> MainWindow:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, key, backend=backend)
    roles = ["inpainted"] if key == "inpaint" else ["target", "residual"]
    wait_lanes(qtbot, window, roles)
    window.timeline.view.show_range(0.0, 4.0)
    return window


def _drawn(window: MainWindow) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(column centres in s, min, max) of the main lanes as drawn: (columns, lanes)."""
    layer = window.timeline.waveform
    assert layer.mode == "envelope"
    offsets = lane_offsets(layer.lanes) + layer.base
    x, lo, hi = None, [], []
    for lane, curve in enumerate(layer._curves):
        cx, cy = curve.getData()
        x = cx[0::2]
        lo.append(cy[0::2] - offsets[lane])
        hi.append(cy[1::2] - offsets[lane])
    return x, np.stack(lo, axis=1), np.stack(hi, axis=1)


def _expected(window: MainWindow, peaks, n: int) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """What `peaks` gives for the view the layer drew, in the same n columns."""
    x0, x1 = window.timeline.view.visible()
    frames = window.document.source.frames
    start, stop = max(0, int(np.floor(x0 * RATE))), min(frames, int(np.ceil(x1 * RATE)) + 1)
    return peaks.envelope(start, stop, n)


def _heard(window: MainWindow, backend: PullBackend, t: float) -> tuple[int, np.ndarray]:
    """Play from `t` and pull what the sound card gets once the start ramp is over: (first
    source frame, samples)."""
    play_settled(window, backend, t)
    start, got = pull_heard(window, backend)
    window.transport.pause()
    return start + 960, got[960:]


def test_after_apply_the_main_lanes_show_the_remixed_take(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, takes, "spans")
    project, layer = window.project, window.timeline.waveform
    original = window.document.pyramid
    target = window.results.media["a"].pyramids["target"]
    _, before_lo, _ = _drawn(window)
    mark = project.add_span(1.0, 3.0)
    window.edit_state.select(mark)
    window.results_docks.remix_panel.set_gains(0.0, None)  # the remix is the target alone
    QTest.keyClick(window, Qt.Key.Key_A)
    assert len(project.state.edits) == 1 and layer.edited is not None
    x, lo, hi = _drawn(window)
    inside = (x > 1.05) & (x < 2.95)  # clear of the 20 ms crossfades
    want_lo, want_hi = _expected(window, target, len(x))
    np.testing.assert_allclose(lo[inside], want_lo[inside], atol=1e-6)
    np.testing.assert_allclose(hi[inside], want_hi[inside], atol=1e-6)
    orig_lo, _ = _expected(window, original, len(x))
    assert np.abs(lo[inside] - orig_lo[inside]).max() > 0.05  # not the recording as it was
    outside = (x < 0.95) | (x > 3.05)
    np.testing.assert_array_equal(lo[outside], orig_lo[outside])
    assert not np.array_equal(lo, before_lo)
    assert "Edited" in layer._badge.toPlainText() and layer._badge.isVisible()


def test_the_main_lane_plays_what_export_writes_and_undo_restores(qtbot, takes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend()
    window = _window(qtbot, takes, "spans", backend)
    project = window.project
    source = sf.read(takes["source"], dtype="float32")[0]
    window.results_docks.remix_panel.set_gains(-3.0, -12.0)
    window.results.apply(whole=True)
    QTest.keyClick(window, Qt.Key.Key_1)  # hear the main lane
    assert window.transport.player.lanes[ORIGINAL].solo and window.transport.edited
    exported_path = export_state(project.state, tmp_path / "e.wav", OutputFormat())
    exported = sf.read(exported_path)[0]
    # The whole file is reduced again on a worker; then every column is the exported file's.
    qtbot.waitUntil(lambda: not window.edited_view.drawing, timeout=10_000)
    x, lo, hi = _drawn(window)
    want = PeakPyramid.open(open_audio(exported_path), cache=False)
    want_lo, want_hi = _expected(window, want, len(x))
    np.testing.assert_array_equal(lo, want_lo)
    np.testing.assert_array_equal(hi, want_hi)
    first, got = _heard(window, backend, 1.5)
    np.testing.assert_allclose(got, exported[first : first + len(got)], atol=1e-5)
    assert np.abs(got - source[first : first + len(got)]).max() > 0.01
    assert describe(window.results.listening, ["original"], edited=True) == (
        "Hearing the edited recording"
    )

    project.undo()  # Apply undone: the recording again, drawn and heard
    assert window.timeline.waveform.edited is None and not window.transport.edited
    assert not window.timeline.waveform._badge.isVisible()
    x, lo, _ = _drawn(window)
    np.testing.assert_array_equal(lo, _expected(window, window.document.pyramid, len(x))[0])
    first, got = _heard(window, backend, 1.5)
    np.testing.assert_allclose(got, source[first : first + len(got)], atol=1e-6)

    project.redo()
    assert window.transport.edited
    panel = window.results_docks.remix_panel.edits_panel
    panel.table.selectRow(0)
    panel.remove_button.click()  # Remove in the edits list: the recording again
    assert project.state.edits == () and not window.transport.edited
    assert window.timeline.waveform.edited is None


def test_an_applied_repair_is_drawn_over_its_region(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, takes, "inpaint")
    inpainted = window.results.media["a"].pyramids["inpainted"]
    window.results.apply()
    (edit,) = window.project.state.edits
    assert (edit.start, edit.end) == (1.5, 2.0)
    x, lo, hi = _drawn(window)
    inside = (x > 1.55) & (x < 1.95)
    want_lo, want_hi = _expected(window, inpainted, len(x))
    np.testing.assert_allclose(lo[inside], want_lo[inside], atol=1e-6)
    np.testing.assert_allclose(hi[inside], want_hi[inside], atol=1e-6)
    # The spectrogram reads the edited recording too.
    assert window.timeline.spectrogram.source is window.edited_view.program


def test_reopening_a_project_with_edits_shows_them(qtbot, takes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, takes, "spans")
    window.results.apply(whole=True)
    path = window.project.save(tmp_path / "p.isolde")
    window.open_path(path)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.last_error is None
    assert window.project.state.edits and window.transport.edited
    assert window.timeline.waveform.edited is not None


def test_flac_takes_are_opened_off_the_gui_thread(qtbot, takes, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from isolde.core.spans import Span
    from isolde.jobs import edited_program
    from isolde.jobs.runner import run_to_take
    from isolde.providers.base import Request, RequestKind
    from isolde.providers.local import LocalProvider

    request = Request(RequestKind.SPANS, str(takes["source"]), spans=(Span(0, 1, include=False),))
    run_to_take(LocalProvider(), request, tmp_path / "flac", OutputFormat.parse("flac"))
    flac = load_take(tmp_path / "flac")
    assert flac.files["target"].endswith(".flac")
    window = takes_window(qtbot, {"source": takes["source"], "flac": flac}, "flac")
    wait_lanes(qtbot, window, ["target", "residual"])
    release, threads = threading.Event(), []
    real = edited_program.open_audio

    def held(path, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        assert release.wait(10)
        return real(path, **kwargs)

    monkeypatch.setattr(edited_program, "open_audio", held)
    window.results.apply(whole=True)  # returns while the take files are still being opened
    view = window.edited_view
    assert view.decoding and view.program is None and window.timeline.waveform.edited is None
    release.set()
    qtbot.waitUntil(lambda: view.program is not None, timeout=10_000)
    assert threads and all(name.startswith("isolde-takes") for name in threads)
    assert window.timeline.waveform.edited is not None and window.transport.edited
