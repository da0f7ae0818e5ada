"""The jobs panel: what each state looks like, cancel, retry, failure reasons, the log dialog,
copying the request id, no stolen focus, and a screenshot with jobs in several states."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from job_helpers import choose_engine, noise_wav, open_job_window, stop_jobs, wait_state
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from tests.fakecloud.faults import Faults
from tests.fakecloud.testing import start_cloud
from window_helpers import save_screenshot

from isolde.audio.media_ref import describe_media
from isolde.core.project import Project
from isolde.jobs.record import JobRecord
from isolde.jobs.store import JobStore
from isolde.ui.jobs.job_session import jobs_dir_for
from isolde.ui.jobs.jobs_table import Column, JobsTableModel


def _record(state: str, **changes) -> JobRecord:  # type: ignore[no-untyped-def]
    base = JobRecord(
        id=f"j-{state}",
        provider="fal",
        kind="text",
        request={"kind": "text", "prompt": "isolate the lead vocal"},
        out_dir="/t/j",
        output_format="wav",
        label="isolate the lead vocal",
        cost_estimate_usd=0.05,
    )
    return base.moved(state, **changes) if state != "pending" else base


@pytest.mark.parametrize(
    ("record", "status", "details"),
    [
        (_record("pending"), "waiting", ""),
        (_record("submitting"), "sending", ""),
        (_record("queued", queue_position=3), "queued, 3 ahead", ""),
        (_record("queued", queue_position=0), "queued, next", ""),
        (_record("running", logs=("loading the model", "separating")), "running", "separating"),
        (_record("running", fraction=0.4), "running 40%", ""),
        (_record("fetching"), "downloading", ""),
        (
            _record("done", take_file="/t/j/take.json"),
            "done",
            "take saved in j/ — Open take makes it current",
        ),
        (_record("failed", message="CUDA out of memory"), "failed", "CUDA out of memory"),
        (_record("cancelled", message="cancelled"), "cancelled", "cancelled"),
        (_record("unknown", message="it may exist"), "unknown", "it may exist"),
    ],
)
def test_each_state_reads_plainly(qtbot, record: JobRecord, status: str, details: str) -> None:  # type: ignore[no-untyped-def]
    model = JobsTableModel()
    model.upsert(record)
    assert model.index(0, Column.STATUS).data() == status
    assert model.index(0, Column.DETAILS).data() == details
    assert model.index(0, Column.COST).data() == "$0.05"
    assert model.index(0, Column.NAME).data() == "fal.ai · isolate the lead vocal"
    started = record.started_at is not None
    assert (model.index(0, Column.TIME).data() != "") == started  # elapsed once it has begun


@pytest.fixture
def slow_cloud(monkeypatch):  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch, faults=Faults(step_s=0.2, queue_positions=[6, 5, 4, 3, 2, 1]))
    yield cloud
    cloud.stop()


def _fal_job(window, prompt: str = "isolate the lead vocal") -> JobRecord:  # type: ignore[no-untyped-def]
    choose_engine(window, "fal")
    window.project.set_prompt(prompt)
    (record,) = window.jobs.flow.separate()
    return record


def test_cancel_then_retry_from_the_panel(qtbot, job_window, slow_cloud) -> None:  # type: ignore[no-untyped-def]
    panel = job_window.jobs.jobs_panel
    record = _fal_job(job_window)
    wait_state(qtbot, job_window, record.id, "queued")
    panel.select_job(record.id)
    actions = panel.job_actions
    assert actions["cancel"].isEnabled() and not actions["open_take"].isEnabled()
    panel.job_actions["cancel"].trigger()
    wait_state(qtbot, job_window, record.id, "cancelled")
    assert slow_cloud.hits_to("/cancel", "PUT")
    panel.select_job(record.id)
    assert panel.job_actions["retry"].isEnabled() and not panel.job_actions["cancel"].isEnabled()
    slow_cloud.faults.step_s = 0.002
    panel.job_actions["retry"].trigger()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)
    again = panel.model.record_at(0)
    assert again.retry_of == record.id and again.id != record.id
    wait_state(qtbot, job_window, again.id, "done")
    qtbot.waitUntil(lambda: len(job_window.project.state.takes) == 1, timeout=5000)


def test_the_line_under_the_table_describes_the_job_cancel_acts_on_even_in_a_narrow_dock(
    qtbot, job_window, slow_cloud
) -> None:  # type: ignore[no-untyped-def]
    panel = job_window.jobs.jobs_panel
    label = panel.details_label
    assert label.isHidden()  # no jobs yet
    first = _fal_job(job_window, "isolate the lead vocal")
    wait_state(qtbot, job_window, first.id, "queued")
    # Nothing selected: the newest job is described.
    qtbot.waitUntil(lambda: "queued" in label.full_text(), timeout=5000)
    assert label.full_text().startswith(panel.model.name_of(panel.model.record_at(0)))
    second = _fal_job(job_window, "isolate the dog")
    qtbot.waitUntil(lambda: "isolate the dog" in label.full_text(), timeout=5000)
    panel.job_actions["cancel"].trigger()  # nothing selected: the job the line describes
    wait_state(qtbot, job_window, second.id, "cancelled")
    panel.select_job(first.id)
    assert "lead vocal" in label.full_text()
    panel.job_actions["cancel"].trigger()
    wait_state(qtbot, job_window, first.id, "cancelled")
    qtbot.waitUntil(lambda: label.full_text().endswith("lead vocal — cancelled"), timeout=5000)
    # A dock too narrow for the line: it is cut with "…", whole in the tooltip and for readers.
    panel.resize(220, panel.height())
    qtbot.waitUntil(lambda: label.text().endswith("…"), timeout=2000)
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
    assert label.toolTip() == label.accessibleDescription() == label.full_text()


def test_a_failed_job_shows_the_reason_and_its_log(qtbot, job_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch, faults=Faults(step_s=0.002, job_fails="CUDA out of memory"))
    try:
        panel = job_window.jobs.jobs_panel
        record = _fal_job(job_window)
        failed = wait_state(qtbot, job_window, record.id, "failed")
        row = panel.model.row_of(record.id)
        assert panel.model.index(row, Column.STATUS).data() == "failed"
        assert "out of memory" in panel.model.index(row, Column.DETAILS).data()
        assert "Job failed" in job_window.statusBar().currentMessage()
        panel.select_job(record.id)
        dialog = panel.show_logs()
        text = dialog.text.toPlainText()
        assert "loading the model" in text and "out of memory" in text
        assert failed.request_id and failed.request_id in text
        long_line = "the speech estimator hears only 11% of the target at 1–4 kHz: " * 3
        dialog.show_record(dataclasses.replace(failed, logs=(*failed.logs, long_line)))
        qtbot.waitUntil(lambda: dialog.isVisible(), timeout=2000)
        assert dialog.text.horizontalScrollBar().maximum() == 0  # wrapped: read without scrolling
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
        QTest.keyClick(dialog.text, Qt.Key.Key_Escape)  # the log is read, then put away
        assert not dialog.isVisible()
    finally:
        stop_jobs(job_window)
        cloud.stop()


def test_copy_request_id_and_no_focus_stolen_when_a_job_finishes(
    qtbot, job_window, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch, faults=Faults(step_s=0.05))
    try:
        panel = job_window.jobs.jobs_panel
        job_window.activateWindow()
        prompt = job_window.jobs.prompt_panel.prompt
        record = _fal_job(job_window)
        prompt.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is prompt, timeout=2000)
        done = wait_state(qtbot, job_window, record.id, "done")
        qtbot.waitUntil(lambda: len(job_window.project.state.takes) == 1, timeout=5000)
        qtbot.wait(100)
        assert QApplication.focusWidget() is prompt  # the user keeps typing where they were
        assert QApplication.activeWindow() is job_window
        panel.select_job(record.id)
        assert panel.copy_request_id() == done.request_id
        assert QGuiApplication.clipboard().text() == done.request_id
    finally:
        stop_jobs(job_window)
        cloud.stop()


def test_screenshot_with_jobs_in_several_states(qtbot, job_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch, faults=Faults(step_s=0.3, queue_positions=[9, 8, 7, 6, 5]))
    try:
        project, flow = job_window.project, job_window.jobs.flow
        project.add_span(0.0, 0.6, include=False)
        project.add_span(0.8, 2.2, include=True)
        region = project.add_region(2.5, 2.6, prompt="room tone")
        (local,) = flow.separate()
        wait_state(qtbot, job_window, local.id, "done")
        choose_engine(job_window, "fal")
        project.set_prompt("extract the dog bark from the street recording")
        (cancelled,) = flow.separate()
        wait_state(qtbot, job_window, cancelled.id, "queued")
        flow.cancel(cancelled.id)
        wait_state(qtbot, job_window, cancelled.id, "cancelled")
        cloud.faults.job_fails = "CUDA out of memory"
        cloud.faults.step_s = 0.002
        (failed,) = flow.separate()
        wait_state(qtbot, job_window, failed.id, "failed")
        cloud.faults.job_fails = None
        cloud.faults.step_s = 0.5
        project.set_prompt("isolate the lead vocal")
        (queued,) = flow.separate()
        wait_state(qtbot, job_window, queued.id, "queued")
        job_window.edit_state.select(region)
        project.set_prompt("isolat")  # a half-typed prompt: the estimate still shows
        job_window.jobs.prompt_panel.separate_button.setFocus()
        job_window.resize(1400, 900)
        job_window.resizeDocks([job_window.jobs.jobs_dock], [210], Qt.Orientation.Vertical)
        job_window.jobs.jobs_panel.select_job(failed.id)
        qtbot.wait(200)
        assert save_screenshot(job_window, "jobs.png").stat().st_size > 10_000
    finally:
        stop_jobs(job_window)
        cloud.stop()


def test_a_job_cut_off_while_sending_shows_unknown_and_retry_asks_first(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    wav = noise_wav(tmp_path / "a.wav")
    JobStore(jobs_dir_for(Project.new_for_media(describe_media(wav)))).put(
        JobRecord(
            id="cut1", provider="fal", kind="text", label="isolate the lead vocal",
            request={"kind": "text", "media_path": str(wav), "prompt": "isolate the lead vocal"},
            out_dir=str(tmp_path / "take"), output_format="wav", state="submitting",
        )
    )  # fmt: skip
    window = open_job_window(qtbot, wav)
    try:
        record = wait_state(qtbot, window, "cut1", "unknown")
        assert "not sent again" in record.message
        panel = window.jobs.jobs_panel
        row = panel.model.row_of("cut1")
        assert "not sent again" in panel.model.index(row, Column.DETAILS).data()
        asked: list[str] = []
        window.jobs.flow.confirm = lambda title, text: asked.append(text) or False
        panel.select_job("cut1")
        panel.job_actions["retry"].trigger()
        assert asked and "billed again" in asked[0]
        assert panel.model.rowCount() == 1  # declined: nothing sent
    finally:
        stop_jobs(window)


def test_the_panel_lists_only_the_open_recordings_jobs_and_says_whose(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    a, b = noise_wav(tmp_path / "a.wav"), noise_wav(tmp_path / "b.wav", 0.5)
    JobStore(jobs_dir_for(Project.new_for_media(describe_media(a)))).put(
        JobRecord(
            id="of-a", provider="local", kind="spans", label="a's job",
            request={"kind": "spans", "media_path": str(a)},
            out_dir=str(tmp_path / "take"), output_format="wav", state="failed",
        )
    )  # fmt: skip
    window = open_job_window(qtbot, b)
    try:
        panel = window.jobs.jobs_panel
        assert panel.model.rowCount() == 0  # another recording's job is not listed
        assert window.jobs.jobs_dock.windowTitle() == "Jobs — b.wav (unsaved)"
        window.load(a)
        qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
        assert window.jobs.jobs_dock.windowTitle() == "Jobs — a.wav (unsaved)"
        assert panel.model.row_of("of-a") is not None
    finally:
        stop_jobs(window)
