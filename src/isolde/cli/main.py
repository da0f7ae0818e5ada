"""The `isolde` command: the editor when given nothing or a path, headless commands otherwise.

Exit codes: 0 ok, 1 unexpected failure, 2 usage, 3 bad input, 4 provider/network/key, 5 cancelled.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Callable, Sequence

from isolde import __version__
from isolde.cli import (
    arg_types,
    batch,
    compare_cmd,
    export_cmd,
    jobs_cmd,
    mask_cmd,
    mux_cmd,
    peel_cmd,
    process,
    stems_cmd,
    suggest,
)
from isolde.cli.console import error
from isolde.core.errors import Cancelled, IsoldeError

COMMANDS = (
    "info",
    "separate",
    "inpaint",
    "providers",
    "suggest",
    "jobs",
    "batch",
    "remix",
    "export",
    "mask",
    "mux",
    "compare",
    "peel",
    "stems",
)

TIME_HELP = "times are seconds (2.5) or h:mm:ss.sss"

# command: (module under isolde.cli, function). Each module is imported when its command runs,
# and those imported above keep their heavy imports (numpy, scipy, av, ...) inside the
# functions that need them, so `isolde --help` and `isolde info` start fast.
HANDLERS = {
    "info": ("info", "run"),
    "separate": ("process", "run_separate"),
    "inpaint": ("process", "run_inpaint"),
    "providers": ("providers_cmd", "run"),
    "suggest": ("suggest", "run"),
    "jobs": ("jobs_cmd", "run"),
    "batch": ("batch", "run"),
    "remix": ("export_cmd", "run_remix"),
    "export": ("export_cmd", "run_export"),
    "mask": ("mask_cmd", "run"),
    "mux": ("mux_cmd", "run"),
    "compare": ("compare_cmd", "run"),
    "peel": ("peel_cmd", "run"),
    "stems": ("stems_cmd", "run"),
}


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    module, function = HANDLERS[command]
    handler: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(f"isolde.cli.{module}"), function
    )
    return handler


def _add_output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--provider",
        type=arg_types.provider_name,
        help="engine to use (default: local, offline); see `isolde providers`",
    )
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="engine option, repeatable; see `isolde providers --json`",
    )
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: ./<name>-separated or -inpainted)"
    )
    arg_types.add_format_arg(p)
    p.add_argument(
        "--range",
        metavar="A-B",
        help="process only this stretch (plus a little context around it); the result is "
        "placed back at its time in full-length files",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="isolde",
        description="Isolate and repair sounds. With no command, opens the editor "
        "(on PATH, or on the bundled sample).",
        epilog=f"Run `isolde COMMAND --help` for details; {TIME_HELP}.",
    )
    parser.add_argument("--version", action="version", version=f"isolde {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("info", help="duration, rate, channels and format of a file or project")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    p = sub.add_parser(
        "separate",
        help="split a file into target and residual",
        epilog=f"{TIME_HELP}. Where spans overlap, the later one wins.",
    )
    p.add_argument("path", help="audio or video file, or an .isolde project")
    p.add_argument("--prompt", help="what to isolate, in words (e.g. 'the man speaking')")
    process.add_span_args(
        p,
        "a stretch where the target sounds (repeatable)",
        "a stretch where the target does not sound (repeatable)",
    )
    p.add_argument(
        "--video",
        nargs="?",
        const="",
        metavar="PATH",
        help="visual separation (fal): the video whose pictures show the sound's source; "
        "without PATH, the input file itself",
    )
    p.add_argument(
        "--keep-mono",
        action="store_true",
        help="keep a mono engine's own output (SAM Audio is mono) instead of re-projecting it "
        "onto the source's stereo image",
    )
    p.add_argument(
        "--mask",
        metavar="PATH",
        help="with --video: a mask video, black where the target is, white elsewhere",
    )
    _add_output_args(p)

    p = sub.add_parser(
        "inpaint", help="regenerate a stretch (repair a gap, a click, a dropout)", epilog=TIME_HELP
    )
    p.add_argument("path", help="audio or video file, or an .isolde project")
    p.add_argument("--region", metavar="A-B", help="the stretch to regenerate")
    p.add_argument("--prompt", default="", help="what should sound there")
    p.add_argument("--negative-prompt", default="", help="what should not")
    p.add_argument(
        "--seed",
        type=arg_types.whole(0, 2**32 - 1, "42"),
        help="random seed, for a repeatable result",
    )
    p.add_argument(
        "--steps", type=arg_types.whole(1, 1000, "50"), help="diffusion steps (cloud engines)"
    )
    _add_output_args(p)

    p = sub.add_parser(
        "providers", help="the engines, what they do, whether a key is set (env or keyring)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    suggest.add_parser(sub)
    jobs_cmd.add_parser(sub)
    batch.add_parser(sub)
    export_cmd.add_parsers(sub)
    mask_cmd.add_parser(sub)
    mux_cmd.add_parser(sub)
    compare_cmd.add_parser(sub)
    peel_cmd.add_parser(sub)
    stems_cmd.add_parser(sub)
    return parser


def _open_editor(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="isolde", add_help=False)
    parser.add_argument("path", nargs="?")
    args, rest = parser.parse_known_args(argv)
    if rest:
        build_parser().print_usage(sys.stderr)
        error(f"unrecognised arguments: {' '.join(rest)}")
        return 2
    from isolde.ui.shell.launch import launch_editor

    return launch_editor(args.path)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        return _open_editor(argv)
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return 0
    try:
        return _handler(args.command)(args)
    except Cancelled as exc:
        said = str(exc)  # a command that kept something says what (compare, batch)
        error(said if said not in ("", "cancelled") else "cancelled; nothing was written")
        return Cancelled.exit_code
    except IsoldeError as exc:
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        error("cancelled")
        return Cancelled.exit_code
    except Exception:
        return _unexpected(args.command)


def _unexpected(command: str) -> int:
    """An exception no command expected: the trace (keys scrubbed) on stderr and in the log."""
    from isolde.core.logs import log_exception  # late: the log is only needed on failure
    from isolde.core.redact import scrub

    sys.stderr.write(scrub(traceback.format_exc()))
    path = log_exception(f"isolde {command}", sys.exc_info())  # type: ignore[arg-type]
    where = f" (also written to {path})" if path is not None else ""
    error(
        "unexpected failure — this is a bug in Isolde; please report it with the trace above"
        + where
    )
    return 1
