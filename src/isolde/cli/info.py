"""`isolde info PATH`: what a media file (or a project) holds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from isolde.audio import probe
from isolde.audio.info import AudioInfo
from isolde.cli.console import print_json
from isolde.core.projectfile import looks_like_project
from isolde.core.timecode import format_time
from isolde.video.probe import probe_video


def _project_summary(path: Path) -> dict[str, Any]:
    from isolde.core.project import Project

    project = Project.load(path)
    state = project.state
    media = state.media
    return {
        "path": str(path),
        "kind": "project",
        "media": media.to_json() if media else None,
        "duration_s": media.duration if media else None,
        "spans": len(state.spans),
        "inpaint_regions": len(state.regions),
        "takes": len(state.takes),
        "prompt": state.prompt,
        "provider": state.provider,
    }


def _exact_info(path: Path) -> AudioInfo:
    """The header's facts, with the length the editor shows: when the container only estimates
    it, the file is decoded (into the decode cache the editor opens from) and counted."""
    info = probe(path)
    if info.frames_exact:
        return info
    from isolde.audio import open_audio

    print(
        f"counting the samples of {path.name} (its container only estimates its length)…",
        file=sys.stderr,
    )
    source = open_audio(path)
    try:
        return source.info
    finally:
        source.close()


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if looks_like_project(path):
        data = _project_summary(path)
        if args.json:
            print_json(data)
        else:
            media = data["media"]
            print(f"project   {path}")
            if media:
                print(f"media     {media['path']}")
                print(f"duration  {format_time(data['duration_s'])}")
            print(f"spans     {data['spans']}   inpaint regions {data['inpaint_regions']}")
            print(f"takes     {data['takes']}   provider {data['provider']}")
            if data["prompt"]:
                print(f"prompt    {data['prompt']}")
        return 0
    info = _exact_info(path)
    video = probe_video(path) if info.has_video else None
    if args.json:
        data = info.to_json()
        data["kind"] = "video" if info.has_video else "audio"
        data["video"] = video.to_json() if video else None
        print_json(data)
        return 0
    print(f"file      {info.path}")
    print(f"format    {info.format} ({info.subtype}){'  + video' if info.has_video else ''}")
    print(f"duration  {format_time(info.duration)}  ({info.frames} frames)")
    print(f"rate      {info.sample_rate} Hz")
    print(f"channels  {info.channels}")
    if video:
        rate = f"{video.fps:g} fps{' (variable)' if video.vfr else ''}"
        print(f"video     {video.width}×{video.height} at {rate} ({video.codec})")
        if video.rotation:
            shown = f"{video.display_width}×{video.display_height}"
            print(f"rotation  {video.rotation}° clockwise (shown as {shown})")
    return 0
