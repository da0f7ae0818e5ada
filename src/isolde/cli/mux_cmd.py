"""`isolde mux VIDEO AUDIO --out OUT`: the picture of VIDEO with AUDIO as its sound.

The picture is copied without re-encoding (`video.mux`); the sound is encoded by the output's
suffix: AAC in .mp4/.m4v, PCM in .mov, FLAC in .mkv. A sound shorter than the picture is padded
with silence, a longer one trimmed, and the command says so. Progress goes to stderr; Ctrl-C
stops with exit code 5 and leaves no file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from isolde.cli.console import ProgressPrinter, phase, print_json
from isolde.cli.worker import run_cancellable
from isolde.core.progress import CancelToken

EPILOG = (
    "Sample 0 of AUDIO plays with the picture where VIDEO's own sound starts (the editor's "
    "time 0). Example: isolde mux scene.mp4 scene-separated/target.wav --out scene-clean.mp4"
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "mux",
        help="put a sound into a video (picture copied, not re-encoded)",
        epilog=EPILOG,
    )
    p.add_argument("video", metavar="VIDEO", help="the video whose picture is kept")
    p.add_argument("audio", metavar="AUDIO", help="the sound to put in (any audio or video file)")
    p.add_argument(
        "--out",
        required=True,
        metavar="OUT",
        help="the new video: .mp4 or .m4v (AAC sound), .mov (PCM), .mkv (FLAC)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def _mux(args: argparse.Namespace, printer: ProgressPrinter) -> Any:
    """mux on a worker thread, so that Ctrl-C becomes a clean cancel (exit 5, no file)."""
    from isolde.video.mux import mux

    def work(cancel: CancelToken) -> Any:
        return mux(
            Path(args.video),
            Path(args.audio),
            Path(args.out),
            progress=phase(printer),
            cancel=cancel,
        )

    return run_cancellable(work, printer, name="isolde-mux")


def run(args: argparse.Namespace) -> int:
    printer = ProgressPrinter(quiet=args.quiet)
    report = _mux(args, printer)
    notes = []
    if report.padded_s > 0:
        notes.append(
            f"the sound is {report.padded_s:.3f} s shorter than the picture: "
            "padded with silence at the end"
        )
    if report.trimmed_s > 0:
        notes.append(
            f"the sound is {report.trimmed_s:.3f} s longer than the picture: trimmed to it"
        )
    if args.json:
        print_json({"command": "mux", **report.to_json(), "notes": notes})
        return 0
    for note in notes:
        sys.stderr.write(f"isolde: note: {note}\n")
    print(report.out_path)
    print(
        f"picture copied ({report.picture_s:.3f} s), sound as {report.audio_codec} "
        f"at {report.sample_rate} Hz"
    )
    return 0
