"""What a request needs made before it can be sent, recorded beside it so that any run — the
first, one after a restart, a retry — can make it again.

Today that is a visual request's mask video. The editor does not render it while the user waits:
it writes `mask.json` (the video, the mask objects as they were when Separate was pressed, the
invert switch and the engine whose polarity applies) into the job's folder and names `mask.mp4`
there as the request's mask. The run renders the mask video on its worker (the job shows
"preparing", with progress and cancel) unless the file is already there. No Qt here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isolde.core.atomic import atomic_write_text
from isolde.core.errors import AudioFileError, InputError
from isolde.core.masks import MaskObject
from isolde.core.progress import CancelToken
from isolde.providers.base import EventFn, JobEvent, Request, ignore_events

MASK_FILE = "mask.mp4"
MASK_SPEC = "mask.json"  # beside the mask file: how to render it
FORMAT = "isolde-mask-video"


@dataclass(frozen=True)
class MaskVideoSpec:
    """Everything a mask video is rendered from, fixed when the job is planned."""

    video_path: str
    objects: tuple[MaskObject, ...]
    invert: bool
    provider: str  # the engine the mask is for: its polarity applies

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": 1,
            "video_path": self.video_path,
            "objects": [o.to_json() for o in self.objects],
            "invert": self.invert,
            "provider": self.provider,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MaskVideoSpec:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a mask video description (format {data.get('format')!r})")
        return cls(
            video_path=str(data["video_path"]),
            objects=tuple(MaskObject.from_json(o) for o in data["objects"]),
            invert=bool(data.get("invert", False)),
            provider=str(data["provider"]),
        )


def write_mask_spec(mask_path: Path, spec: MaskVideoSpec) -> Path:
    """Record how to render `mask_path` (in its folder, atomically); returns the spec's path."""
    path = mask_path.with_name(MASK_SPEC)
    try:
        mask_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(spec.to_json()) + "\n")
    except OSError as exc:
        raise AudioFileError(path, f"cannot write the mask video's description ({exc})") from None
    return path


def read_mask_spec(path: Path) -> MaskVideoSpec:
    try:
        return MaskVideoSpec.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: cannot read how to render the mask video ({exc}); "
            "press Separate again to send a new job"
        ) from None


def prepare_request(
    request: Request, *, on_event: EventFn = ignore_events, cancel: CancelToken | None = None
) -> None:
    """Make what `request` names but is not there yet, from its recorded description."""
    if not request.mask_path:
        return
    mask = Path(request.mask_path)
    spec_file = mask.with_name(MASK_SPEC)
    if mask.is_file() or not spec_file.is_file():
        return  # ready, or a mask the user gave (the engine says if it is missing)
    spec = read_mask_spec(spec_file)
    from isolde.video.mask_video import render_mask_video
    from isolde.video.polarity import polarity_for

    def progress(fraction: float, message: str) -> None:
        on_event(JobEvent("running", f"mask video: {message}", fraction))

    on_event(JobEvent("running", "rendering the mask video", 0.0))
    render_mask_video(
        spec.video_path,
        spec.objects,
        mask,
        polarity=polarity_for(spec.provider),
        invert=spec.invert,
        progress=progress,
        cancel=cancel,
    )
