"""Take lanes under the original, the takes list, and A/B listening through the real player."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from take_helpers import (
    BLOCK,
    RATE,
    results_window,
    scene_takes,
    separation_take,
    takes_window,
    wait_lanes,
)

from isolde.audio.device import NO_OUTPUT
from isolde.audio.pull_backend import PullBackend
from isolde.core.takes import Take
from isolde.ui.playback import device_menu
from isolde.ui.timeline.waveform_layer import y_extent


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("takes")
    takes = scene_takes(folder, other=True)
    takes["mono"] = _mono_copy(separation_take(takes["source"], folder / "mono"))
    return takes


def _mono_copy(take: Take) -> Take:
    """The take as an engine's own mono output (what keep_mono stores for SAM Audio)."""
    files = {}
    for role, path in take.files.items():
        mono = Path(path).with_name(f"{role}-mono.wav")
        sf.write(mono, sf.read(path, dtype="float32")[0].mean(axis=1), RATE, subtype="FLOAT")
        files[role] = str(mono)
    return replace(take, id=f"{take.id}-mono", files=files)


def _curve_x_range(layer) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    x, _ = layer._curves[0].getData()
    return float(x.min()), float(x.max())


def test_lanes_appear_under_the_original_and_follow_zoom(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, "spans")
    wait_lanes(qtbot, window, ["target", "residual"])
    lanes = window.timeline.take_lanes
    original_bottom = y_extent(window.timeline.waveform.lanes)[0]
    centres = [lanes.lane_centre("target"), lanes.lane_centre("residual")]
    assert centres[0] + 1.0 < original_bottom and centres[1] < centres[0]
    assert window.timeline.view.viewRange()[1][0] <= centres[1] - 1.0  # all of them in view
    assert "Target" in lanes.labels[0].textItem.toPlainText()
    window.timeline.view.show_range(1.0, 2.0)
    qtbot.waitUntil(lambda: _curve_x_range(lanes.layers[0])[0] >= 0.99, timeout=5_000)
    for layer in lanes.layers:
        x0, x1 = _curve_x_range(layer)
        assert 0.99 <= x0 < 1.01 and 1.99 < x1 <= 2.01
    # the labels stay at the left edge of the view
    assert lanes.labels[0].pos().x() == pytest.approx(1.0, abs=1e-6)
    # the whistle (1.2–3.2 s) is in the target lane, not before it
    _lo, hi = lanes.specs[0].pyramid.envelope(0, int(1.0 * RATE), 50)
    assert float(np.abs(hi).max()) < 0.1
    _lo, hi = lanes.specs[0].pyramid.envelope(int(1.5 * RATE), int(3.0 * RATE), 50)
    assert float(np.abs(hi).max()) > 0.2


def test_switching_the_active_take_and_comparing(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, "spans", "other", "inpaint")
    wait_lanes(qtbot, window, ["inpainted"])  # the last added is active
    panel = window.results_docks.takes_panel
    assert panel.table.rowCount() == 3
    assert panel.table.item(2, 0).text() == "A"
    panel.select_take(takes["spans"].id)
    panel.active_button.click()
    wait_lanes(qtbot, window, ["target", "residual"])
    assert window.project.state.active_take == takes["spans"].id
    assert panel.table.item(0, 0).text() == "A"
    assert set(window.transport.player.lanes) == {"original", "target", "residual"}
    panel.select_take(takes["other"].id)
    panel.compare_button.click()
    wait_lanes(qtbot, window, ["target", "residual", "b.target", "b.residual"])
    assert panel.table.item(1, 0).text() == "B"
    assert window.timeline.take_lanes.labels[2].textItem.toPlainText().startswith("B ·")
    window.project.undo()  # back to the inpaint take as A; B stays
    wait_lanes(qtbot, window, ["inpainted", "b.target", "b.residual"])
    panel.stop_compare_button.click()
    wait_lanes(qtbot, window, ["inpainted"])


def test_takes_list_shows_provenance_and_the_stereo_image(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, "spans", "mono")
    table = window.results_docks.takes_panel.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    row = {h: table.item(0, c).text() for c, h in enumerate(headers)}
    assert row["Engine"] == "Offline" and row["Kind"] == "separate"
    assert row["Cost"] == "free" and row["Created"][:2] == "20"
    assert row["Stereo"] == "stereo kept"
    assert table.item(1, headers.index("Stereo")).text() == "engine mono"
    wait_lanes(qtbot, window, ["target", "residual"])  # a mono take plays and draws too


def _pull(backend: PullBackend, player, blocks: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(blocks):
        player.wait_buffered(1.0)
        out.append(backend.pull(BLOCK))
    return np.concatenate(out)


def test_switching_what_is_heard_lands_within_20ms_without_a_click(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend()
    window = takes_window(qtbot, takes, "spans", backend=backend)
    wait_lanes(qtbot, window, ["target", "residual"])
    player = window.transport.player
    window.seek(1.5)
    QTest.keyClick(window, Qt.Key.Key_Space)
    _pull(backend, player, 20)  # past the fade-in
    original = sf.read(takes["source"], dtype="float32")[0]
    target = sf.read(takes["spans"].files["target"], dtype="float32")[0]
    residual = sf.read(takes["spans"].files["residual"], dtype="float32")[0]
    for key, lanes_heard, expected in (
        (Qt.Key.Key_2, {"target"}, target),
        (Qt.Key.Key_3, {"residual"}, residual),
        (Qt.Key.Key_1, {"original"}, original),
    ):
        before = player.lanes
        start = round(player.position * RATE)
        QTest.keyClick(window, key)
        assert {n for n, s in player.lanes.items() if s.solo} == lanes_heard
        out = _pull(backend, player, 12)
        was = next(n for n, s in before.items() if s.solo)
        previous = {"original": original, "target": target, "residual": residual}[was]
        want = expected[start : start + len(out)]
        off = np.abs(out - want).max(axis=1) > 1e-5
        landed = int(np.flatnonzero(off)[-1]) + 1 if off.any() else 0
        assert landed / RATE <= 0.020, f"{key}: the switch took {landed / RATE * 1000:.1f} ms"
        # During the crossfade no step is larger than the signals' own steps allow.
        allowed = max(np.abs(np.diff(want, axis=0)).max(), np.abs(np.diff(previous, axis=0)).max())
        assert np.abs(np.diff(out, axis=0)).max() <= allowed + 0.01
    assert player.underruns == 0


def test_ab_between_two_takes_and_against_the_original(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = takes_window(qtbot, takes, "other", "spans")
    wait_lanes(qtbot, window, ["target", "residual"])
    player = window.transport.player
    QTest.keyClick(window, Qt.Key.Key_B)  # no B take: original ↔ the take
    assert player.lanes["target"].solo and not player.lanes["original"].solo
    QTest.keyClick(window, Qt.Key.Key_B)
    assert player.lanes["original"].solo and not player.lanes["target"].solo
    window.results.set_compare(takes["other"].id)
    wait_lanes(qtbot, window, ["target", "residual", "b.target", "b.residual"])
    QTest.keyClick(window, Qt.Key.Key_4)  # the remix of A ...
    QTest.keyClick(window, Qt.Key.Key_B)  # ... then of B, at the same gains
    soloed = {n for n, s in player.lanes.items() if s.solo}
    assert soloed == {"b.target", "b.residual"}
    assert window.timeline.take_lanes.heard == soloed
    assert "take B" in window.statusBar().currentMessage()
    QTest.keyClick(window, Qt.Key.Key_B)
    assert {n for n, s in player.lanes.items() if s.solo} == {"target", "residual"}


def test_no_output_device_is_a_message_and_the_lanes_still_work(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend(fail=NO_OUTPUT.format("no output device was found"))
    window = takes_window(qtbot, takes, "spans", backend=backend)
    wait_lanes(qtbot, window, ["target", "residual"])
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert not window.transport.playing
    assert "No sound output" in window.statusBar().currentMessage()
    QTest.keyClick(window, Qt.Key.Key_2)
    assert window.transport.player.lanes["target"].solo  # the choice is kept for later
    assert window.results.apply(whole=True) is not None  # applying needs no sound card
    assert window.last_error is None


def test_output_device_menu_lists_devices_and_switches(qtbot, takes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = results_window(qtbot, takes["source"])
    menu = window.results_docks.device_menu
    monkeypatch.setattr(device_menu.audio_device, "output_devices", lambda: [])
    menu.refresh()
    assert [a.text() for a in menu.actions()][1] == device_menu.NO_DEVICES
    fake = [{"index": 3, "name": "Desk", "hostapi": "JACK", "channels": 2, "default": True}]
    monkeypatch.setattr(device_menu.audio_device, "output_devices", lambda: fake)
    chosen: list[object] = []
    monkeypatch.setattr(window.transport.player, "set_device", chosen.append)
    menu.refresh()
    desk = next(a for a in menu.actions() if a.text().startswith("Desk"))
    desk.trigger()
    assert chosen == [3] and window.transport.device == 3
    menu.refresh()
    assert next(a for a in menu.actions() if a.text().startswith("Desk")).isChecked()


def test_a_take_at_another_rate_is_a_message(qtbot, takes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    odd = tmp_path / "odd.wav"
    sf.write(odd, np.zeros((22050, 2), np.float32), 22050)
    take = replace(takes["spans"], id="odd", files={"target": str(odd), "residual": str(odd)})
    window = results_window(qtbot, takes["source"])
    window.project.add_take(take)
    qtbot.waitUntil(lambda: not window.results.loading, timeout=10_000)
    assert "22050 Hz" in window.statusBar().currentMessage()
    assert window.timeline.take_lanes.names == []
