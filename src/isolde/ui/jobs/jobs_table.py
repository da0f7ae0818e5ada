"""The jobs list as a Qt table model: one row per job, newest first.

The rows are the latest `JobRecord` the manager reported for each job (the manager is the source
of truth); the model only formats them. A running job's elapsed time is recomputed on `tick`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from isolde.core.takes import Take
from isolde.jobs.naming import engine_name, request_name, runs_here
from isolde.jobs.record import JobRecord
from isolde.ui.common.theme import legible
from isolde.ui.results.take_info import take_title

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    STATUS = 0
    ENGINE = 1
    KIND = 2
    NAME = 3
    COST = 4
    TIME = 5
    DETAILS = 6


HEADERS = ("Status", "Engine", "Kind", "Name", "Est. cost", "Time", "Details")
STATUS_WORDS = {
    "pending": "waiting",
    "preparing": "preparing",
    "submitting": "sending",
    "submitted": "sent",
    "fetching": "downloading",
}
STATUS_COLOURS = {
    "done": "#2e9d4f",
    "failed": "#d03030",
    "unknown": "#c07a10",
    "cancelled": "#808080",
}
JOB_ID_ROLE = Qt.ItemDataRole.UserRole


def status_text(record: JobRecord) -> str:
    if record.state == "queued":
        # fal and AudioLasso count the jobs ahead: 0 means next in line
        ahead = record.queue_position
        return "queued" if ahead is None else f"queued, {ahead} ahead" if ahead else "queued, next"
    if record.state == "running" and record.fraction is not None and 0 < record.fraction < 1:
        return f"running {record.fraction:.0%}"
    return STATUS_WORDS.get(record.state, record.state)


def details_text(record: JobRecord) -> str:
    if record.state == "failed":
        return record.message or "failed (no reason given)"
    if record.state == "unknown":
        return record.message
    if record.state == "done":
        return f"take saved in {Path(record.out_dir).name}/ — Open take makes it current"
    if record.state == "cancelled":
        return "cancelled"
    # The latest thing said: a log line sets the message too, and the next progress event
    # puts the engine's current phase back.
    return record.message or (record.logs[-1] if record.logs else "")


def linked_take(record: JobRecord, takes: tuple[Take, ...]) -> Take | None:
    """The project's take this job made: the one whose files are in the job's take folder
    (by the folder's name, which stays when saving moves the folder into the project)."""
    folder = Path(record.out_dir).name
    for take in takes:
        if any(Path(p).parent.name == folder for p in take.files.values()):
            return take
    return None


def job_name(record: JobRecord, takes: tuple[Take, ...] = ()) -> str:
    """The name of the take the job made (the user may have renamed it), else the request's."""
    take = linked_take(record, takes) if record.state == "done" else None
    if take is not None:
        return take_title(take)
    if not record.request.get("kind"):  # a record without its request: the name it was given
        return record.label or record.id
    return request_name(record.provider, record.request)


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None


def elapsed_s(record: JobRecord, now: datetime | None = None) -> float | None:
    start = _parse(record.started_at)
    if start is None:
        return None
    end = _parse(record.finished_at) if not record.active else None
    end = end or now or datetime.now(UTC)
    return max((end - start).total_seconds(), 0.0)


def time_text(record: JobRecord) -> str:
    seconds = elapsed_s(record)
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class JobsTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[JobRecord] = []
        self._takes: tuple[Take, ...] = ()  # the project's, for the names of finished jobs

    # -- contents -------------------------------------------------------------------------------
    def set_records(self, records: list[JobRecord]) -> None:
        self.beginResetModel()
        self._rows = sorted(records, key=lambda r: r.created_at, reverse=True)
        self.endResetModel()

    def upsert(self, record: JobRecord) -> None:
        row = self.row_of(record.id)
        if row is None:
            self.beginInsertRows(QModelIndex(), 0, 0)  # the newest job goes on top
            self._rows.insert(0, record)
            self.endInsertRows()
            return
        self._rows[row] = record
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def set_takes(self, takes: tuple[Take, ...]) -> None:
        """The project's takes changed (one renamed, added, removed): redraw the names."""
        if takes == self._takes:
            return
        self._takes = takes
        if self._rows:
            top, bottom = self.index(0, Column.NAME), self.index(len(self._rows) - 1, Column.NAME)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])

    def name_of(self, record: JobRecord) -> str:
        return job_name(record, self._takes)

    def tick(self) -> bool:
        """Refresh the time of active jobs; returns whether any job is active."""
        active = [i for i, r in enumerate(self._rows) if r.active]
        for row in active:
            index = self.index(row, Column.TIME)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])
        return bool(active)

    def record_at(self, row: int) -> JobRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, job_id: str | None) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == job_id), None)

    # -- Qt -------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.record_at(index.row()) if index.isValid() else None
        if record is None:
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.DETAILS and record.state == "done":
                return record.out_dir
            if column in (Column.DETAILS, Column.STATUS):
                return details_text(record) or None
            if column == Column.NAME:
                prompt = str(record.request.get("prompt", "")).strip()
                return f"Prompt: {prompt}" if prompt else None
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.STATUS:
            colour = STATUS_COLOURS.get(record.state)
            base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
            return legible(QColor(colour), base) if colour else None  # readable in every theme
        if role == JOB_ID_ROLE:
            return record.id
        return None

    def _display(self, record: JobRecord, column: Column) -> str:
        if column == Column.STATUS:
            return status_text(record)
        if column == Column.ENGINE:
            return engine_name(record.provider)
        if column == Column.KIND:
            return record.kind
        if column == Column.NAME:
            return self.name_of(record)
        if column == Column.COST:
            cost = record.cost_estimate_usd
            return "free" if runs_here(record.provider) else "?" if cost is None else f"${cost:.2f}"
        if column == Column.TIME:
            return time_text(record)
        return details_text(record)
