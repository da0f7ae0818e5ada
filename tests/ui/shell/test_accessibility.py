"""Accessibility: a name on every visible control, the timeline's spoken playhead and selected
mark, job results announced, and the prompt panel's Tab order.

Assistive technology cannot run here: its side is the accessibility events Qt would send it,
recorded by replacing `QAccessible.updateAccessibility` (the only stand-in in these tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyqtgraph as pg
import pytest
from job_helpers import stop_jobs, wait_state
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QGraphicsView,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)
from video_helpers import make_video, video_window
from window_helpers import open_in_window

from isolde.audio.playback import Player
from isolde.audio.pull_backend import PullBackend
from isolde.core.timecode import format_time
from isolde.resources import sample_path
from isolde.ui.common.announce import announce
from isolde.ui.shell.accessibility import prompt_chain
from isolde.ui.shell.main_window import MainWindow

Event = QAccessible.Event
INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractSlider,
    QAbstractItemView,
    QGraphicsView,  # the timeline's plot, the overview, the video viewer
    QTabBar,
)


def _part_of_another(widget: QWidget) -> bool:
    """Pieces assistive technology reaches through their owner: a table's header, a scroll
    area's bars, a spin box's own text field."""
    return (
        isinstance(widget, QHeaderView | QScrollBar) or widget.objectName() == "qt_spinbox_lineedit"
    )


def unnamed(window: MainWindow) -> list[str]:
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or _part_of_another(widget):
            continue
        if not widget.isVisibleTo(window):
            continue
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface is not None else ""
        if not name.strip():
            owner = widget.parentWidget()
            found.append(f"{type(widget).__name__} '{widget.objectName()}' in {owner!r}")
    return found


def walked(window: MainWindow) -> int:
    return sum(
        isinstance(w, INTERACTIVE) and w.isVisibleTo(window) for w in window.findChildren(QWidget)
    )


def raise_each_tabbed_dock(window: MainWindow) -> Iterator[QDockWidget]:
    for dock in window.findChildren(QDockWidget):
        if window.tabifiedDockWidgets(dock):
            dock.raise_()
            QApplication.processEvents()
            yield dock


def test_every_visible_control_has_an_accessible_name(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    window.project.add_span(1.0, 2.0, include=False)
    assert walked(window) >= 40  # the window's controls, not an empty walk
    assert unnamed(window) == []
    assert isinstance(window.timeline.plot_widget, pg.PlotWidget)
    for dock in raise_each_tabbed_dock(window):  # Remix, Layers, … behind their tabs
        assert unnamed(window) == [], dock.objectName()


def test_every_control_with_a_video_open_has_an_accessible_name(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    video = make_video(tmp_path / "clip.mp4", seconds=1.0)
    window = video_window(qtbot, video.path)
    assert window.video.dock.isVisible()
    assert unnamed(window) == []
    for dock in raise_each_tabbed_dock(window):
        assert unnamed(window) == [], dock.objectName()


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Event, QObject]]:
    """The accessibility events sent, as (kind, object)."""
    sent: list[tuple[Event, QObject]] = []
    record = staticmethod(lambda e: sent.append((e.type(), e.object())))
    monkeypatch.setattr(QAccessible, "updateAccessibility", record)
    return sent


def _name(widget: QWidget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def test_the_timeline_speaks_its_playhead_and_selected_mark(qtbot, events) -> None:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    plot = window.timeline.plot_widget
    duration = format_time(window.document.source.info.duration)
    assert _name(plot) == f"Timeline, playhead 0:00:00.000 of {duration}, no mark selected"
    events.clear()
    window.commands.playhead_to(1.25)
    assert _name(plot).startswith(f"Timeline, playhead 0:00:01.250 of {duration}")
    assert (Event.NameChanged, plot) in events
    span = window.project.add_span(2.0, 3.5, include=False)
    window.edit_state.select(span)
    assert _name(plot) == (
        f"Timeline, playhead 0:00:01.250 of {duration}, "
        "selected: exclude span 0:00:02.000–0:00:03.500"
    )
    window.project.update_span(span, end=4.0)  # moved: said again
    assert _name(plot).endswith("exclude span 0:00:02.000–0:00:04.000")
    description = QAccessible.queryAccessibleInterface(plot).text(QAccessible.Text.Description)
    assert "Include tool" in description and "Space plays" in description
    events.clear()
    window.commands.playhead_to(1.25)  # no change, no event
    assert (Event.NameChanged, plot) not in events


def test_the_timeline_is_quiet_while_playing_and_speaks_on_stop(qtbot, events) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend()
    window = open_in_window(
        qtbot,
        sample_path(),
        (1280, 800),
        player_factory=lambda: Player(backend=backend, blocksize=256),
    )
    plot = window.timeline.plot_widget
    before = _name(plot)
    events.clear()
    window.transport.play(1.0)
    player = window.transport.player
    for _ in range(40):
        player.wait_buffered(1.0)
        backend.pull(256)
    qtbot.waitUntil(lambda: window.timeline.playhead > 1.0, timeout=5000)
    assert _name(plot) == before  # followed the playback silently
    assert not any(obj is plot for _kind, obj in events)
    window.transport.stop()
    assert _name(plot).startswith(f"Timeline, playhead {format_time(window.timeline.playhead)}")
    assert _name(plot) != before
    assert (Event.NameChanged, plot) in events


def test_announce_shows_the_message_and_alerts(qtbot, events) -> None:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    bar = window.statusBar()
    events.clear()
    announce(window, "Separation finished: Offline · 2 exclude spans")
    assert bar.currentMessage() == "Separation finished: Offline · 2 exclude spans"
    assert _name(bar) == "Separation finished: Offline · 2 exclude spans"
    assert [(kind, obj is bar) for kind, obj in events] == [
        (Event.NameChanged, True),
        (Event.Alert, True),
    ]


def test_a_finished_job_is_announced(qtbot, job_window, events) -> None:  # type: ignore[no-untyped-def]
    job_window.project.add_span(0.0, 1.0, include=False)
    records = job_window.jobs.flow.separate()
    wait_state(qtbot, job_window, records[0].id, "done")
    bar = job_window.statusBar()
    qtbot.waitUntil(lambda: "Separation finished" in bar.currentMessage(), timeout=10_000)
    assert "is now active" in bar.currentMessage()
    assert any(kind == Event.Alert and obj is bar for kind, obj in events)
    stop_jobs(job_window)


def test_tab_walks_the_prompt_panel_in_order(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    window.project.add_span(1.0, 2.0, include=False)  # Separate becomes reachable
    panel = window.jobs.prompt_panel
    qtbot.waitUntil(lambda: panel.separate_button.isEnabled())
    QApplication.processEvents()  # the options form's new fields take their place in the order
    expected = [w for w in prompt_chain(panel) if w.isEnabled() and w.isVisibleTo(window)]
    assert expected[0] is panel.engine and expected[1] is panel.prompt
    assert panel.separate_button in expected
    assert expected.index(panel.separate_button) > expected.index(panel.examples) + 1  # options
    window.activateWindow()
    panel.engine.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.engine)
    seen = [QApplication.focusWidget()]
    for _ in expected[1:]:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(_owner(QApplication.focusWidget(), expected))
    assert seen == expected


def _owner(widget: QWidget | None, candidates: list[QWidget]) -> QWidget | None:
    """The candidate `widget` is, or is inside (a spin box's text field has the focus)."""
    while widget is not None and widget not in candidates:
        widget = widget.parentWidget()
    return widget


def test_tab_goes_round_the_docks_and_back_without_getting_stuck(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, sample_path(), (1280, 800))
    window.project.add_span(1.0, 2.0, include=False)
    plot = window.timeline.plot_widget
    window.activateWindow()
    plot.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is plot)
    seen: list[QWidget] = []
    for _ in range(80):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None and (not seen or focused is not seen[-1]), seen[-1:]
        seen.append(focused)
        if focused is plot:
            break
    assert seen[-1] is plot  # round the window and back
    panel = window.jobs.prompt_panel
    for stop in (
        window.spans_panel.table,
        panel.engine,
        panel.separate_button,
        window.jobs.jobs_panel.table,
    ):
        assert stop in seen, stop.accessibleName()
    marks, engine = seen.index(window.spans_panel.table), seen.index(panel.engine)
    assert marks < engine < seen.index(window.jobs.jobs_panel.table)  # marks, prompt, jobs


def test_the_custom_views_describe_how_to_use_them(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    video = make_video(tmp_path / "clip.mp4", seconds=1.0)
    window = video_window(qtbot, video.path)
    views = [window.timeline.plot_widget, window.timeline.overview]
    views += [
        v for v in window.findChildren(QGraphicsView) if v.accessibleName() == "Video picture"
    ]
    assert len(views) == 3
    for view in views:
        text = QAccessible.queryAccessibleInterface(view).text(QAccessible.Text.Description)
        assert len(text) > 40, view.accessibleName()
