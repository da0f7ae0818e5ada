"""The jobs panel: every job of the project with its status, and what can be done with each.

Updates arrive from the session (through the bridge, on the GUI thread) and only change rows:
nothing here raises, activates or focuses a window, so a job finishing never interrupts the user.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from isolde.core.errors import IsoldeError
from isolde.core.project import Project
from isolde.jobs.naming import engine_name, runs_here
from isolde.jobs.record import JobRecord
from isolde.ui.common.elided_label import ElidedLabel
from isolde.ui.common.flow_layout import FlowLayout
from isolde.ui.common.theme import mark_error
from isolde.ui.jobs.job_session import JobSession
from isolde.ui.jobs.jobs_table import (
    Column,
    JobsTableModel,
    details_text,
    job_name,
    status_text,
    time_text,
)
from isolde.ui.jobs.submit_flow import SubmitFlow

TICK_MS = 1000  # running jobs' elapsed time


def request_line(record: JobRecord) -> str:
    """Where the request went: a local job is never sent anywhere."""
    if record.request_id:
        return record.request_id
    if runs_here(record.provider):
        return "none — runs on this computer, nothing is sent"
    if record.active:
        return "not sent yet"
    return "never sent" if record.sends == 0 else "sent, but the engine gave no id"


def log_text(record: JobRecord, name: str | None = None) -> str:
    prompt = str(record.request.get("prompt", "")).strip()
    lines = [
        f"Job       {record.id}",
        f"Name      {name or job_name(record)}",
        f"Engine    {engine_name(record.provider)} ({record.provider}, {record.kind})",
        *([f"Prompt    {prompt}"] if prompt else []),
        f"Status    {status_text(record)}  {time_text(record)}",
        f"Request   {request_line(record)}",
        f"Take      {record.out_dir}",
    ]
    if record.message:
        lines.append(f"Message   {record.message}")
    lines.append("")
    # A bullet starts each entry, so a wrapped one is not read as two.
    lines.extend([f"• {line}" for line in record.logs] or ["(no log lines yet)"])
    return "\n".join(lines)


class JobLogsDialog(QDialog):
    """A job's full log; follows the job while the dialog is open."""

    def __init__(
        self,
        record: JobRecord,
        session: JobSession,
        parent: QWidget | None,
        name_of: Callable[[JobRecord], str] = job_name,
    ) -> None:
        super().__init__(parent)
        self.job_id = record.id
        self.name_of = name_of
        self.setWindowTitle(f"Job log — {name_of(record)}")
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Job log")
        # The engines' log lines are sentences, read whole: wrapped, not scrolled sideways.
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        # The header's values line up in columns only in a fixed-width font.
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(640, 420)
        self.show_record(record)
        session.record_changed.connect(self._changed)

    def show_record(self, record: JobRecord) -> None:
        self.text.setPlainText(log_text(record, self.name_of(record)))

    def _changed(self, record: JobRecord) -> None:
        if record.id == self.job_id:
            self.show_record(record)


class JobsPanel(QWidget):
    def __init__(
        self, session: JobSession, flow: SubmitFlow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Jobs list")
        self.session = session
        self.flow = flow
        self.model = JobsTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Jobs")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in ((Column.STATUS, 120), (Column.NAME, 220), (Column.TIME, 50)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self._double_clicked)

        # The selected job's (else the newest job's) status and latest log line: in a narrow dock
        # the table's Details column is scrolled off to the right.
        self.details_label = ElidedLabel(self)
        self.details_label.setAccessibleName("Job details")

        self.error_label = QLabel(self)
        self.error_label.setAccessibleName("Jobs panel message")
        self.error_label.setWordWrap(True)
        mark_error(self.error_label)
        self.error_label.hide()

        self.job_actions: dict[str, QAction] = {}
        buttons = FlowLayout()  # wraps in a narrow dock
        for key, text, tip, slot in (
            ("cancel", "Cancel job", "Stop the selected job, else the newest (the engine is asked "
             "to drop it)",
             self.cancel_selected),
            ("retry", "Retry", "Send the selected job, else the newest, again as a new job",
             self.retry_selected),
            ("open_take", "Open take", "Make the result of the selected job, else the newest, "
             "the current take", self.open_selected_take),
            ("logs", "Show log…", "Everything the engine reported for the selected job, else "
             "the newest", self.show_logs),
            ("copy_id", "Copy request id", "The engine's id for the selected job, else the "
             "newest, for its support or dashboard", self.copy_request_id),
        ):  # fmt: skip
            action = QAction(text, self)
            action.setToolTip(tip)
            action.setObjectName(f"job_{key}")
            action.triggered.connect(lambda _c=False, s=slot: s())
            self.job_actions[key] = action
            button = QPushButton(text, self)
            button.setAccessibleName(text)
            button.setToolTip(tip)
            button.clicked.connect(action.trigger)
            action.enabledChanged.connect(button.setEnabled)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details_label)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        self._unsubscribe: Callable[[], None] | None = None
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(self.model.tick)
        self._tick.start()
        session.record_changed.connect(self._record_changed)
        session.records_reset.connect(self.reload)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.reload()

    # -- contents -------------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Finished jobs are named after their take, which the user may rename."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.model.set_takes(project.state.takes if project else ())
        if project is not None:
            self._unsubscribe = project.subscribe(lambda s, _r: self.model.set_takes(s.takes))

    def reload(self) -> None:
        self.model.set_records(self.session.records())
        self._update_actions()

    def _record_changed(self, record: JobRecord) -> None:
        self.model.upsert(record)
        self._update_actions()

    def selected_record(self) -> JobRecord | None:
        """The selected job, else the newest: the one the line under the table describes, so
        Cancel job works on a job just sent without finding its row first."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.record_at(rows[0].row() if rows else 0)

    def select_job(self, job_id: str) -> None:
        row = self.model.row_of(job_id)
        if row is not None:
            self.table.selectRow(row)

    def _update_actions(self) -> None:
        record = self.selected_record()
        self._show_details(record)
        state = record.state if record else None
        self.job_actions["cancel"].setEnabled(bool(record and record.active))
        self.job_actions["retry"].setEnabled(state in ("failed", "cancelled", "unknown", "done"))
        self.job_actions["open_take"].setEnabled(state == "done")
        self.job_actions["logs"].setEnabled(record is not None)
        self.job_actions["copy_id"].setEnabled(bool(record and record.request_id))

    def _show_details(self, record: JobRecord | None) -> None:
        if record is None:
            self.details_label.set_full_text("")
            self.details_label.hide()
            return
        said, status = details_text(record), status_text(record)
        text = f"{self.model.name_of(record)} — {status}"
        self.details_label.set_full_text(text + (f": {said}" if said and said != status else ""))
        self.details_label.show()

    # -- actions --------------------------------------------------------------------------------
    def _run(self, what: str, fn) -> None:  # type: ignore[no-untyped-def]
        try:
            fn()
        except IsoldeError as exc:
            self.error_label.setText(f"{what}: {exc}")
            self.error_label.show()
            return
        self.error_label.hide()

    def cancel_selected(self) -> None:
        record = self.selected_record()
        if record is not None and record.active:
            self._run("Cancel", lambda: self.flow.cancel(record.id))

    def retry_selected(self) -> None:
        record = self.selected_record()
        if record is not None:
            self._run("Retry", lambda: self.flow.retry(record.id))

    def open_selected_take(self) -> None:
        record = self.selected_record()
        if record is not None:
            self._run("Open take", lambda: self.flow.open_take(record.id))

    def show_logs(self) -> JobLogsDialog | None:
        record = self.selected_record()
        if record is None:
            return None
        latest = self.session.get(record.id) or record
        dialog = JobLogsDialog(latest, self.session, self, self.model.name_of)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()  # the user asked for it: a new window is expected here
        dialog.raise_()
        dialog.activateWindow()  # keys go to it: Escape closes it, not the editor's Stop
        return dialog

    def copy_request_id(self) -> str | None:
        record = self.selected_record()
        if record is None or not record.request_id:
            return None
        QGuiApplication.clipboard().setText(record.request_id)
        self.error_label.hide()
        return record.request_id

    def _double_clicked(self, index: QModelIndex) -> None:
        record = self.model.record_at(index.row())
        if record is not None and record.state == "done":
            self.open_selected_take()
