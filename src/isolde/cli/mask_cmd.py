"""`isolde mask VIDEO --box X,Y,W,H@T... --out MASK.mp4`: a mask video for visual separation.

Each `--box` marks the object (display pixels, top-left x, y and size w, h) on the frame shown
at time T; it becomes a rectangle keyframe of one masked object. Between boxes the mask is
interpolated, before the first and after the last it holds. With `--track`, OpenCV's CSRT
tracker follows the object from each box forward and backward (a frame between two boxes takes
the nearer box's track); where it loses the object it says so, and those frames fall back to the
boxes. `--refine` cuts the object's shape out of each tracked box (GrabCut). The video is written
in the provider's mask polarity (fal: black = target, white = background), `--invert` swaps
target and background. Progress goes to stderr; Ctrl-C stops with exit code 5 and writes nothing.

Instead of boxes, `--assist TEXT` and/or `--assist-point X,Y@T` ask SAM 3 on fal for the object
through the whole clip (the cloud mask assist; see mask_assist_cmd.py).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from isolde.cli import arg_types
from isolde.cli.console import ProgressPrinter, phase, print_json
from isolde.core.errors import InputError
from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape, TrackBox
from isolde.core.progress import ProgressFn
from isolde.core.timecode import format_time, parse_time
from isolde.video.polarity import DEFAULT_PROVIDER, PROVIDER_POLARITY, polarity_for

EPILOG = (
    "X,Y,W,H are display pixels (the picture as shown, rotation applied): the top-left corner "
    "and the size; T is seconds (2.5) or h:mm:ss.sss. Example: "
    "isolde mask scene.mp4 --box 410,220,160,120@3.2 --track --out mask.mp4; "
    "isolde mask scene.mp4 --assist 'the dog' --assist-point 400,260@3.2 --out mask.mp4"
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from isolde.cli import mask_assist_cmd

    p = subparsers.add_parser(
        "mask",
        help="a black-and-white mask video of an object, from boxes (optionally tracked) "
        "or from SAM 3 on fal (--assist)",
        epilog=EPILOG,
    )
    p.add_argument("path", metavar="VIDEO", help="the video whose picture shows the object")
    p.add_argument(
        "--box",
        dest="boxes",
        action="append",
        metavar="X,Y,W,H@T",
        help="the object's box on the frame shown at time T (repeatable)",
    )
    p.add_argument("--track", action="store_true", help="follow the object from each box")
    p.add_argument(
        "--refine",
        action="store_true",
        help="with --track: cut the object's shape out of each tracked box (GrabCut; slower)",
    )
    p.add_argument("--invert", action="store_true", help="swap target and background")
    p.add_argument(
        "--provider",
        default=DEFAULT_PROVIDER,
        type=arg_types.provider_name,
        metavar="NAME",
        help=f"whose mask polarity to use: {', '.join(sorted(PROVIDER_POLARITY))} "
        f"(default: {DEFAULT_PROVIDER}; fal: black = target, white = background)",
    )
    p.add_argument("--out", required=True, metavar="MASK.mp4", help=".mp4, .m4v, .mov or .mkv")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    mask_assist_cmd.add_arguments(p)
    p.set_defaults(mask_parser=p)
    return p


def run(args: argparse.Namespace) -> int:
    from isolde.cli import mask_assist_cmd
    from isolde.video.frames import VideoReader
    from isolde.video.mask_video import check_output, render_mask_video
    from isolde.video.probe import probe_video

    problem = mask_assist_cmd.usage_problem(args)
    if problem is not None:
        args.mask_parser.error(problem)  # exit 2, like a missing argument
    polarity = polarity_for(args.provider)
    if args.refine and not args.track:
        raise InputError("--refine works on tracked boxes: add --track")
    path = Path(args.path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    check_output(path, args.out)
    info = probe_video(path)
    if info is None:
        raise InputError(
            f"{path}: has no picture (a sound file, or not media at all); a mask needs a video"
        )
    printer = ProgressPrinter(quiet=args.quiet)
    if mask_assist_cmd.wants_assist(args):
        return mask_assist_cmd.run(args, path, info, polarity, printer)
    with VideoReader(path) as reader:
        keyframes = [_keyframe(text, reader) for text in args.boxes]
        _no_twins(keyframes, args.boxes)
        obj = MaskObject("target", keyframes=tuple(k for k, _ in keyframes), refine=args.refine)
        lost: list[int] = []
        if args.track:
            obj, lost = _tracked(reader, obj, phase(printer, 0.0, 0.5))
        times = reader.times
    report = render_mask_video(
        path,
        [obj],
        args.out,
        polarity=polarity,
        invert=args.invert,
        progress=phase(printer, 0.5 if args.track else 0.0, 0.5 if args.track else 1.0),
    )
    printer.finish()
    for frame in [] if args.quiet else lost:
        sys.stderr.write(
            f"isolde: note: tracking lost the object on frame {frame} "
            f"({format_time(times[frame])}); from there to the next box the mask "
            "follows the boxes instead\n"
        )
    if args.json:
        print_json(
            {
                **report.to_json(),
                "provider": args.provider,
                "keyframes": [
                    {"frame": k.frame, "time": times[k.frame], "box": list(box)}
                    for k, box in keyframes
                ],
                "tracked": len(obj.track),
                "lost": [{"frame": f, "time": times[f]} for f in lost],
            }
        )
    else:
        print(report.path)
    return 0


def _keyframe(text: str, reader: Any) -> tuple[MaskKeyframe, tuple[float, ...]]:
    """`X,Y,W,H@T` → a rectangle keyframe on the frame shown at T, and the box."""
    box_text, at, time_text = text.partition("@")
    if not at or not time_text.strip():
        raise InputError(f"--box {text!r}: write X,Y,W,H@T, e.g. 40,30,120,90@2.5")
    try:
        values = [float(v) for v in box_text.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InputError(
            f"--box {text!r}: the box is four numbers X,Y,W,H (pixels), e.g. 40,30,120,90@2.5"
        )
    x, y, w, h = values
    if w < 1 or h < 1:
        raise InputError(f"--box {text!r}: the box needs a width and height of at least 1 pixel")
    first = reader.frame(0)
    height, width = first.shape[:2]
    if x < 0 or y < 0 or x + w > width or y + h > height:
        raise InputError(
            f"--box {text!r}: the box reaches outside the {width}×{height} picture "
            f"(x + w ≤ {width}, y + h ≤ {height})"
        )
    frame = frame_at(reader, time_text, f"--box {text!r}")
    shape = MaskShape("rect", ((x, y), (x + w, y + h)))
    return MaskKeyframe(frame, (shape,)), (x, y, w, h)


def frame_at(reader: Any, time_text: str, flag: str) -> int:
    """The frame shown at `time_text` (seconds or h:mm:ss.sss); InputError naming `flag` for
    a bad time or one after the end of the video."""
    try:
        t = parse_time(time_text)
    except InputError as exc:
        raise InputError(f"{flag}: {exc}") from None
    times = reader.times
    step = (times[-1] - times[0]) / max(len(times) - 1, 1) if len(times) > 1 else 0.04
    end = times[-1] + step
    if t > end + 1e-6:
        raise InputError(
            f"{flag}: {format_time(t)} is after the end of the video ({format_time(end)})"
        )
    return int(reader.index_at(t))


def _no_twins(keyframes: Sequence[tuple[MaskKeyframe, Any]], texts: Sequence[str]) -> None:
    seen: dict[int, str] = {}
    for (keyframe, _), text in zip(keyframes, texts, strict=True):
        if keyframe.frame in seen:
            raise InputError(
                f"--box {seen[keyframe.frame]!r} and --box {text!r} fall on the "
                f"same frame ({keyframe.frame}); keep one"
            )
        seen[keyframe.frame] = text


def _tracked(reader: Any, obj: MaskObject, progress: ProgressFn) -> tuple[MaskObject, list[int]]:
    """The object with tracked boxes from every keyframe; a frame between two keyframes keeps
    the box tracked from the nearer one (the earlier on a tie). Returns where tracking lost it."""
    from dataclasses import replace

    from isolde.video.tracking import track_object

    frames = obj.keyframe_frames
    best: dict[int, TrackBox] = {}
    lost: list[int] = []
    for n, frame in enumerate(frames):

        def part(f: float, message: str, n: int = n) -> None:
            progress((n + f) / len(frames), message)

        found = track_object(reader, obj, frame, progress=part)
        lost.extend(found.lost)
        for box in found:
            held = best.get(box.frame)
            if held is None or abs(box.frame - box.anchor) < abs(held.frame - held.anchor):
                best[box.frame] = box
    return replace(obj, track=tuple(best.values())), sorted(set(lost))
