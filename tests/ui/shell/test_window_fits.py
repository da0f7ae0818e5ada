"""The editor with a video open fits a 1280×800 screen: every dock can shrink that far, and the
button rows under the Jobs and Takes tables wrap instead of widening the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QPushButton, QTableView, QWidget
from video_helpers import make_video, video_window
from window_helpers import open_in_window

from isolde.resources import sample_path
from isolde.ui.common.flow_layout import FlowLayout


def test_the_editor_with_a_video_fits_1280_by_800(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    made = make_video(tmp_path / "scene.mp4", size=(320, 180), seconds=1.0)
    window = video_window(qtbot, made.path)
    assert window.video.dock.isVisible() and window.video.mask_tools.dock.isVisible()
    hint = window.minimumSizeHint()
    # Headroom: a real X server's fonts measured ~7 % wider than offscreen (1320 vs 1237 px
    # before the button rows wrapped), and users may pick larger fonts.
    assert hint.width() <= 1080 and hint.height() <= 720, hint
    assert window.width() <= 1280


def test_a_flow_layout_wraps_its_buttons_onto_more_rows_when_narrow(qtbot) -> None:  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    layout = FlowLayout(host)
    buttons = [QPushButton(f"Button number {i}", host) for i in range(4)]
    for button in buttons:
        layout.addWidget(button)
    one_row = layout.sizeHint()
    widest = max(b.sizeHint().width() for b in buttons)
    assert layout.minimumSize().width() == widest  # never wider than its widest button
    assert layout.heightForWidth(one_row.width()) == one_row.height()
    assert layout.heightForWidth(widest) > 3 * buttons[0].sizeHint().height()  # one per row
    host.resize(widest + 10, layout.heightForWidth(widest + 10))
    host.show()
    qtbot.waitExposed(host)
    tops = sorted({b.geometry().top() for b in buttons})
    assert len(tops) == 4  # each button on its own row
    assert all(b.geometry().right() <= host.width() for b in buttons)


def test_at_1280_by_800_the_prompt_is_in_front_and_the_marks_list_shows_rows(  # type: ignore[no-untyped-def]
    qtbot,
) -> None:
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    prompt = window.jobs.prompt_panel
    assert prompt.isVisible() and not prompt.visibleRegion().isEmpty()  # not behind Remix
    table = window.spans_panel.findChild(QTableView)
    rows = table.viewport().height() / max(table.verticalHeader().defaultSectionSize(), 1)
    # A first user's handful of marks without scrolling: 4 rows of offscreen's 30 px (Xvfb's
    # 24 px rows show 5.5), the Prompt's fields all in view below, and three rows of takes.
    assert rows >= 4, rows


def test_at_1280_by_800_the_takes_list_shows_three_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    table = window.results_docks.takes_panel.table
    assert table.isVisible()
    rows = table.viewport().height() / max(table.verticalHeader().defaultSectionSize(), 1)
    assert rows >= 3, rows  # a few takes to compare without scrolling (under two before)
    timeline = window.timeline
    assert timeline.height() >= 0.45 * window.height()  # the waveform stays the main thing
