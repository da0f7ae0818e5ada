"""Sensible folders: Open and Save start next to the file being worked on or in the last folder
used, Save proposes the recording's name, and exports go next to the source — never into
Isolde's own isolde/data/ folder, where the bundled sample lives."""

from __future__ import annotations

from pathlib import Path

import soundfile as sf
from job_helpers import noise_wav
from video_helpers import make_video, video_window
from window_helpers import open_in_window

from isolde.resources import resources_dir, sample_path
from isolde.ui.common.folders import home_folder, is_bundled, last_folder, remember_folder
from isolde.ui.shell.main_window import MainWindow


class Asked:
    """The window's file questions, answered, with where each dialog would have started."""

    def __init__(self, window: MainWindow, answer: Path | None = None) -> None:
        self.open_folders: list[Path] = []
        self.save_proposals: list[Path] = []
        self.answer = answer
        window.ask_open_path = self._open
        window.ask_save_path = self._save

    def _open(self, _parent: object, folder: Path) -> Path | None:
        self.open_folders.append(folder)
        return None

    def _save(self, _parent: object, proposed: Path) -> Path | None:
        self.save_proposals.append(proposed)
        return self.answer


def _window(qtbot, media: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    return open_in_window(qtbot, media, (1000, 600))


def test_open_and_save_start_next_to_the_recording(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "show").mkdir()
    media = noise_wav(tmp_path / "show" / "episode 12.wav", seconds=1.0)
    window = _window(qtbot, media)
    (tmp_path / "elsewhere").mkdir()
    asked = Asked(window, answer=tmp_path / "elsewhere" / "named")
    window.open_action.trigger()
    assert asked.open_folders == [tmp_path / "show"]
    window.save_action.trigger()  # never saved: asks where, proposing the recording's name
    assert asked.save_proposals == [tmp_path / "show" / "episode 12.isolde"]
    assert window.project is not None
    assert window.project.path == tmp_path / "elsewhere" / "named.isolde"
    assert last_folder() == tmp_path / "elsewhere"
    window.save_as_action.trigger()  # a saved project proposes its own file
    assert asked.save_proposals[-1] == tmp_path / "elsewhere" / "named.isolde"
    window.open_action.trigger()  # …and Open starts where the project is
    assert asked.open_folders[-1] == tmp_path / "elsewhere"


def test_the_bundled_sample_sends_the_dialogs_to_the_last_folder_used(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, sample_path())
    asked = Asked(window)
    assert last_folder() is None
    window.save_action.trigger()
    window.open_action.trigger()
    assert asked.save_proposals == [home_folder() / "sample.isolde"]
    assert asked.open_folders == [home_folder()]
    assert not is_bundled(home_folder())
    (tmp_path / "work").mkdir()
    remember_folder(tmp_path / "work" / "anything.wav")
    window.save_as_action.trigger()
    window.open_action.trigger()
    assert asked.save_proposals[-1] == tmp_path / "work" / "sample.isolde"
    assert asked.open_folders[-1] == tmp_path / "work"
    export = window.results_docks.open_export()
    assert export is not None
    assert Path(export.path.text()).parent == tmp_path / "work"
    export.reject()


def test_opening_the_sample_does_not_make_resources_the_last_folder(tmp_path: Path) -> None:
    remember_folder(sample_path())
    remember_folder(resources_dir())
    assert last_folder() is None
    remember_folder(tmp_path)
    remember_folder(sample_path())
    assert last_folder() == tmp_path


def test_export_defaults_next_to_the_source_and_remembers_where_it_wrote(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "rec").mkdir()
    media = noise_wav(tmp_path / "rec" / "take.wav", seconds=1.0)
    window = _window(qtbot, media)
    dialog = window.results_docks.open_export()
    assert dialog is not None
    assert Path(dialog.path.text()) == tmp_path / "rec" / "take-edited.wav"
    (tmp_path / "out").mkdir()
    dialog.path.setText(str(tmp_path / "out" / "mine.wav"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=20_000)
    assert sf.info(dialog.last_result).frames > 0
    assert last_folder() == tmp_path / "out"
    dialog.reject()


def test_video_export_defaults_next_to_the_video(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "clips").mkdir()
    made = make_video(tmp_path / "clips" / "scene.mp4", size=(64, 48), seconds=0.5)
    window = video_window(qtbot, made.path)
    dialog = window.video.open_export()
    assert dialog is not None
    assert Path(dialog.path.text()).parent == tmp_path / "clips"
    assert Path(dialog.path.text()).name.startswith("scene-")
    dialog.reject()


def test_with_nothing_open_open_starts_in_the_last_folder_used(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow()
    qtbot.addWidget(window)
    asked = Asked(window)
    window.open_action.trigger()
    remember_folder(tmp_path)
    window.open_action.trigger()
    assert asked.open_folders == [home_folder(), tmp_path]
