"""`isolde mask VIDEO --assist TEXT / --assist-point X,Y@T ...`: the mask from SAM 3 on fal.

Instead of drawn boxes, the cloud mask assist (isolde.providers.fal.sam3_assist) finds the
object through the whole clip: `--assist` says what it is in words, `--assist-point X,Y@T` is a
click on it (display pixels on the frame shown at time T, repeatable) and `--assist-not X,Y@T`
a click on what is not it. Everything is checked before anything is sent (the prompt, the
points, the fal key: a missing key exits 4 before any upload); then the price estimate goes to
stderr (and to --json as `cost_usd` / `cost_note`), the video is uploaded and the answer is
rendered like a drawn mask (the provider's polarity, `--invert`). The job runs on a worker
thread so that Ctrl-C cancels the remote job and exits 5 with nothing written.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from isolde.cli import arg_types
from isolde.cli.console import ProgressPrinter, phase, print_json
from isolde.cli.mask_cmd import frame_at
from isolde.cli.worker import run_cancellable
from isolde.core.errors import InputError
from isolde.core.progress import CancelToken
from isolde.providers.base import JobEvent
from isolde.video.polarity import MaskPolarity

POINT_HELP = "X,Y@T"


class PointAction(argparse.Action):
    """Collect --assist-point and --assist-not in the order given, as (positive, text)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        points = list(getattr(namespace, self.dest, None) or [])
        points.append((option_string == "--assist-point", values))
        setattr(namespace, self.dest, points)


def add_arguments(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group(
        "cloud mask assist (SAM 3 on fal; needs FAL_KEY; instead of --box)",
        "SAM 3 finds the object through the whole clip from a description and/or clicks. "
        "The price estimate is printed to stderr before anything is sent.",
    )
    group.add_argument("--assist", metavar="TEXT", help="what the object is, in words")
    group.add_argument(
        "--assist-point",
        dest="assist_points",
        action=PointAction,
        metavar=POINT_HELP,
        help="a click on the object: display pixel X,Y on the frame shown at time T (repeatable)",
    )
    group.add_argument(
        "--assist-not",
        dest="assist_points",
        action=PointAction,
        metavar=POINT_HELP,
        help="a click on something that is not the object (repeatable)",
    )
    group.add_argument(
        "--assist-threshold",
        type=arg_types.fraction,
        metavar="0-1",
        help="SAM 3's detection threshold (fal's default when left out; try 0.2-0.3 when a "
        "description finds nothing)",
    )


def wants_assist(args: argparse.Namespace) -> bool:
    return args.assist is not None or bool(args.assist_points)


def usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with how `isolde mask` was called, as a usage error (exit 2), or None."""
    assist = wants_assist(args)
    if not assist and not args.boxes:
        if args.assist_threshold is not None:
            return "--assist-threshold goes with --assist or --assist-point"
        return (
            "say where the object is: --box X,Y,W,H@T (drawn) or --assist TEXT / "
            "--assist-point X,Y@T (SAM 3 on fal)"
        )
    if assist and args.boxes:
        return (
            "--box and --assist/--assist-point are two ways to make the mask; use one "
            "(the assist finds the object through the whole clip by itself)"
        )
    if assist and (args.track or args.refine):
        return "--track and --refine go with --box; SAM 3 follows the object through the clip"
    return None


def run(
    args: argparse.Namespace,
    path: Path,
    info: Any,
    polarity: MaskPolarity,
    printer: ProgressPrinter,
) -> int:
    """The assist part of `isolde mask`, after the common checks (file, output, provider)."""
    from isolde.providers.fal import FalProvider
    from isolde.providers.fal.sam3 import Sam3Assist
    from isolde.providers.fal.sam3_assist import assist_mask, estimate_assist_cost
    from isolde.providers.fal.sam3_schema import ENDPOINT, AssistPrompt, check_prompt
    from isolde.video.frames import VideoReader
    from isolde.video.mask_video import render_mask_video

    with VideoReader(path) as reader:
        height, width = reader.frame(0).shape[:2]
        points = [
            _point(text, positive, reader, width, height)
            for positive, text in args.assist_points or ()
        ]
        frames, times = reader.frame_count, reader.times
    prompt = AssistPrompt(args.assist or "", tuple(points), args.assist_threshold)
    check_prompt(prompt, width, height, frames, path.name)
    fal = FalProvider()
    Sam3Assist(fal).require_key()  # exit 4 with the key message, before any upload
    usd, note = estimate_assist_cost(info)
    sys.stderr.write(f"isolde: SAM 3 on fal ({ENDPOINT}): about ${usd:.3f} ({note})\n")
    sys.stderr.flush()

    def work(cancel: CancelToken) -> Any:
        obj = assist_mask(
            path,
            text=args.assist,
            points=points,
            detection_threshold=args.assist_threshold,
            provider=fal,
            on_event=_lines(printer),
            progress=phase(printer, 0.0, 0.8),
            cancel=cancel,
        )
        report = render_mask_video(
            path,
            [obj],
            args.out,
            polarity=polarity,
            invert=args.invert,
            progress=phase(printer, 0.8, 0.2),
            cancel=cancel,
        )
        return obj, report

    obj, report = run_cancellable(work, printer, name="isolde-mask-assist")
    if not args.json:
        print(report.path)
        return 0
    print_json(
        {
            **report.to_json(),
            "provider": args.provider,
            "assist": {
                "endpoint": ENDPOINT,
                "text": prompt.text.strip(),
                "points": [
                    {
                        "x": p.x,
                        "y": p.y,
                        "frame": p.frame,
                        "time": times[p.frame],
                        "positive": p.positive,
                    }
                    for p in points
                ],
            },
            "cost_usd": usd,
            "cost_note": note,
            "keyframes": [{"frame": k.frame, "time": times[k.frame]} for k in obj.keyframes],
            "tracked": 0,
            "lost": [],
        }
    )
    return 0


def _point(text: str, positive: bool, reader: Any, width: int, height: int) -> Any:
    """`X,Y@T` → an AssistPoint on the frame shown at T; InputError naming the flag."""
    from isolde.providers.fal.sam3_schema import AssistPoint

    flag = f"--assist-{'point' if positive else 'not'} {text!r}"
    xy_text, at, time_text = text.partition("@")
    if not at or not time_text.strip():
        raise InputError(f"{flag}: write X,Y@T, e.g. 120,80@2.5")
    try:
        values = [float(v) for v in xy_text.split(",")]
    except ValueError:
        values = []
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        raise InputError(f"{flag}: the point is two numbers X,Y (pixels), e.g. 120,80@2.5")
    x, y = values
    if not (0 <= x < width and 0 <= y < height):
        raise InputError(
            f"{flag}: ({x:g}, {y:g}) is outside the {width}×{height} picture "
            f"(0 ≤ X < {width}, 0 ≤ Y < {height})"
        )
    return AssistPoint(x, y, frame_at(reader, time_text, flag), positive)


def _lines(printer: ProgressPrinter) -> Callable[[JobEvent], None]:
    """Job events as lines on stderr (queue position, logs); the bar comes from `_phase`."""

    def show(event: JobEvent) -> None:
        if event.state == "running" and event.fraction is not None:
            return
        printer(event)

    return show
