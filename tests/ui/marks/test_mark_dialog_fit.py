"""The exact-times dialog fits what it holds: every field shows its whole value, the error
message is never cut, and the dialog stays inside a 1280×800 screen."""

from __future__ import annotations

from pathlib import Path

from job_helpers import noise_wav
from PySide6.QtWidgets import QLineEdit
from window_helpers import open_in_window

from isolde.ui.marks.mark_dialog import MarkDialog
from isolde.ui.marks.marks import find_mark

PROMPT = "soft rain on the tin roof of the garden shed"


def _dialog(qtbot, tmp_path: Path) -> MarkDialog:  # type: ignore[no-untyped-def]
    window = open_in_window(qtbot, noise_wav(tmp_path / "n.wav", seconds=3.0), (1280, 800))
    project = window.project
    assert project is not None
    region_id = project.add_region(1.25, 2.5, prompt=PROMPT)
    mark = find_mark(project.state, region_id)
    assert mark is not None
    dialog = MarkDialog(project, mark, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _shows_all_of(field: QLineEdit) -> bool:
    margins = field.textMargins()
    room = field.contentsRect().width() - margins.left() - margins.right() - 4  # the cursor
    return field.fontMetrics().horizontalAdvance(field.text()) <= room


def test_every_field_shows_its_whole_value(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, tmp_path)
    assert dialog.prompt.text() == PROMPT
    for field in (dialog.start, dialog.end, dialog.prompt):
        assert _shows_all_of(field), (field.accessibleName(), field.width())
    assert dialog.kind.width() >= dialog.kind.sizeHint().width()
    assert dialog.width() <= 1280 and dialog.height() <= 800


def test_an_error_is_shown_whole(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, tmp_path)
    dialog.start.setText("0:00:02.900")  # after the end
    dialog.apply()
    assert dialog.isVisible() and "must be before end" in dialog.error.text()
    qtbot.waitUntil(lambda: dialog.error.height() > 0)
    error = dialog.error
    assert error.height() >= error.heightForWidth(error.width())
    assert error.geometry().bottom() < dialog.height()
    assert dialog.width() <= 1280 and dialog.height() <= 800
