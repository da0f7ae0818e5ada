"""`isolde stems PROJECT --out DIR`: each leaf layer of a project as its own file, a mix at the
layers' gains, mute and solo, and stems.json describing them (see jobs/stems.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from isolde.cli import arg_types


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "stems",
        help="a project's layers as separate files, their mix and a JSON manifest",
        epilog="A project never split has one layer: the source. Stems have the source's length.",
    )
    p.add_argument("project", metavar="PROJECT", help="an .isolde project")
    p.add_argument("--out", required=True, metavar="DIR", help="the folder for the stems")
    arg_types.add_format_arg(p)
    arg_types.add_rate_arg(p)
    p.add_argument("--no-mix", action="store_true", help="only the stems, no mix file")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def run(args: argparse.Namespace) -> int:
    from isolde.audio.media_check import ensure_media
    from isolde.audio.output_format import OutputFormat
    from isolde.cli.console import ProgressPrinter, phase, print_json
    from isolde.cli.worker import run_cancellable
    from isolde.core.progress import CancelToken
    from isolde.core.project import Project
    from isolde.jobs.stems import StemsResult, export_stems

    project = Project.load(Path(args.project))
    ensure_media(project)  # gone: found by content; changed: refused
    fmt = OutputFormat.parse(args.format, sample_rate=args.rate)
    printer = ProgressPrinter(quiet=args.quiet)

    def work(cancel: CancelToken) -> StemsResult:
        return export_stems(
            project.state,
            Path(args.out),
            fmt,
            mix=not args.no_mix,
            progress=phase(printer),
            cancel=cancel,
        )

    result = run_cancellable(work, printer, name="isolde-stems")
    if args.json:
        print_json(
            {
                "command": "stems",
                "folder": str(result.folder),
                "manifest": str(result.manifest),
                "stems": [str(p) for p in result.stems],
                "mix": None if result.mix is None else str(result.mix),
            }
        )
        return 0
    for path in result.stems:
        print(path)
    if result.mix is not None:
        print(result.mix)
    print(result.manifest)
    return 0
