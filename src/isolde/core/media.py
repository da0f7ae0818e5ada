"""The source media a project points at: where it is, what it is, and a hash to recognise it;
and the two ways it can fail to be there (`MediaMissingError`, `MediaChangedError`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from isolde.core.errors import InputError
from isolde.core.paths import absolute, from_stored, to_stored


@dataclass(frozen=True)
class MediaRef:
    """`path` is absolute in memory; a project file stores it relative to the project folder.

    `content_hash` (computed by `isolde.audio.content_hash`) survives renames and moves, so a
    missing file can be found again by its content.
    """

    path: str
    content_hash: str
    sample_rate: int
    channels: int
    frames: int
    format: str
    has_video: bool = False

    def __post_init__(self) -> None:
        positive = _is_int(self.sample_rate) and self.sample_rate > 0
        checks = (
            ("path", isinstance(self.path, str) and bool(self.path), "a non-empty file path"),
            ("content_hash", isinstance(self.content_hash, str), "text"),
            ("sample_rate", positive, "a whole number > 0"),
            ("channels", _is_int(self.channels) and self.channels >= 1, "a whole number ≥ 1"),
            ("frames", _is_int(self.frames) and self.frames >= 0, "a whole number ≥ 0"),
            ("format", isinstance(self.format, str), "text"),
            ("has_video", isinstance(self.has_video, bool), "true or false"),
        )
        for name, ok, what in checks:
            if not ok:
                raise InputError(f"media {name} must be {what}, got {getattr(self, name)!r}")
        # Absolute in memory, whatever the caller's working folder was.
        object.__setattr__(self, "path", absolute(self.path))

    @property
    def duration(self) -> float:
        """Length in seconds: the bound every span and inpaint region must lie within."""
        return self.frames / self.sample_rate

    @property
    def name(self) -> str:
        return Path(self.path).name

    def with_path(self, path: str | os.PathLike[str]) -> MediaRef:
        """The same media found at another place (relinking a moved file)."""
        return replace(self, path=os.fspath(path))

    def to_json(self, project_dir: Path | None = None) -> dict[str, Any]:
        stored = to_stored(self.path, project_dir)
        data: dict[str, Any] = {
            "path": stored,
            "content_hash": self.content_hash,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "frames": self.frames,
            "format": self.format,
            "has_video": self.has_video,
        }
        if stored != self.path:
            # A hint for when the project file is moved without its media.
            data["abs_path"] = self.path
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], project_dir: Path | None = None) -> MediaRef:
        path = from_stored(data["path"], project_dir)
        hint = data.get("abs_path")
        if isinstance(hint, str) and not os.path.exists(path) and os.path.exists(hint):
            path = absolute(hint)
        return cls(
            path=path,
            content_hash=data["content_hash"],
            sample_rate=data["sample_rate"],
            channels=data["channels"],
            frames=data["frames"],
            format=data["format"],
            has_video=data.get("has_video", False),
        )


class MediaMissingError(InputError):
    """The project's source recording is not where it was, nor found by its content nearby.

    The editor offers "Locate…" on this: `expected_name`, `content_hash` and `expected_path`
    say what to look for, `searched` where it was looked for already.
    """

    def __init__(
        self,
        media: MediaRef,
        searched: tuple[Path, ...] = (),
        project_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.media = media
        self.expected_name = media.name
        self.expected_path = media.path
        self.content_hash = media.content_hash
        self.searched = tuple(searched)
        self.project_path = None if project_path is None else Path(project_path)
        where = ", ".join(str(p) for p in self.searched)
        looked = f"; no file with its content was found in {where}" if where else ""
        owner = f"{self.project_path}: " if self.project_path else ""
        super().__init__(
            f"{owner}the source recording {media.name} is missing (it was at {media.path})"
            f"{looked} — put it back, or locate it (the editor asks where it is; a file of "
            "the same content under any name will do)"
        )


class MediaChangedError(InputError):
    """The file at the media's place holds other content than the project was made with."""

    def __init__(self, media: MediaRef, path: str | os.PathLike[str], found_hash: str) -> None:
        self.media = media
        self.path = os.fspath(path)
        self.expected_hash = media.content_hash
        self.found_hash = found_hash
        super().__init__(
            f"{self.path}: this is not the recording the project was made with — its content "
            "changed (the content hash differs), so the project's marks and takes would not "
            "line up with it. Put the original recording back, or open this file as a new "
            "project"
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
