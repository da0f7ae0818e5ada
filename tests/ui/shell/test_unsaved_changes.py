"""Nothing replaces or closes a project with unsaved changes without asking Save / Discard /
Cancel; Save adds `.isolde`; a project opens by its content, whatever its name."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from timeline_helpers import write_tone_wav
from window_helpers import open_in_window

from isolde.core.project import Project
from isolde.ui.shell.main_window import MainWindow
from isolde.ui.shell.unsaved import (  # the real one: imported before any stand-in
    Answer,
    ask_unsaved,
)

pytest.importorskip("pytestqt")


class Questions:
    """The window's questions, answered as a user would, with a record of what was asked."""

    def __init__(self, window: MainWindow, answer: Answer, save_as: Path | None) -> None:
        self.asked: list[tuple[str, str]] = []
        self.save_paths_asked = 0
        self.answer, self.save_as = answer, save_as
        window.ask_unsaved = self._unsaved
        window.ask_save_path = self._save_path

    def _unsaved(self, _parent: object, name: str, doing: str) -> Answer:
        self.asked.append((name, doing))
        return self.answer

    def _save_path(self, _parent: object, _proposed: Path) -> Path | None:
        self.save_paths_asked += 1
        return self.save_as


def _window(qtbot, tmp_path: Path, answer: Answer, save_as: Path | None = None):  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "first.wav", 2.0, channels=1)
    window = open_in_window(qtbot, media, (900, 500))
    return window, Questions(window, answer, save_as)


def _open(qtbot, window: MainWindow, how: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = write_tone_wav(tmp_path / "second.wav", 1.0, channels=1)
    window.ask_open_path = lambda _parent, _folder: other
    if how == "open":
        window.open_action.trigger()
    elif how == "sample":
        window.sample_action.trigger()
    else:
        window.open_path(other)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)


def _media_name(window: MainWindow) -> str:
    assert window.document is not None
    return Path(window.document.source.info.path).name


HOW = ["open", "sample", "path"]
OPENED = {"open": "second.wav", "sample": "sample.flac", "path": "second.wav"}


@pytest.mark.parametrize("how", HOW)
def test_cancel_keeps_the_dirty_project_as_it_was(qtbot, tmp_path: Path, how: str) -> None:  # type: ignore[no-untyped-def]
    window, questions = _window(qtbot, tmp_path, Answer.CANCEL)
    project = window.project
    assert project is not None
    project.add_span(0.2, 0.6)
    _open(qtbot, window, how, tmp_path)
    assert questions.asked and questions.asked[0][0] == "the untitled project on first.wav"
    assert window.project is project and project.dirty and _media_name(window) == "first.wav"
    assert window.windowTitle().startswith("*")


@pytest.mark.parametrize("how", HOW)
def test_discard_opens_the_other_file_drops_the_autosave(qtbot, tmp_path: Path, how: str) -> None:  # type: ignore[no-untyped-def]
    window, questions = _window(qtbot, tmp_path, Answer.DISCARD)
    old = window.project
    assert old is not None
    old.add_span(0.2, 0.6)
    old.autosave()
    _open(qtbot, window, how, tmp_path)
    assert len(questions.asked) == 1
    assert _media_name(window) == OPENED[how] and window.project is not old
    assert not old.recovery_path.exists()


def test_save_on_an_untitled_project_asks_where_and_adds_the_suffix(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, questions = _window(qtbot, tmp_path, Answer.SAVE, save_as=tmp_path / "mine")
    assert window.project is not None
    window.project.add_span(0.2, 0.6)
    _open(qtbot, window, "path", tmp_path)
    assert questions.save_paths_asked == 1 and _media_name(window) == "second.wav"
    assert not (tmp_path / "mine").exists()
    assert len(Project.load(tmp_path / "mine.isolde").state.spans) == 1


def test_cancelling_the_save_dialog_cancels_the_open(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, questions = _window(qtbot, tmp_path, Answer.SAVE, save_as=None)
    assert window.project is not None
    window.project.add_span(0.2, 0.6)
    _open(qtbot, window, "open", tmp_path)
    assert questions.save_paths_asked == 1
    assert _media_name(window) == "first.wav" and window.project.dirty


def test_save_on_a_saved_project_saves_in_place_then_opens(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, questions = _window(qtbot, tmp_path, Answer.SAVE)
    project = window.project
    assert project is not None
    path = project.save(tmp_path / "kept.isolde")
    project.add_span(0.2, 0.6)
    _open(qtbot, window, "sample", tmp_path)
    assert questions.asked[0][0] == "kept.isolde" and questions.save_paths_asked == 0
    assert len(Project.load(path).state.spans) == 1 and _media_name(window) == "sample.flac"


def test_a_clean_project_is_replaced_without_a_question(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, questions = _window(qtbot, tmp_path, Answer.CANCEL)
    assert window.project is not None
    window.project.add_span(0.2, 0.6)
    window.undo_action.trigger()  # back to the state it opened in
    _open(qtbot, window, "open", tmp_path)
    assert questions.asked == [] and _media_name(window) == "second.wav"


@pytest.mark.parametrize("answer", [Answer.CANCEL, Answer.DISCARD, Answer.SAVE])
@pytest.mark.parametrize("how", ["quit", "close"])
def test_quit_and_close_ask_first(qtbot, tmp_path: Path, answer: Answer, how: str) -> None:  # type: ignore[no-untyped-def]
    window, questions = _window(qtbot, tmp_path, answer, save_as=tmp_path / "at-quit")
    project = window.project
    assert project is not None
    project.add_span(0.2, 0.6)
    recovery = project.autosave()
    if how == "quit":
        window.quit_action.trigger()
    else:
        window.close()
    assert questions.asked == [("the untitled project on first.wav", "quitting")]
    assert window.isVisible() == (answer is Answer.CANCEL)
    saved = tmp_path / "at-quit.isolde"
    assert saved.exists() == (answer is Answer.SAVE)
    assert recovery.exists() == (answer is Answer.CANCEL)
    if answer is not Answer.CANCEL:
        window.close()  # closing again (the app does, after its loop) asks nothing more
        assert len(questions.asked) == 1


def test_quit_with_a_clean_project_asks_nothing(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, questions = _window(qtbot, tmp_path, Answer.CANCEL)
    window.quit_action.trigger()
    assert questions.asked == [] and not window.isVisible()


def test_save_as_adds_isolde_to_a_name_without_a_suffix(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, _ = _window(qtbot, tmp_path, Answer.CANCEL, save_as=tmp_path / "named")
    assert window.project is not None
    window.project.add_span(0.2, 0.6)
    window.save_as_action.trigger()
    assert window.project.path == tmp_path / "named.isolde" and not window.project.dirty
    assert "named.isolde" in window.windowTitle() and not window.windowTitle().startswith("*")
    # a suffix given is kept
    window.ask_save_path = lambda _parent, _proposed: tmp_path / "other.json"
    window.save_as_action.trigger()
    assert window.project.path == tmp_path / "other.json"


@pytest.mark.parametrize("name", ["project.json", "project", "project.wav"])
def test_a_project_opens_by_its_content_whatever_its_name(qtbot, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    window, _ = _window(qtbot, tmp_path, Answer.CANCEL)
    assert window.project is not None
    window.project.add_span(0.2, 0.6)
    window.project.add_span(1.0, 1.4, include=False)
    saved = window.project.save(tmp_path / "p.isolde")
    renamed = saved.rename(tmp_path / name)
    again = open_in_window(qtbot, renamed, (900, 500))
    assert again.project is not None and len(again.project.state.spans) == 2
    assert _media_name(again) == "first.wav"


def test_the_real_question_answers_with_its_buttons(qtbot) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def click(label: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        next(b for b in box.buttons() if b.text().replace("&", "") == label).click()

    for label, answer in [
        ("Save", Answer.SAVE),
        ("Discard changes", Answer.DISCARD),
        ("Cancel", Answer.CANCEL),
    ]:
        QTimer.singleShot(50, lambda label=label: click(label))
        assert ask_unsaved(None, "song.isolde", "quitting") is answer  # type: ignore[arg-type]
    assert seen == ["Save the changes to song.isolde before quitting?"] * 3
