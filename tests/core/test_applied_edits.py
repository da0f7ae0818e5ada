"""Applied edits: a take written into the timeline, undoable, saved, migrated from format 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from isolde.core.edits import AppliedEdit
from isolde.core.errors import InputError, SpanError
from isolde.core.media import MediaRef
from isolde.core.project import Project
from isolde.core.projectfile import CURRENT_VERSION
from isolde.core.takes import Take


def _project(tmp_path: Path) -> tuple[Project, str]:
    media = tmp_path / "talk.wav"
    media.write_bytes(b"x")
    project = Project.new_for_media(
        MediaRef(
            path=str(media),
            content_hash="h",
            sample_rate=48_000,
            channels=2,
            frames=48_000 * 60,
            format="WAV",
        )
    )
    take = Take(
        id="t1",
        kind="separate",
        provider="local",
        endpoint="local/spectral-wiener",
        created_at="2026-11-21T00:00:00Z",
        files={"target": str(tmp_path / "t.wav"), "residual": str(tmp_path / "r.wav")},
    )
    project.add_take(take)
    return project, take.id


def test_apply_undo_and_the_rules(tmp_path: Path) -> None:
    project, take_id = _project(tmp_path)
    edit_id = project.apply_edit(AppliedEdit(take_id, 10.0, 20.0, residual_gain_db=-18.0))
    assert project.state.edit(edit_id).gains() == pytest.approx((1.0, 10 ** (-18 / 20)))
    project.update_edit(edit_id, residual_gain_db=None)
    assert project.state.edit(edit_id).gains() == (1.0, 0.0)
    project.undo()
    project.undo()
    assert project.state.edits == ()
    with pytest.raises(SpanError, match="after the media"):
        project.apply_edit(AppliedEdit(take_id, 50.0, 70.0))
    with pytest.raises(SpanError, match="residual gain"):
        project.apply_edit(AppliedEdit(take_id, 1.0, 2.0, residual_gain_db=9.0))
    with pytest.raises(InputError, match="no inpainted file"):
        project.apply_edit(AppliedEdit(take_id, 1.0, 2.0, kind="inpaint"))
    with pytest.raises(InputError, match="nope"):
        project.apply_edit(AppliedEdit("nope", 1.0, 2.0))


def test_a_take_in_use_cannot_be_removed(tmp_path: Path) -> None:
    project, take_id = _project(tmp_path)
    project.apply_edit(AppliedEdit(take_id, 1.0, 2.0))
    with pytest.raises(InputError, match="applied to the timeline"):
        project.remove_take(take_id)


def test_edits_survive_save_and_load(tmp_path: Path) -> None:
    project, take_id = _project(tmp_path)
    project.apply_edit(
        AppliedEdit(take_id, 5.0, 6.5, target_gain_db=-3.0, residual_gain_db=-18.0, fade_s=0.05)
    )
    path = project.save(tmp_path / "p.isolde")
    doc = json.loads(path.read_text())
    assert doc["version"] == CURRENT_VERSION and doc["edits"][0]["residual_gain_db"] == -18.0
    again = Project.load(path)
    assert again.state.edits == project.state.edits


def test_a_format_1_project_opens_and_is_saved_in_the_current_format(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    path = project.save(tmp_path / "old.isolde")
    doc = json.loads(path.read_text())
    doc["version"] = 1
    del doc["edits"]
    path.write_text(json.dumps(doc))
    loaded = Project.load(path)
    assert loaded.state.edits == ()
    loaded.save(path, force=True)
    assert json.loads(path.read_text())["version"] == CURRENT_VERSION
