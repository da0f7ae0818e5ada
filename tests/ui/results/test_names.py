"""Names of takes, lanes and jobs: short, in the ruler's time format, and the user's to change.

Made from real requests and real takes (the offline engine); renaming goes through the takes
list's editor (F2) and the project's history, and shows wherever the take is named.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from job_helpers import wait_state
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from take_helpers import results_window, separation_take, stereo_wav, wait_lanes

from isolde.core.spans import InpaintRegion, Span
from isolde.core.takes import Take
from isolde.jobs.naming import counted, request_name, short_time
from isolde.jobs.record import JobRecord
from isolde.providers.base import Request, RequestKind, TimeRange
from isolde.ui.jobs.jobs_panel import log_text
from isolde.ui.jobs.jobs_table import Column
from isolde.ui.results.take_info import take_title
from isolde.ui.results.takes_panel import NAME_COLUMN
from isolde.ui.timeline.edits_item import bars_of


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.084507, "0:00.08"), (1.91549, "0:01.92"), (59.999, "1:00.00"), (3725.5, "1:02:05.50")],
)
def test_times_in_names_read_like_the_ruler(seconds: float, text: str) -> None:
    assert short_time(seconds) == text


def _request(**fields) -> dict:  # type: ignore[no-untyped-def]
    return Request(media_path="/m.wav", **fields).to_json()


def test_names_say_the_engine_and_what_was_asked() -> None:
    one = _request(kind=RequestKind.SPANS, spans=(Span(0.084507, 1.91549, include=False),))
    assert request_name("local", one) == "Offline · exclude 0:00.08–0:01.92"
    two = _request(
        kind=RequestKind.SPANS,
        spans=(Span(0.0, 1.0, include=False), Span(7.0, 10.3, include=False)),
    )
    assert request_name("local", two) == "Offline · 2 exclude spans"
    mixed = _request(
        kind=RequestKind.SPANS,
        spans=(Span(0.0, 1.0, include=False), Span(2.0, 3.0), Span(4.0, 5.0, include=False)),
    )
    assert request_name("local", mixed) == "Offline · 1 include, 2 exclude spans"
    text = _request(kind=RequestKind.TEXT, prompt="the dog bark")
    assert request_name("fal", text) == "fal.ai · the dog bark"
    part = _request(kind=RequestKind.TEXT, prompt="piano", selection=TimeRange(60.0, 75.25))
    assert request_name("audiolasso", part) == "AudioLasso · piano · 1:00.00–1:15.25"
    repair = _request(
        kind=RequestKind.INPAINT, region=InpaintRegion(1.2, 2.0, "birdsong"), prompt="birdsong"
    )
    assert request_name("fal", repair) == "Repair 0:01.20–0:02.00 “birdsong”"
    long = request_name("fal", _request(kind=RequestKind.TEXT, prompt="a " * 60 + "end"))
    assert long.endswith("…") and len(long) < 60


def test_counts_agree_with_their_nouns() -> None:
    assert counted(1, "local job") == "1 local job"
    assert counted(2, "local job") == "2 local jobs"
    assert counted(0, "span") == "0 spans"


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | Take]:
    folder = tmp_path_factory.mktemp("names")
    source = stereo_wav(folder / "scene.wav")
    return {"source": source, "spans": separation_take(source, folder / "spans")}


def test_a_take_is_named_by_its_request_until_the_user_names_it(takes) -> None:  # type: ignore[no-untyped-def]
    take = takes["spans"]
    assert take.label == ""  # the engine leaves the name to the user
    assert take_title(take) == "Offline · exclude 0:00.00–0:01.00"
    # a take made before names existed stored its prompt as the label: named like a new one
    old = replace(take, label="piano", request={**take.request, "prompt": "piano"})
    assert take_title(old) == "Offline · piano"
    assert take_title(replace(take, label="Keep this one")) == "Keep this one"


def _rename_with_f2(qtbot, panel, row: int, text: str) -> None:  # type: ignore[no-untyped-def]
    table = panel.table
    table.setFocus()
    table.setCurrentCell(row, NAME_COLUMN)
    qtbot.keyClick(table.viewport(), Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_renaming_in_the_takes_list_shows_everywhere_and_undoes(qtbot, takes) -> None:  # type: ignore[no-untyped-def]
    window = results_window(qtbot, takes["source"])
    project = window.project
    project.add_take(takes["spans"])
    wait_lanes(qtbot, window, ["target", "residual"])
    panel = window.results_docks.takes_panel
    remix = window.results_docks.remix_panel
    window.results.apply(whole=True)  # an edit bar that names the take
    _rename_with_f2(qtbot, panel, 0, "Hum gone")
    qtbot.waitUntil(lambda: project.state.takes[0].label == "Hum gone", timeout=3000)
    assert project.history.undo_label == "Rename take"
    assert panel.table.item(0, NAME_COLUMN).text() == "Hum gone"
    assert window.timeline.take_lanes.labels[0].textItem.toPlainText().endswith("Hum gone")
    assert "Hum gone" in remix.take_label.text()
    assert bars_of(project.state)[0].text.endswith("Hum gone")
    window.undo_action.trigger()
    default = "Offline · exclude 0:00.00–0:01.00"
    assert project.state.takes[0].label == ""
    assert panel.table.item(0, NAME_COLUMN).text() == default
    assert window.timeline.take_lanes.labels[0].textItem.toPlainText().endswith(default)
    assert default in remix.take_label.text()
    # only the name cell is editable; an emptied name goes back to the made-up one
    assert not panel.table.item(0, 2).flags() & Qt.ItemFlag.ItemIsEditable
    _rename_with_f2(qtbot, panel, 0, "x")
    qtbot.waitUntil(lambda: project.state.takes[0].label == "x", timeout=3000)
    _rename_with_f2(qtbot, panel, 0, "   ")
    qtbot.waitUntil(lambda: project.state.takes[0].label == "", timeout=3000)
    assert panel.table.item(0, NAME_COLUMN).text() == default


def test_a_finished_job_is_listed_by_its_takes_name(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    project = job_window.project
    project.add_span(0.0, 1.0, include=False)
    records = job_window.jobs.flow.separate()
    done = wait_state(qtbot, job_window, records[0].id, "done")
    qtbot.waitUntil(lambda: len(project.state.takes) == 1, timeout=5000)
    model = job_window.jobs.jobs_panel.model
    row = model.row_of(done.id)
    assert model.index(row, Column.NAME).data() == "Offline · exclude 0:00.00–0:01.00"
    assert model.index(row, Column.ENGINE).data() == "Offline"
    job_window.results_docks.takes_panel.rename(project.state.takes[0].id, "First try")
    assert model.index(row, Column.NAME).data() == "First try"
    log = log_text(done, model.name_of(done))
    assert "First try" in log
    assert "not sent" not in log and "runs on this computer" in log


def _job(state: str, **changes) -> JobRecord:  # type: ignore[no-untyped-def]
    record = JobRecord(
        id="j1",
        provider="fal",
        kind="text",
        request=_request(kind=RequestKind.TEXT, prompt="the dog bark"),
        out_dir="/t/j1",
        output_format="wav",
    )
    return record if state == "pending" else record.moved(state, **changes)


def test_a_cloud_jobs_log_says_where_its_request_stands() -> None:
    assert "Request   not sent yet" in log_text(_job("pending"))
    assert "Request   never sent" in log_text(_job("failed", message="no key"))
    sent = _job("done", submission={"request_id": "req-42"}, sends=1)
    assert "Request   req-42" in log_text(sent)
    assert "Prompt    the dog bark" in log_text(sent)
    assert "Name      fal.ai · the dog bark" in log_text(sent, "fal.ai · the dog bark")
