"""Compare from the editor: the dialog prices every try and the total before sending, one job
per try (the fake cloud over real HTTP and the local engine), the takes line up as lanes, and
Alt+1…4 switch between them on the one playing stream; K keeps one, Shift+K keeps it as layers."""

from __future__ import annotations

import soundfile as sf
from job_helpers import noise_wav, stop_jobs
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.fakecloud.testing import start_cloud
from window_helpers import screenshot_dir

from isolde.core.layers import leaves
from isolde.jobs.compare import Try
from isolde.ui.jobs.compare_plan import base_request


def _send(qtbot, window, tries: list[Try]):  # type: ignore[no-untyped-def]
    button = window.jobs.prompt_panel.compare_button
    assert button.isEnabled()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.compare.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.set_tries(tries)
    return dialog


def test_compare_prices_the_sum_sends_one_job_per_try_and_lines_up(
    qtbot, job_window, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch)
    window, project = job_window, job_window.project
    try:
        project.add_span(0.0, 1.0, include=False)
        project.add_span(1.5, 2.5, include=True)
        project.set_prompt("speech")
        tries = [Try("local"), Try("fal"), Try("fal", {"reranking_candidates": "4"})]
        dialog = _send(qtbot, window, tries)
        # each try's own estimate, summed, is what the dialog shows before sending
        base = base_request(project.state)
        duration = project.state.media.duration
        fal = window.jobs.flow.provider("fal")
        one = fal.estimate_cost(base, duration)
        four = fal.estimate_cost(
            base.__class__(**{**base.__dict__, "options": {"reranking_candidates": "4"}}),
            duration,
        )
        assert four > one
        assert dialog.plan.cost_usd == round(one + four, 4)
        assert f"${one + four:.3f}" in dialog.total.text()
        assert [c.text() for c in dialog.costs[:3]] == ["free", f"${one:.3f}", f"${four:.3f}"]
        assert dialog.send_button.isEnabled()
        dialog.resize(720, 330)
        dialog.grab().save(str(screenshot_dir() / "compare-dialog.png"))
        QTest.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)

        results = window.results
        qtbot.waitUntil(lambda: len(results.audition.ready) == 3, timeout=30_000)
        assert len(cloud.hits_to("sam-audio/span-separate", "POST")) == 2  # one per cloud try
        assert len(project.state.takes) == 3
        # only the first take to arrive became active; the others waited
        assert results.comparing or not results.audition.group.pending
        assert project.state.active_take in results.audition.take_ids

        # the tries line up with the source, sample for sample
        frames = sf.info(project.state.media.path).frames
        lanes = results.audition.lanes()
        assert {n for n in lanes if n.endswith(".target")} == {
            "c1.target",
            "c2.target",
            "c3.target",
        }
        for name, source in lanes.items():
            assert source.frames == frames, name
        names = {t.id: results.audition.name(t.id) for t in project.state.takes}
        assert sorted(names.values()) == sorted(t.name for t in tries)

        # Alt+2: try 2's target alone, on the same stream (no source swapped: no restart, the
        # player ramps the gains, so the switch is click-free and stays in sync)
        player = window.transport.player
        swaps: list[object] = []
        original_set_sources = player.set_sources
        monkeypatch.setattr(
            player, "set_sources", lambda *a, **k: swaps.append(a) or original_set_sources(*a, **k)
        )
        window.activateWindow()  # the dialog had the keyboard
        qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
        QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        soloed = {n for n, s in player.lanes.items() if s.solo}
        assert soloed == {"c2.target"}
        assert "try 2 of 3" in window.statusBar().currentMessage()
        QTest.keyClick(window, Qt.Key.Key_3)  # the residual of the same try
        assert {n for n, s in player.lanes.items() if s.solo} == {"c2.residual"}
        QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
        assert {n for n, s in player.lanes.items() if s.solo} == {"c3.residual"}
        assert swaps == []
        window.resize(1280, 800)
        qtbot.wait(200)
        window.grab().save(str(screenshot_dir() / "compare-tries.png"))

        # K keeps the heard try as the active take (undoable)
        before = project.state.active_take
        chosen = results.audition.chosen_take
        QTest.keyClick(window, Qt.Key.Key_K)
        assert project.state.active_take == chosen
        assert not results.comparing  # all tries back, none heard: a new take is made active
        window.undo_action.trigger()
        assert project.state.active_take == before

        # Shift+K keeps it as layers: the source splits into its target and residual
        QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)
        parts = [p.take for layer in leaves(project.state) for p in layer.parts]
        assert parts == [results.audition.chosen_take] * 2
        window.undo_action.trigger()  # one step undoes the split and the choice
        assert len(leaves(project.state)) == 1 and project.state.active_take == before
    finally:
        stop_jobs(window)
        cloud.stop()


def test_compare_dialog_names_a_bad_try_and_sends_nothing(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    job_window.project.add_span(0.0, 1.0, include=False)
    dialog = _send(qtbot, job_window, [Try("local"), Try("local", {"reduction_db": "2"})])
    assert not dialog.send_button.isEnabled()
    assert "try 2" in dialog.problems.text()
    dialog.options[1].setText("reduction_db=12")
    assert dialog.send_button.isEnabled()
    assert "free" in dialog.total.text()
    dialog.options[1].setText("oops")
    assert "KEY=VALUE" in dialog.problems.text() and not dialog.send_button.isEnabled()
    dialog.send()
    assert job_window.jobs.session.records() == []


def test_alt_keys_without_a_comparison_say_how_to_start_one(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(job_window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert "Compare" in job_window.statusBar().currentMessage()
    QTest.keyClick(job_window, Qt.Key.Key_K)
    assert "Choose a try first" in job_window.statusBar().currentMessage()


def test_local_tries_then_another_file_leaves_no_tries_behind(qtbot, job_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window, project = job_window, job_window.project
    project.add_span(0.0, 1.0, include=False)
    dialog = _send(qtbot, window, [Try("local"), Try("local", {"reduction_db": "6"})])
    assert "free" in dialog.total.text()
    dialog.send()
    results = window.results
    qtbot.waitUntil(lambda: len(results.audition.ready) == 2, timeout=30_000)
    results.hear_try(2)
    assert {n for n, s in window.transport.player.lanes.items() if s.solo} == {"c2.target"}
    window.open_path(noise_wav(tmp_path / "other.wav", 2.0))
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.last_error is None
    assert results.audition.group is None and results.audition.lanes() == {}
    assert not any(n.startswith("c") for n in window.transport.player.lanes)
    assert not results.comparing
