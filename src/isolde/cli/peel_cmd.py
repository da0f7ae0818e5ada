"""`isolde peel TAKE_DIR --what target|residual`: separate one file of a take again.

The take's target (or residual) becomes the input of a new separation, with the options of
`isolde separate`; the new take folder's target + residual add up to that file. Peeling twice
splits a recording into three layers (see core/layers.py) that still sum to it.

    isolde separate band.wav --prompt "the voice" --out voice
    isolde peel voice --what residual --prompt "the drums" --out drums
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from isolde.cli.process import add_span_args
from isolde.core.errors import InputError

ROLES = ("target", "residual")
EPILOG = (
    "Times are seconds (2.5) or h:mm:ss.sss, on the take's timeline (the source's). "
    "Example: isolde peel voice-separated --what residual --prompt 'the drums' --out drums"
)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    from isolde.cli.main import _add_output_args  # main imports this module: no cycle at load

    p = sub.add_parser(
        "peel",
        help="separate a take's target or residual again (a new take whose parts sum to it)",
        epilog=EPILOG,
    )
    p.add_argument("take_dir", metavar="TAKE_DIR", help="the folder a separation wrote")
    p.add_argument(
        "--what", choices=ROLES, required=True, help="which file of the take to separate"
    )
    p.add_argument("--prompt", help="what to isolate from it, in words")
    add_span_args(p)
    p.add_argument(
        "--keep-mono",
        action="store_true",
        help="keep a mono engine's own output instead of re-projecting it onto the file's channels",
    )
    _add_output_args(p)
    p.set_defaults(video=None, mask=None)  # visual separation needs the picture: use separate
    return p


def peeled_file(take_dir: Path, role: str) -> Path:
    """The take folder's file for `role`, checked to exist."""
    from isolde.jobs.export import read_take_dir

    take = read_take_dir(take_dir).take
    if role not in take.files:
        have = ", ".join(sorted(take.files))
        raise InputError(f"{take_dir}: this take has no {role} file (it has: {have})")
    return Path(take.files[role])


def run(args: argparse.Namespace) -> int:
    from isolde.cli.process import run_separate

    folder = Path(args.take_dir)
    media = peeled_file(folder, args.what)
    args.out = args.out or str(
        folder.absolute().with_name(f"{folder.absolute().name}-{args.what}-peeled")
    )
    args.path = str(media)  # `separate` on that file: same checks, engines, durable cloud jobs
    return run_separate(args)
