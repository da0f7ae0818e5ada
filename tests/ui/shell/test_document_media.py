"""Opening a project in the editor checks its media by content: `load_document` raises the
errors the window turns into "Locate…" (missing) or a refusal (changed), and opens what the user
located (no Qt needed: this is the worker-side half)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from timeline_helpers import write_tone_wav
from window_helpers import shown_window

from isolde.audio.media_ref import describe_media
from isolde.core.media import MediaChangedError, MediaMissingError
from isolde.core.project import Project
from isolde.ui.shell.document import load_document


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    project = Project.new_for_media(describe_media(write_tone_wav(tmp_path / "a" / "v.wav", 1.0)))
    project.add_span(0.2, 0.5)
    return project.save(tmp_path / "p.isolde")


def test_changed_media_is_refused(project_file: Path, tmp_path: Path) -> None:
    write_tone_wav(tmp_path / "a" / "v.wav", 1.0, silent=True)  # same length, other content
    with pytest.raises(MediaChangedError, match="not the recording the project was made with"):
        load_document(project_file)


def test_missing_media_is_located_by_the_user(project_file: Path, tmp_path: Path) -> None:
    shutil.move(tmp_path / "a", tmp_path / "moved")
    with pytest.raises(MediaMissingError) as caught:
        load_document(project_file)
    assert caught.value.expected_name == "v.wav"
    document = load_document(project_file, locate=tmp_path / "moved")
    try:
        media = document.project.state.media
        assert media is not None and media.path == str(tmp_path / "moved" / "v.wav")
        assert document.project.dirty  # the relink is an edit to save
        assert document.source.info.frames > 0
    finally:
        document.close()


def test_the_editor_asks_where_a_missing_recording_went(  # type: ignore[no-untyped-def]
    qtbot, project_file: Path, tmp_path: Path
) -> None:
    shutil.move(tmp_path / "a", tmp_path / "moved")
    (tmp_path / "elsewhere").mkdir()
    asked: list[str] = []

    def locate(_parent, missing: MediaMissingError) -> Path:  # type: ignore[no-untyped-def]
        asked.append(missing.expected_name)
        # First a wrong place (so it asks again), then the folder the recording is in.
        return tmp_path / "elsewhere" if len(asked) == 1 else tmp_path / "moved"

    window = shown_window(qtbot)
    window.ask_locate_media = locate
    window.open_path(project_file)
    qtbot.waitUntil(lambda: window.document is not None, timeout=20_000)
    assert asked == ["v.wav", "v.wav"]
    media = window.project.state.media
    assert media is not None and media.path == str(tmp_path / "moved" / "v.wav")
    assert window.windowTitle().startswith("*")  # the relink is an edit to save
    assert window.last_error is None


def test_giving_up_on_a_missing_recording_says_what_is_missing(  # type: ignore[no-untyped-def]
    qtbot, project_file: Path, tmp_path: Path
) -> None:
    shutil.move(tmp_path / "a", tmp_path / "moved")
    window = shown_window(qtbot)  # the suite answers "give up" (conftest)
    window.open_path(project_file)
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=20_000)
    assert "v.wav is missing" in window.last_error
    assert window.document is None
