"""Saving safely: atomic writes, refusing to overwrite what cannot be read back, autosave."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from core_helpers import make_media

from isolde.core import atomic
from isolde.core.atomic import atomic_write_text
from isolde.core.errors import InputError, ProjectFileError
from isolde.core.project import Project
from isolde.core.projectfile import read_project_file
from isolde.core.state import ProjectState


def edited_project(tmp_path: Path) -> Project:
    project = Project.new_for_media(make_media(tmp_path / "voice.wav"))
    project.add_span(1, 2)
    return project


def test_save_marks_clean_and_writes_where_asked(tmp_path: Path) -> None:
    project = edited_project(tmp_path)
    assert project.dirty
    with pytest.raises(InputError, match="choose where to save"):
        project.save()
    path = project.save(tmp_path / "p.isolde")
    assert path == tmp_path / "p.isolde" and project.path == path and not project.dirty
    assert project.name == "p"
    project.add_span(3, 4)
    project.save()  # again to its own path
    assert len(Project.load(path).state.spans) == 2


def test_a_crash_mid_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = edited_project(tmp_path)
    path = project.save(tmp_path / "p.isolde")
    before = path.read_bytes()
    project.add_span(5, 6)

    def power_cut(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", power_cut)
    with pytest.raises(ProjectFileError, match=r"No space left on device.*unchanged"):
        project.save()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.isolde"]  # no temp file left
    assert project.dirty


def test_saving_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="could not save"):
        edited_project(tmp_path).save(tmp_path / "nowhere" / "p.isolde")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "shared.txt"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write_text(path, "new")
    assert path.read_text() == "new"
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format": "isolde-project", "version": 9}', "written by a newer Isolde"),
        ("{broken", "not valid JSON"),
        ("shopping list: eggs", "not valid JSON"),
        ('{"title": "a different app"}', "not an Isolde project"),
        ('{"format": "isolde-project", "version": 1, "spans": 3}', "media is missing"),
    ],
)
def test_save_refuses_to_replace_what_it_cannot_read_unless_forced(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "p.isolde"
    path.write_text(content)
    project = edited_project(tmp_path)
    with pytest.raises(ProjectFileError, match=rf"{expected}.*could lose data.*force"):
        project.save(path)
    assert path.read_text() == content
    assert project.path is None and project.dirty
    project.save(path, force=True)
    assert len(read_project_file(path).state.spans) == 1


def test_autosave_of_a_saved_project_and_newer_recovery(tmp_path: Path) -> None:
    project = edited_project(tmp_path)
    path = project.save(tmp_path / "p.isolde")
    assert Project.newer_recovery(path) is None
    project.add_span(4, 5)
    recovery = project.autosave()
    assert recovery == tmp_path / "p.isolde.autosave" == project.recovery_path
    assert project.dirty  # an autosave is not a save
    assert Project.newer_recovery(path) == recovery
    doc = json.loads(recovery.read_text())
    assert doc["autosave_of"] == str(path)
    assert doc["media"]["path"] == "voice.wav"

    restored = Project.recover(recovery)
    assert restored.path == path and restored.dirty
    assert restored.state == project.state

    project.save()
    assert not recovery.exists()
    assert Project.newer_recovery(path) is None


def test_an_autosave_older_than_the_project_is_not_offered(tmp_path: Path) -> None:
    project = edited_project(tmp_path)
    path = project.save(tmp_path / "p.isolde")
    recovery = project.autosave()
    os.utime(recovery, ns=(1_000_000_000, 1_000_000_000))
    assert Project.newer_recovery(path) is None
    path.unlink()  # the project itself is gone: the autosave is all there is
    assert Project.newer_recovery(path) == recovery


def test_autosave_of_an_untitled_project_goes_to_the_data_folder(tmp_path: Path) -> None:
    project = edited_project(tmp_path)
    recovery = project.autosave()
    data = Path(os.environ["ISOLDE_DATA_DIR"])
    assert recovery.parent == data / "recovery"
    assert recovery.name.startswith("untitled-") and recovery.name.endswith(".isolde.autosave")
    doc = json.loads(recovery.read_text())
    assert doc["autosave_of"] is None
    assert doc["media"]["path"] == str(tmp_path / "voice.wav")  # absolute: no project folder

    restored = Project.recover(recovery)
    assert restored.path is None and restored.dirty and restored.recovery_path == recovery
    assert restored.state == project.state
    restored.autosave()  # keeps updating the same file
    assert sorted((data / "recovery").iterdir()) == [recovery]
    restored.save(tmp_path / "rescued.isolde")
    assert not recovery.exists()


def test_save_as_elsewhere_removes_the_old_autosave(tmp_path: Path) -> None:
    project = edited_project(tmp_path)
    first = project.save(tmp_path / "a.isolde")
    project.add_span(3, 4)
    old_recovery = project.autosave()
    (tmp_path / "sub").mkdir()
    second = project.save(tmp_path / "sub" / "b.isolde")
    assert not old_recovery.exists()
    assert first.exists() and second.exists()
    assert json.loads(second.read_text())["media"]["path"] == "../voice.wav"
    assert Project.load(second).state == project.state


def test_takes_dir(tmp_path: Path) -> None:
    project = Project(ProjectState())
    assert project.takes_dir.parent == Path(os.environ["ISOLDE_DATA_DIR"]) / "takes"
    project.save(tmp_path / "interview.isolde")
    assert project.takes_dir == tmp_path / "interview-takes"
