"""`isolde remix` and `isolde export`: a take remixed, or a project's edited whole file."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from isolde.audio import OutputFormat
from isolde.cli.console import print_json
from isolde.core.errors import InputError
from isolde.core.project import Project
from isolde.core.timecode import parse_range
from isolde.jobs.export import export_state, remix_take

FORMAT_HELP = (
    "wav | wav:16 | wav:24 | flac | flac:16 | mp3 | mp3:320 (default: from --out's suffix)"
)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("remix", help="a take with target and residual at chosen gains")
    p.add_argument("take_dir", metavar="TAKE_DIR", help="the folder a separation wrote")
    p.add_argument("--target-gain", type=float, default=0.0, metavar="DB")
    p.add_argument(
        "--residual-gain", default="-inf", metavar="DB", help="-inf (silent, the default) up to +6"
    )
    p.add_argument("--range", metavar="A-B", help="only here (crossfaded); the source elsewhere")
    _output_args(p)
    p = sub.add_parser("export", help="a project's edited whole file (or a take's target/residual)")
    p.add_argument("project", metavar="PROJECT", help="an .isolde project")
    p.add_argument("--what", default="edited", choices=("edited", "target", "residual"))
    p.add_argument("--take", metavar="ID", help="with --what target/residual (default: active)")
    _output_args(p)


def _output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--format", metavar="FMT", help=FORMAT_HELP)
    p.add_argument("--rate", type=int, metavar="HZ", help="sample rate (default: the source's)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _format(args: argparse.Namespace) -> OutputFormat:
    spec = args.format or Path(args.out).suffix.lstrip(".").lower() or "wav"
    fmt = OutputFormat.parse(spec, sample_rate=args.rate)
    if Path(args.out).suffix.lower() != fmt.extension:
        raise InputError(f"--out {args.out} does not end in {fmt.extension} for format {spec}")
    return fmt


def run_remix(args: argparse.Namespace) -> int:
    residual = float(args.residual_gain)
    time_range = parse_range(args.range) if args.range else None
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
    project = Project.load(Path(args.project))
    out = export_state(
        project.state, Path(args.out), _format(args), what=args.what, take_id=args.take
    )
    return _done(args, out)


def _done(args: argparse.Namespace, out: Path) -> int:
    if args.json:
        print_json({"output": str(out)})
    else:
        print(out)
    return 0
