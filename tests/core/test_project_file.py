"""The .isolde format: round trip, relative paths, damaged files, versions and migrations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from core_helpers import full_state, make_media, make_take, saved_doc

from isolde.core.errors import ProjectFileError
from isolde.core.project import Project
from isolde.core.projectfile import CURRENT_VERSION, dumps_state, loads_state
from isolde.core.state import ProjectState


def test_round_trip_with_relative_media_and_take_paths(tmp_path: Path) -> None:
    state = full_state(tmp_path)
    path, doc = saved_doc(tmp_path, state)
    assert doc["format"] == "isolde-project" and doc["version"] == CURRENT_VERSION
    assert doc["media"]["path"] == "audio/interview.wav"
    assert doc["takes"][0]["files"]["target"] == "project-takes/t1-target.wav"
    assert doc["takes"][1]["files"]["inpainted"] == "/elsewhere/t2.wav"  # outside: absolute
    loaded = Project.load(path)
    assert loaded.state == state
    assert loaded.path == path and not loaded.dirty


def test_moving_project_and_media_together_keeps_the_link(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    saved_doc(old, full_state(old))
    new = tmp_path / "new"
    old.rename(new)
    media = Project.load(new / "project.isolde").state.media
    assert media is not None and media.path == str(new / "audio" / "interview.wav")


def test_project_moved_alone_falls_back_to_the_last_absolute_media_path(tmp_path: Path) -> None:
    audio = tmp_path / "audio" / "interview.wav"
    audio.parent.mkdir()
    audio.write_bytes(b"RIFF")
    project_dir = tmp_path / "projects"
    project_dir.mkdir()
    path = project_dir / "p.isolde"
    Project(ProjectState(media=make_media(audio))).save(path)
    moved = tmp_path / "deeper" / "still"
    moved.mkdir(parents=True)
    target = moved / "p.isolde"
    path.rename(target)
    media = Project.load(target).state.media
    assert media is not None and media.path == str(audio)


def test_keys_never_reach_the_file(tmp_path: Path) -> None:
    state = ProjectState(
        provider="fal",
        options={"api_key": "sk-123", "FAL_TOKEN": "x", "client_secret": "y", "steps": 4},
        takes=(make_take(request={"prompt": "p", "auth": {"apiKey": "z", "user": "u"}}),),
    )
    path, doc = saved_doc(tmp_path, state)
    text = path.read_text()
    assert "sk-123" not in text and '"x"' not in text and '"z"' not in text
    assert doc["options"] == {"steps": 4}
    assert doc["takes"][0]["request"]["auth"] == {"user": "u"}


def test_dumps_and_loads_without_a_folder_use_absolute_paths(tmp_path: Path) -> None:
    state = full_state(tmp_path)
    text = dumps_state(state, None)
    assert json.loads(text)["media"]["path"] == str(tmp_path / "audio" / "interview.wav")
    assert loads_state(text, tmp_path / "anywhere" / "x.isolde") == state


# -- damaged and foreign files ----------------------------------------------------------------


def mutated(doc: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    *parents, last = dotted.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is KeyError:
        del node[last]
    else:
        node[int(last) if isinstance(node, list) else last] = value
    return doc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not an Isolde project"),
        ('"hello"', "not an Isolde project"),
        ('{"format": "something-else", "version": 1}', "not an Isolde project"),
        ('{"format": "isolde-project"}', "version must be a whole number"),
        ('{"format": "isolde-project", "version": "1"}', "version must be a whole number"),
        (
            '{"format": "isolde-project", "version": 7}',
            rf"written by a newer Isolde \(format 7; this version reads up to {CURRENT_VERSION}\) "
            "— update Isolde",
        ),
        ('{"format": "isolde-project", "version": -3}', "older than this version"),
        ('{"format": "isolde-project", "version": 1, "x": NaN}', "not valid JSON"),
    ],
)
def test_unreadable_files_raise_and_stay_byte_identical(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.isolde"
    path.write_text(text)
    with pytest.raises(ProjectFileError, match=expected) as info:
        Project.load(path)
    assert info.value.path == str(path)
    assert path.read_text() == text


def test_a_truncated_file(tmp_path: Path) -> None:
    path, _ = saved_doc(tmp_path)
    data = path.read_bytes()[:-40]
    path.write_bytes(data)
    with pytest.raises(ProjectFileError, match=r"not valid JSON \(line"):
        Project.load(path)
    assert path.read_bytes() == data


def test_binary_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "song.isolde"
    path.write_bytes(b"RIFF\xff\xfe\x00\x01WAVE")
    with pytest.raises(ProjectFileError, match="not a text file"):
        Project.load(path)
    with pytest.raises(ProjectFileError, match="no such file"):
        Project.load(tmp_path / "missing.isolde")
    with pytest.raises(ProjectFileError, match="folder"):
        Project.load(tmp_path)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("spans.1.end", "3s", r"spans\[1\]\.end must be a number, got text '3s'"),
        ("spans.0.include", 1, r"spans\[0\]\.include must be true or false, got 1"),
        ("spans.0.id", KeyError, r"spans\[0\]\.id is missing"),
        ("spans.0.id", "", r"spans\[0\]\.id must not be empty"),
        ("spans.1.id", "a", r"spans\[1\]\.id 'a' is used by an earlier entry"),
        ("spans", {}, "spans must be a list, got an object"),
        ("spans.0", [1, 2], r"spans\[0\] must be an object, got a list"),
        ("spans.0.start", 1e999, r"spans\[0\]\.start must be a number, got inf"),
        ("regions.0.steps", 2.5, r"regions\[0\]\.steps must be a whole number or null"),
        ("media.sample_rate", "48k", "media.sample_rate must be a whole number"),
        ("media.sample_rate", 0, "media: media sample_rate must be a whole number > 0"),
        ("media", KeyError, "media is missing"),
        ("prompt", None, "prompt must be text, got null"),
        ("options", [], "options must be an object"),
        ("takes.0.files.target", 5, r"takes\[0\]\.files\.target must be text, got 5"),
        ("takes.0.kind", "remix", r"takes\[0\] \(id t1\): take t1: kind must be one of"),
        ("takes.0.created_at", "yesterday", "created_at must be an ISO 8601 time"),
        ("takes.1.timing", {"run": "fast"}, r"takes\[1\]\.timing\.run must be a number"),
        ("active_take", "zz", "active_take 'zz' names no entry in takes"),
    ],
)
def test_wrong_types_name_the_json_path(
    tmp_path: Path, field: str, value: Any, expected: str
) -> None:
    path, doc = saved_doc(tmp_path)
    # 1e999 is valid JSON that parses to inf (json.dumps would write the invalid "Infinity")
    text = json.dumps(mutated(doc, field, value)).replace("Infinity", "1e999")
    path.write_text(text)
    with pytest.raises(ProjectFileError, match=expected):
        Project.load(path)
    assert path.read_text() == text


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (3.0, 2.0, r"spans\[1\] \(id b\): .*must be before end"),
        (-1.0, 2.0, r"spans\[1\] \(id b\): .*before the beginning"),
        (2.0, 30.0, r"spans\[1\] \(id b\): .*after the end of the media"),
    ],
)
def test_spans_breaking_the_rules_are_reported_not_repaired(
    tmp_path: Path, start: float, end: float, expected: str
) -> None:
    path, doc = saved_doc(tmp_path)
    doc = mutated(mutated(doc, "spans.1.start", start), "spans.1.end", end)
    path.write_text(json.dumps(doc))
    with pytest.raises(ProjectFileError, match=expected):
        Project.load(path)


def test_unknown_top_level_keys_are_ignored(tmp_path: Path) -> None:
    path, doc = saved_doc(tmp_path)
    doc["future_note"] = {"anything": 1}
    path.write_text(json.dumps(doc))
    assert Project.load(path).state == full_state(tmp_path)
