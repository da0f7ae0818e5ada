"""From Separate to a take in the project: the bridge, the job store's place, confirmation of
large jobs, the fake cloud's queue, and resuming a project's unfinished jobs on open."""

from __future__ import annotations

import threading
from pathlib import Path

from job_helpers import (
    choose_engine,
    noise_wav,
    open_job_window,
    stop_jobs,
    wait_state,
)
from tests.fakecloud.faults import Faults
from tests.fakecloud.testing import start_cloud

from isolde.audio.media_ref import describe_media
from isolde.core.project import Project
from isolde.core.spans import Span
from isolde.jobs.record import JobRecord
from isolde.jobs.store import JobStore
from isolde.providers.base import Request, RequestKind
from isolde.ui.jobs.job_bridge import JobBridge
from isolde.ui.jobs.job_session import jobs_dir_for


def test_the_bridge_delivers_worker_records_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    bridge = JobBridge()
    seen: list[tuple[str, str]] = []
    bridge.record_arrived.connect(
        lambda source, record: seen.append((threading.current_thread().name, record.id))
    )
    listen = bridge.listener("manager")
    record = JobRecord(
        id="a", provider="local", kind="spans", request={}, out_dir="x", output_format="wav"
    )

    def work() -> None:
        for i in range(5):
            listen(record.moved("running", fraction=i / 5))

    worker = threading.Thread(target=work, name="job-worker")
    worker.start()
    worker.join()
    assert seen == []  # nothing is delivered on the worker's thread
    qtbot.waitUntil(lambda: len(seen) == 5, timeout=2000)
    assert {name for name, _ in seen} == {threading.main_thread().name}
    bridge.stop()


def test_a_local_separate_runs_through_the_bridge_to_a_take_in_the_project(
    qtbot, job_window
) -> None:  # type: ignore[no-untyped-def]
    project = job_window.project
    project.add_span(0.0, 1.0, include=False)
    records = job_window.jobs.flow.separate()
    assert len(records) == 1
    done = wait_state(qtbot, job_window, records[0].id, "done")
    qtbot.waitUntil(lambda: len(project.state.takes) == 1, timeout=5000)
    take = project.state.takes[0]
    assert project.state.active_take == take.id
    assert take.kind == "separate" and take.provider == "local"
    assert Path(take.files["target"]).is_file() and Path(take.files["residual"]).is_file()
    assert Path(take.files["target"]).parent.parent == project.takes_dir
    assert Path(done.take_file).parent == Path(take.files["target"]).parent
    assert "is now active" in job_window.statusBar().currentMessage()
    assert project.history.undo_label == "Add take"
    job_window.undo_action.trigger()  # undoable like any edit
    assert project.state.takes == ()
    # Open take brings it back (the job still has it)
    panel = job_window.jobs.jobs_panel
    panel.select_job(done.id)
    panel.job_actions["open_take"].trigger()
    assert project.state.active_take == take.id


def test_the_job_store_lives_beside_the_project_or_in_the_data_folder(tmp_path: Path) -> None:
    wav = noise_wav(tmp_path / "a.wav", 0.5)
    project = Project.new_for_media(describe_media(wav))
    assert "untitled" in str(jobs_dir_for(project))
    assert str(jobs_dir_for(project)).startswith(str(tmp_path.parent))  # ISOLDE_DATA_DIR
    project.save(tmp_path / "show.isolde")
    assert jobs_dir_for(project) == tmp_path / "show-jobs"


def test_unfinished_jobs_are_resumed_when_the_project_opens(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wav = noise_wav(tmp_path / "a.wav")
    project = Project.new_for_media(describe_media(wav))
    path = project.save(tmp_path / "show.isolde")
    request = Request(RequestKind.SPANS, str(wav), spans=(Span(0, 1, include=False),))
    JobStore(jobs_dir_for(project)).put(
        JobRecord(
            id="left1",
            provider="local",
            kind="spans",
            request=request.to_json(),
            out_dir=str(project.takes_dir / "left1"),
            output_format="wav",
            state="running",
        )
    )
    window = open_job_window(qtbot, path)
    try:
        wait_state(qtbot, window, "left1", "done")
        qtbot.waitUntil(lambda: len(window.project.state.takes) == 1, timeout=5000)
    finally:
        stop_jobs(window)


def test_a_fal_job_shows_its_queue_position_then_done(qtbot, job_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cloud = start_cloud(monkeypatch, faults=Faults(step_s=0.15, queue_positions=[2, 1, 0]))
    try:
        seen: list[JobRecord] = []
        job_window.jobs.bridge.record_arrived.connect(lambda _s, r: seen.append(r))
        choose_engine(job_window, "fal")
        job_window.project.set_prompt("isolate the lead vocal")
        assert "$0.05" in job_window.jobs.prompt_panel.estimate.text()
        (record,) = job_window.jobs.flow.separate()
        queued = wait_state(qtbot, job_window, record.id, "queued")
        panel = job_window.jobs.jobs_panel
        row = panel.model.row_of(record.id)
        status = panel.model.index(row, 0).data()
        assert status.startswith("queued,") and queued.queue_position is not None, status
        assert panel.model.index(row, 4).data() == "$0.05"  # the estimated cost
        wait_state(qtbot, job_window, record.id, "done")
        assert any(r.state == "queued" and r.queue_position is not None for r in seen)
        qtbot.waitUntil(lambda: len(job_window.project.state.takes) == 1, timeout=5000)
        assert len(cloud.hits_to("sam-audio/separate", "POST")) == 1
    finally:
        stop_jobs(job_window)
        cloud.stop()


def test_large_jobs_ask_first_and_a_no_sends_nothing(job_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FAL_KEY", "test-key")
    flow = job_window.jobs.flow
    asked: list[str] = []
    flow.confirm = lambda title, text: asked.append(text) or False
    choose_engine(job_window, "fal")
    job_window.project.set_prompt("isolate the lead vocal")
    assert not flow.plan("separate").large  # 3 s of audio: no question asked
    # pretend the recording is 20 minutes long (nothing is sent: the answer is no)
    media = job_window.project.state.media
    monkeypatch.setattr(type(media), "duration", property(lambda self: 1200.0))
    assert flow.plan("separate").large
    assert flow.separate() == []
    assert asked and "$2.00" in asked[0] and "fal" in asked[0] and "2026-11-21" in asked[0]
    assert job_window.jobs.session.records() == []
    assert "not sent" in job_window.statusBar().currentMessage()


def test_inpaint_sends_one_job_per_region(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    project = job_window.project
    first = project.add_region(0.5, 0.6)
    project.add_region(2.0, 2.1)
    job_window.edit_state.select(first)
    (one,) = job_window.jobs.flow.inpaint()  # the selected region only
    assert one.request["region"]["id"] == first
    job_window.edit_state.select(None)
    both = job_window.jobs.flow.inpaint()
    assert len(both) == 2
    for record in (one, *both):
        wait_state(qtbot, job_window, record.id, "done")
    qtbot.waitUntil(lambda: len(project.state.takes) == 3, timeout=5000)
    assert {t.kind for t in project.state.takes} == {"inpaint"}


def test_a_take_waits_for_an_edit_in_progress_to_end(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    project = job_window.project
    project.add_span(0.0, 1.0, include=False)
    (record,) = job_window.jobs.flow.separate()
    project.begin_group("Add include")  # the user is dragging out a new mark
    project.add_span(1.5, 2.0, include=True)
    wait_state(qtbot, job_window, record.id, "done")
    qtbot.wait(300)
    assert project.state.takes == ()  # not folded into the user's step
    project.end_group()
    qtbot.waitUntil(lambda: len(project.state.takes) == 1, timeout=5000)
    assert project.history.labels[0][-2:] == ["Add include", "Add take"]


def test_an_engine_unknown_here_is_reported_not_fatal(job_window) -> None:  # type: ignore[no-untyped-def]
    job_window.project.set_provider("elsewhere", {"x": 1})
    panel = job_window.jobs.prompt_panel
    assert job_window.jobs.flow.separate() == []
    assert "'elsewhere'" in panel.problem_text("engine")
