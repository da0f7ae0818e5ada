"""Spectrogram, sample-level drawing, keyboard access and accessible names."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QTableView, QWidget
from timeline_helpers import open_window, write_tone_wav
from window_helpers import screenshot_dir

from isolde.ui.shell.editor_actions import COMMANDS
from isolde.ui.shell.menu_keys import NO_SHORTCUT


@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    return open_window(qtbot, write_tone_wav(tmp_path / "tone.wav", 8.0))


def test_spectrogram_toggle_shows_the_visible_range(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    layer = window.timeline.spectrogram
    window.actions_by_key["spectrogram"].trigger()
    assert layer.enabled and window.timeline.waveform.lanes == 2
    qtbot.waitUntil(lambda: layer._shown is not None, timeout=10_000)
    image = layer.image.image
    assert image is not None and image.shape[0] == 256
    # the 220 Hz tone is the brightest row, low in the picture
    row = int(image.mean(axis=1).argmax())
    assert row < 20
    window.timeline.view.show_range(2.0, 3.0)
    qtbot.waitUntil(
        lambda: layer._shown is not None and layer._shown.start == 2 * 48_000, timeout=10_000
    )
    window.actions_by_key["log_frequency"].trigger()
    qtbot.waitUntil(lambda: layer._shown is not None and layer._shown.log_frequency, timeout=10_000)
    out = screenshot_dir()
    window.grab().save(str(out / "spectrogram.png"))
    window.actions_by_key["spectrogram"].trigger()
    assert not layer.image.isVisible()
    assert window.timeline.waveform._curves  # the waveform is back


def test_sample_level_view_draws_dots(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.timeline.view.show_range(1.0, 1.0 + 120 / 48_000)
    waveform = window.timeline.waveform
    assert waveform.mode == "samples"
    dots = waveform._samples[0]
    assert dots.opts["symbol"] == "o"
    assert len(dots.xData) >= 120
    out = screenshot_dir()
    window.grab().save(str(out / "samples.png"))


def test_every_command_has_a_shortcut_and_a_menu_entry(window) -> None:  # type: ignore[no-untyped-def]
    in_menus = {
        a for menu_action in window.menuBar().actions() for a in menu_action.menu().actions()
    }
    for command in COMMANDS:
        action: QAction = window.actions_by_key[command.key]
        assert action.shortcuts() or command.key in NO_SHORTCUT, command.key  # or says why not
        assert action in in_menus, f"{command.key} is not reachable from a menu"
        assert action.text().replace("&", "")


def test_controls_have_accessible_names(window) -> None:  # type: ignore[no-untyped-def]
    named = [
        window.timeline.plot_widget,
        window.timeline.overview,
        window.spans_panel.table,
        window.banner,
        window.position_label,
    ]
    assert all(w.accessibleName() for w in named)
    for button in window.findChildren(QAbstractButton):
        if button.isVisible():
            assert button.accessibleName() or button.text() or button.toolTip(), button
    for table in window.findChildren(QTableView):
        assert table.accessibleName()
    focusable = [
        w
        for w in window.findChildren(QWidget)
        if w.isVisible() and w.focusPolicy() != 0 and w.isEnabled()
    ]
    assert window.timeline.plot_widget in focusable
    assert window.spans_panel.table in focusable
