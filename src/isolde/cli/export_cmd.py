"""`isolde remix` and `isolde export`: a take remixed, a project's edited whole file, or one file
of a take (a project's, or a take folder's) in any format and rate."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from isolde.audio.media_check import ensure_media
from isolde.audio.output_format import OutputFormat
from isolde.cli import arg_types
from isolde.cli.console import print_json
from isolde.core.edits import RESIDUAL_GAIN_RANGE, TARGET_GAIN_RANGE
from isolde.core.errors import InputError
from isolde.core.project import Project

FORMAT_HELP = (
    "wav | wav:16 | wav:24 | flac | flac:16 | mp3 | mp3:320 (default: from --out's suffix)"
)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("remix", help="a take with target and residual at chosen gains")
    p.add_argument("take_dir", metavar="TAKE_DIR", help="the folder a separation wrote")
    p.add_argument(
        "--target-gain",
        type=arg_types.gain_db(*TARGET_GAIN_RANGE, allow_silent=False),
        default=0.0,
        metavar="DB",
        help="{:g} up to +{:g} (default 0)".format(*TARGET_GAIN_RANGE),
    )
    p.add_argument(
        "--residual-gain",
        type=arg_types.gain_db(*RESIDUAL_GAIN_RANGE, allow_silent=True),
        default="-inf",
        metavar="DB",
        help="-inf (silent, the default), or {:g} up to +{:g}".format(*RESIDUAL_GAIN_RANGE),
    )
    p.add_argument("--range", metavar="A-B", help="only here (crossfaded); the source elsewhere")
    _output_args(p)
    p = sub.add_parser(
        "export", help="a project's edited whole file, or a take's target/residual/inpainted"
    )
    p.add_argument(
        "project", metavar="PROJECT", help="an .isolde project, or a take folder (holds take.json)"
    )
    p.add_argument(
        "--what",
        choices=("edited", "target", "residual", "inpainted"),
        help="project: edited (the default) or a take's file; take folder: its target (the "
        "default) or inpainted audio, or its residual",
    )
    p.add_argument("--take", metavar="ID", help="with --what target/residual (default: active)")
    _output_args(p)


def _output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--format", type=arg_types.format_spec, metavar="FMT", help=FORMAT_HELP)
    arg_types.add_rate_arg(p)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _format(args: argparse.Namespace) -> OutputFormat:
    suffix = Path(args.out).suffix.lower()
    if not args.format and suffix not in (".wav", ".flac", ".mp3"):
        raise InputError(
            f"--out {args.out}: name the file .wav, .flac or .mp3 (the suffix says the format), "
            "or give --format"
        )
    spec = args.format or suffix.lstrip(".")
    fmt = OutputFormat.parse(spec, sample_rate=args.rate)
    if Path(args.out).suffix.lower() != fmt.extension:
        raise InputError(f"--out {args.out} does not end in {fmt.extension} for format {spec}")
    return fmt


def run_remix(args: argparse.Namespace) -> int:
    from isolde.cli.input_notes import note_nonfinite
    from isolde.jobs.export import read_take_dir, remix_take

    residual = args.residual_gain
    time_range = arg_types.typed_range("--range", args.range) if args.range else None
    note_nonfinite(read_take_dir(Path(args.take_dir)).media_path)
    out = remix_take(
        Path(args.take_dir),
        Path(args.out),
        _format(args),
        target_gain_db=args.target_gain,
        residual_gain_db=None if math.isinf(residual) and residual < 0 else residual,
        time_range=time_range,
    )
    return _done(args, out)


def run_export(args: argparse.Namespace) -> int:
    from isolde.cli.input_notes import note_nonfinite
    from isolde.jobs.export import export_state, export_take

    source = Path(args.project)
    if source.is_dir() and not (source / "take.json").exists():
        raise InputError(
            f"{source}: a folder without take.json; give an .isolde project or a take folder"
        )
    if source.is_dir():
        if args.what == "edited" or args.take:
            raise InputError(
                f"{source}: a take folder has no edits or other takes; give --what target, "
                "residual or inpainted (or export its project)"
            )
        return _done(args, export_take(source, Path(args.out), _format(args), what=args.what))
    project = Project.load(source)
    note_nonfinite(ensure_media(project))  # gone: found by content; changed: refused
    out = export_state(
        project.state,
        Path(args.out),
        _format(args),
        what=args.what or "edited",
        take_id=args.take,
        project_files=(str(source),),
    )
    return _done(args, out)


def _done(args: argparse.Namespace, out: Path) -> int:
    if args.json:
        print_json({"output": str(out)})
    else:
        print(out)
    return 0
