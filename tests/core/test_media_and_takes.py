"""MediaRef and Take: checked values, frozen contents, JSON with project-relative paths."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from core_helpers import make_media, make_take

from isolde.core import state as st
from isolde.core.errors import InputError
from isolde.core.media import MediaRef
from isolde.core.state import ProjectState
from isolde.core.takes import Take, utc_now_iso


def test_media_duration_and_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert make_media(seconds=2.5).duration == 2.5
    monkeypatch.chdir(tmp_path)
    media = MediaRef("clip.wav", "sha256:x", 44_100, 1, 44_100, "wav")
    assert media.path == str(tmp_path / "clip.wav") and media.name == "clip.wav"
    assert media.with_path(tmp_path / "moved.wav").content_hash == "sha256:x"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sample_rate", 0),
        ("sample_rate", 44.1),
        ("channels", 0),
        ("frames", -1),
        ("frames", True),
        ("path", ""),
        ("has_video", "no"),
    ],
)
def test_media_rejects_nonsense(field: str, value: object) -> None:
    good = {
        "path": "/a.wav",
        "content_hash": "",
        "sample_rate": 8000,
        "channels": 1,
        "frames": 0,
        "format": "wav",
    }
    with pytest.raises(InputError, match=f"media {field} must be"):
        MediaRef(**{**good, field: value})  # type: ignore[arg-type]


def test_media_json_relative_to_the_project(tmp_path: Path) -> None:
    media = make_media(tmp_path / "audio" / "a.wav")
    data = media.to_json(tmp_path)
    assert data["path"] == "audio/a.wav"
    assert MediaRef.from_json(data, tmp_path) == media
    assert media.to_json(None)["path"] == media.path and "abs_path" not in media.to_json(None)


def test_take_contents_are_frozen_copies() -> None:
    request = {"prompt": "dog", "spans": [[1, 2, True]]}
    take = make_take(request=request)
    request["prompt"] = "cat"
    assert take.request["prompt"] == "dog"
    assert take.request["spans"] == ((1, 2, True),)
    with pytest.raises(TypeError):
        take.files["target"] = "/x.wav"  # type: ignore[index]
    assert take.file("target") == Path("/takes/t1-target.wav")
    assert take.file("inpainted") is None


def test_take_json_round_trip(tmp_path: Path) -> None:
    take = make_take("t9", tmp_path / "takes", cost_usd=0.5, provider_request_id="r")
    data = take.to_json(tmp_path)
    assert data["files"]["target"] == "takes/t9-target.wav"
    assert data["request"]["spans"] == [[1.0, 2.0, True]]
    assert Take.from_json(data, tmp_path) == take
    outside = make_take("t8", tmp_path.parent / "other").to_json(tmp_path)
    assert os.path.isabs(outside["files"]["target"])


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"kind": "remix"}, "kind must be one of separate, inpaint"),
        ({"id": ""}, "id must not be empty"),
        ({"created_at": "last tuesday"}, "ISO 8601"),
        ({"files": {"target": 3}}, "files must map roles to file paths"),
        ({"timing": {"run": float("nan")}}, "timing must map names to seconds"),
        ({"cost_usd": -1}, "cost_usd must be a number"),
        ({"sample_rate": True}, "sample_rate must be a whole number"),
        ({"request": {"x": object()}}, "request.x must be"),
    ],
)
def test_take_rejects_nonsense(changes: dict[str, object], expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        make_take(**changes)


def test_utc_now_iso_is_parseable_utc() -> None:
    stamp = utc_now_iso()
    assert stamp.endswith("Z")
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0


def test_a_take_json_beside_its_files_keeps_bare_names(tmp_path: Path) -> None:
    take = make_take(files={"target": "target.wav", "residual": "residual.wav"})
    data = take.to_json()
    assert data["files"] == {"target": "target.wav", "residual": "residual.wav"}
    assert Take.from_json(data) == take
    assert take.relative_files == ["target", "residual"]
    resolved = take.resolved(tmp_path / "take-1")
    assert resolved.files["target"] == str(tmp_path / "take-1" / "target.wav")
    assert resolved.relative_files == []


def test_a_project_only_takes_absolute_take_paths() -> None:
    bare = make_take(files={"target": "target.wav"})
    with pytest.raises(InputError, match=r"relative.*take\.resolved"):
        st.add_take(ProjectState(), bare)
    assert st.add_take(ProjectState(), bare.resolved("/takes/1")).takes[0].files["target"] == (
        str(Path("/takes/1/target.wav").absolute())
    )
