"""`isolde batch`: one request over many files, many jobs in flight, safe to run again.

Each file's take goes to OUT/<name>/; the jobs are kept in OUT/.jobs, so a second run skips what
is done, resumes what was in flight and never re-sends a job that may already exist remotely.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from isolde.audio.output_format import OutputFormat
from isolde.cli import arg_types
from isolde.cli.console import print_json
from isolde.cli.jobs_cmd import summary
from isolde.cli.process import add_span_args, parse_options, typed_spans
from isolde.core.errors import Cancelled, InputError
from isolde.jobs.record import JobRecord
from isolde.jobs.store import JobStore
from isolde.providers.base import Request, RequestKind
from isolde.providers.registry import DEFAULT_PROVIDER, get_provider


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="separate many files; run again to resume or skip done ones")
    p.add_argument("paths", nargs="+", metavar="PATH", help="audio or video files")
    p.add_argument("--prompt", default="", help="what to isolate, in words")
    add_span_args(
        p,
        "where the target sounds, in every file (repeatable)",
        "where it does not, in every file (repeatable)",
    )
    p.add_argument(
        "--provider",
        default=DEFAULT_PROVIDER,
        type=arg_types.provider_name,
        help="engine (default: local)",
    )
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument(
        "--concurrency",
        type=arg_types.whole(1, 64, "4"),
        default=4,
        metavar="N",
        help="jobs in flight (1–64)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="OUT/<name>/ per file")
    arg_types.add_format_arg(p, "as for `isolde separate`")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _requests(args: argparse.Namespace) -> list[tuple[Path, Request, Path]]:
    """(file, request, take folder) for every file, all checked before anything is sent."""
    from isolde.audio.opening import probe
    from isolde.cli.input_notes import note_nonfinite
    from isolde.jobs.output_checks import check_take_folder

    provider = get_provider(args.provider)
    options = parse_options(args.option)
    fmt = OutputFormat.parse(args.format)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(
            f"--out {out}: is a file; batch writes a folder per input there — give a folder"
        )
    planned, names = [], set()
    for raw in args.paths:
        path = Path(raw)
        info = probe(path)
        duration = info.duration
        spans = typed_spans(args.spans, duration)
        if not spans and not args.prompt.strip():
            raise InputError("give --prompt TEXT and/or --include/--exclude spans")
        kind = RequestKind.SPANS if spans else RequestKind.TEXT
        request = Request(
            kind, str(path.resolve()), prompt=args.prompt, spans=tuple(spans), options=options
        )
        provider.validate(request, duration)
        name = path.stem
        while name in names:
            name += "_"
        names.add(name)
        if not (out / name / "take.json").exists():  # a finished one is skipped
            check_take_folder(
                out / name,
                info,
                fmt,
                inputs=[path],
                work_files=4 if provider.capabilities.mono_output else 2,
            )
        planned.append((path, request, out / name))
    note_nonfinite(*(path for path, _, _ in planned))
    return planned


class BatchProgress:
    """One line on stderr: done / running / queued / failed, redrawn as jobs move."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.quiet = total, quiet
        self.tty = sys.stderr.isatty()
        self.states: dict[str, str] = {}
        self.skipped = 0
        self._lock = threading.Lock()
        self._last = ""

    def update(self, record: JobRecord) -> None:
        with self._lock:
            self.states[record.id] = record.state
            self.draw()

    def draw(self) -> None:
        if self.quiet:
            return
        counts = {s: list(self.states.values()).count(s) for s in set(self.states.values())}
        done = counts.get("done", 0) + self.skipped
        busy = sum(
            counts.get(s, 0)
            for s in ("preparing", "submitting", "submitted", "running", "fetching")
        )
        bad = sum(counts.get(s, 0) for s in ("failed", "unknown", "cancelled"))
        filled = int(24 * done / max(self.total, 1))
        line = (
            f"[{'#' * filled}{'-' * (24 - filled)}] {done}/{self.total} done · {busy} running"
            f" · {counts.get('queued', 0)} queued · {bad} failed"
        )
        if line == self._last:
            return
        self._last = line
        sys.stderr.write(("\r" + line) if self.tty else line + "\n")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.tty and not self.quiet:
            sys.stderr.write("\n")


def run(args: argparse.Namespace) -> int:
    from isolde.jobs.manager import JobManager
    from isolde.jobs.waiting import wait_all

    planned = _requests(args)
    store = JobStore(Path(args.out) / ".jobs")
    progress = BatchProgress(len(planned), args.quiet)
    manager = JobManager(store, limits={args.provider: args.concurrency}, on_update=progress.update)
    previous = {r.out_dir: r for r in sorted(manager.records(), key=lambda r: r.created_at)}
    rows: list[dict] = []
    running: list[str] = []
    for path, request, take_dir in planned:
        old = previous.get(str(take_dir))
        if (take_dir / "take.json").exists():
            progress.skipped += 1
            rows.append(
                {
                    "file": str(path),
                    "state": "skipped",
                    "take": str(take_dir / "take.json"),
                    "message": "already done",
                }
            )
            continue
        if old is not None and old.active:
            if manager.resume(old.id):
                running.append(old.id)
            else:  # it may exist remotely: reported, never re-sent
                rows.append({"file": str(path), **summary(manager.get(old.id) or old)})
        elif old is not None and old.state == "unknown":
            rows.append({"file": str(path), **summary(old)})  # never re-sent blindly
        else:
            running.append(
                manager.submit(args.provider, request, take_dir, args.format, label=path.name).id
            )
    progress.draw()
    finished = wait_all(manager, running)
    progress.finish()
    for job_id in running:
        record = manager.get(job_id)
        if record is not None:
            rows.append({"file": record.label, **summary(record)})
    manager.shutdown()
    _report(rows, args)
    if not finished:
        raise Cancelled("batch cancelled; run the same command again to resume")
    if any(row["state"] in ("failed", "unknown") for row in rows):
        return 4  # a provider, network or key problem: the summary says which
    return 0


def _report(rows: list[dict], args: argparse.Namespace) -> None:
    counts = {s: sum(1 for r in rows if r["state"] == s) for s in {r["state"] for r in rows}}
    if args.json:
        print_json({"jobs": rows, "counts": counts})
        return
    width = max((len(Path(r["file"]).name) for r in rows), default=4)
    print(f"{'file':<{width}}  {'state':<9}  result")
    for r in rows:
        result = r.get("take") or r.get("message") or ""
        print(f"{Path(r['file']).name:<{width}}  {r['state']:<9}  {result}")
    print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
