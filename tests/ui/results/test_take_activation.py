"""A finished take becomes the active one unless the user is comparing; the status bar says
which happened. Real jobs on the offline engine, through the editor's job flow."""

from __future__ import annotations

from job_helpers import wait_state

from isolde.ui.results.take_activation import activates, arrival_message
from isolde.ui.shell.main_window import MainWindow


def _separate(qtbot, window: MainWindow, start: float, end: float) -> str:  # type: ignore[no-untyped-def]
    """Run a local Separate excluding start–end; returns the new take's id."""
    project = window.project
    before = {t.id for t in project.state.takes}
    for span in project.state.spans:
        project.remove_span(span.id)
    project.add_span(start, end, include=False)
    records = window.jobs.flow.separate()
    wait_state(qtbot, window, records[0].id, "done")
    qtbot.waitUntil(lambda: len(project.state.takes) == len(before) + 1, timeout=10_000)
    return next(t.id for t in project.state.takes if t.id not in before)


def test_the_rule_and_its_words(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    assert activates(comparing=False) and not activates(comparing=True)
    first = _separate(qtbot, job_window, 0.0, 1.0)
    take = job_window.project.state.take(first)
    assert arrival_message(take, active=True) == (
        "Take “Offline · exclude 0:00.00–0:01.00” is now active — "
        "Ctrl+Z goes back to the take before"
    )
    said = arrival_message(take, active=False)
    assert said.startswith("Take “Offline · exclude 0:00.00–0:01.00” added — you are comparing")
    assert "press Enter" in said
    results = job_window.results
    assert not results.comparing
    second = _separate(qtbot, job_window, 2.0, 3.0)
    job_window.project.set_active_take(second)
    results.set_compare(first)
    assert results.comparing
    results.set_compare(None)
    assert not results.comparing


def test_a_new_take_becomes_active_unless_comparing(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    project, status = job_window.project, job_window.statusBar()
    first = _separate(qtbot, job_window, 0.0, 1.0)
    assert project.state.active_take == first
    # not comparing: the newer take takes A's place, and the status bar says so
    second = _separate(qtbot, job_window, 2.0, 3.0)
    assert project.state.active_take == second
    assert status.currentMessage().endswith("is now active — Ctrl+Z goes back to the take before")
    # comparing (B set): A and B stay, the status bar says how to switch
    job_window.results.set_compare(first)
    third = _separate(qtbot, job_window, 1.0, 2.0)
    assert project.state.active_take == second and job_window.results.compare_id == first
    assert third in {t.id for t in project.state.takes}
    assert "added — you are comparing" in status.currentMessage()
