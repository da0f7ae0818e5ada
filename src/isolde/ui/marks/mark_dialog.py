"""Set a mark's exact times (and a region's prompt) by typing them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QStyle,
    QWidget,
)

from isolde.core.errors import IsoldeError
from isolde.core.project import Project
from isolde.core.timecode import format_time, parse_time
from isolde.ui.common.theme import mark_error
from isolde.ui.marks.marks import KINDS, Mark, find_mark, move_mark, set_kind

MAX_PROMPT_WIDTH = 640  # px: the dialog stays well inside a 1280×800 screen


class MarkDialog(QDialog):
    def __init__(self, project: Project, mark: Mark, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.mark = mark
        self.setWindowTitle("Mark")
        self.setAccessibleName("Edit mark")
        form = QFormLayout(self)
        self.kind = QComboBox()
        self.kind.addItems(list(KINDS))
        self.kind.setCurrentText(mark.kind)
        self.kind.setAccessibleName("Kind")
        self.start = QLineEdit(format_time(mark.start))
        self.start.setAccessibleName("Start time")
        self.end = QLineEdit(format_time(mark.end))
        self.end.setAccessibleName("End time")
        self.prompt = QLineEdit(mark.prompt)
        self.prompt.setAccessibleName("Inpaint prompt")
        self.prompt.setPlaceholderText("what should sound here (inpaint regions)")
        self.error = QLabel()
        self.error.setAccessibleName("Error")
        mark_error(self.error)
        self.error.setWordWrap(True)
        self._fit_fields()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Kind", self.kind)
        form.addRow("&Start", self.start)
        form.addRow("&End", self.end)
        form.addRow("&Prompt", self.prompt)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentTextChanged.connect(self._kind_changed)
        self._kind_changed(mark.kind)

    def _fit_fields(self) -> None:
        """Wide enough that no field clips: the longest time the format writes, and a prompt of
        a sentence (a longer one scrolls, but a typical one reads whole)."""
        metrics = self.fontMetrics()
        frame = 4 * self.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth) + 12
        for field in (self.start, self.end):
            widest = max(len(field.text()), len("0:00:00.000")) + 1
            field.setMinimumWidth(metrics.horizontalAdvance("0" * widest) + frame)
        typed = metrics.horizontalAdvance(self.prompt.text() + "  ")
        sentence = metrics.horizontalAdvance(self.prompt.placeholderText() + "  ")
        self.prompt.setMinimumWidth(min(max(typed, sentence), MAX_PROMPT_WIDTH) + frame)

    def _kind_changed(self, kind: str) -> None:
        self.prompt.setEnabled(kind == "inpaint")

    def apply(self) -> None:
        """All changes are one undo step; on a bad value nothing changes and the error shows."""
        try:
            start, end = parse_time(self.start.text()), parse_time(self.end.text())
            with self.project.group("Edit mark"):
                mark_id = set_kind(self.project, self.mark, self.kind.currentText())
                mark = find_mark(self.project.state, mark_id)
                assert mark is not None
                move_mark(self.project, mark, start, end)
                if mark.is_region and self.prompt.text() != mark.prompt:
                    self.project.update_region(mark.id, prompt=self.prompt.text())
        except IsoldeError as exc:
            self.error.setText(str(exc))
            self.adjustSize()  # room for the wrapped message, never clipped
            return
        self.accept()
