"""The migration chain: older project files are upgraded in memory, step by step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from core_helpers import full_state, saved_doc

from isolde.core import projectfile
from isolde.core.errors import ProjectFileError
from isolde.core.project import Project
from isolde.core.projectfile import CURRENT_VERSION, read_project_file


def version_0(doc: dict[str, Any]) -> dict[str, Any]:
    """A pretend older layout: spans as [start, end, include] triples, the prompt as "text"."""
    doc = json.loads(json.dumps(doc))
    doc["version"] = 0
    doc["spans"] = [[s["start"], s["end"], s["include"], s["id"]] for s in doc["spans"]]
    doc["text"] = doc.pop("prompt")
    return doc


def upgrade_0_to_1(doc: dict[str, Any]) -> dict[str, Any]:
    doc["spans"] = [
        {"start": a, "end": b, "include": inc, "id": sid} for a, b, inc, sid in doc["spans"]
    ]
    doc["prompt"] = doc.pop("text")
    return doc


def test_migration_chain_upgrades_an_older_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, doc = saved_doc(tmp_path)
    old_text = json.dumps(version_0(doc))
    path.write_text(old_text)
    with pytest.raises(ProjectFileError, match="format 0 is older"):
        Project.load(path)
    monkeypatch.setitem(projectfile.MIGRATIONS, 0, upgrade_0_to_1)
    found = read_project_file(path)
    assert found.version == 0
    assert found.state == full_state(tmp_path)
    assert path.read_text() == old_text  # reading never writes

    # Saving upgrades the file and keeps the old format beside it, once.
    project = Project.load(path)
    project.save()
    assert json.loads(path.read_text())["version"] == CURRENT_VERSION
    backup = tmp_path / "project.isolde.v0.bak"
    assert backup.read_text() == old_text


def test_chain_with_two_steps_runs_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, doc = saved_doc(tmp_path)
    older = version_0(doc)
    older["version"] = -1
    older["text"] = "minus one"
    path.write_text(json.dumps(older))
    calls: list[int] = []

    def from_minus_one(d: dict[str, Any]) -> dict[str, Any]:
        calls.append(-1)
        d["text"] = d["text"].replace("minus one", "upgraded")
        return d

    def from_zero(d: dict[str, Any]) -> dict[str, Any]:
        calls.append(0)
        assert d["version"] == 0
        return upgrade_0_to_1(d)

    monkeypatch.setitem(projectfile.MIGRATIONS, -1, from_minus_one)
    monkeypatch.setitem(projectfile.MIGRATIONS, 0, from_zero)
    assert Project.load(path).state.prompt == "upgraded"
    assert calls == [-1, 0]


def test_a_failing_migration_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, doc = saved_doc(tmp_path)
    older = version_0(doc)
    del older["text"]
    path.write_text(json.dumps(older))
    monkeypatch.setitem(projectfile.MIGRATIONS, 0, upgrade_0_to_1)
    with pytest.raises(ProjectFileError, match="cannot upgrade from format 0 to 1"):
        Project.load(path)
