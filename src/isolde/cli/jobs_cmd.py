"""`isolde jobs list | resume | cancel`: the durable job store from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isolde.cli.console import print_json
from isolde.core.errors import Cancelled, InputError
from isolde.core.timecode import format_time
from isolde.jobs.record import JobRecord
from isolde.jobs.store import JobStore, project_jobs_dir

if TYPE_CHECKING:
    pass


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("jobs", help="list, resume or cancel background jobs")
    jobs = p.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    for name, text in (
        ("list", "every job and its state"),
        ("resume", "pick up unfinished jobs (all, or one by ID)"),
        ("cancel", "cancel a job, here and at the provider"),
    ):
        q = jobs.add_parser(name, help=text)
        if name == "resume":
            q.add_argument("id", nargs="?", help="a job id or a unique prefix of one")
        elif name == "cancel":
            q.add_argument("id", help="a job id or a unique prefix of one")
        q.add_argument("--project", metavar="FILE", help="the jobs of this .isolde project")
        q.add_argument("--store", metavar="DIR", help="a job folder (e.g. a batch's OUT/.jobs)")
        q.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def open_store(args: argparse.Namespace) -> JobStore:
    if getattr(args, "store", None):
        store = Path(args.store)
        if not store.is_dir():
            what = "is a file" if store.exists() else "no such folder"
            raise InputError(
                f"--store {store}: {what}; give a job folder (e.g. a batch's OUT/.jobs)"
            )
        return JobStore(store)
    if getattr(args, "project", None):
        from isolde.core.projectfile import looks_like_project

        project = Path(args.project)
        if not project.is_file() or not looks_like_project(project):
            what = "no such file" if not project.exists() else "not an Isolde project"
            raise InputError(f"--project {project}: {what}; give the project's .isolde file")
        return JobStore(project_jobs_dir(project))
    return JobStore()


def summary(record: JobRecord) -> dict:
    return {
        "id": record.id,
        "provider": record.provider,
        "kind": record.kind,
        "label": record.label,
        "state": record.state,
        "queue_position": record.queue_position,
        "message": record.message,
        "request_id": record.request_id,
        "created_at": record.created_at,
        "finished_at": record.finished_at,
        "take": record.take_file,
        "out_dir": record.out_dir,
        "cost_estimate_usd": record.cost_estimate_usd,
        "pieces": [
            {"key": p.get("key"), "state": p.get("state"), "request_id": _piece_id(p)}
            for p in record.pieces
        ],
    }


def _piece_id(piece: Mapping[str, Any]) -> str | None:
    sub = piece.get("submission") or {}
    return piece.get("request_id") or sub.get("request_id")


def _find(store: JobStore, prefix: str) -> JobRecord:
    record = store.find(prefix)
    if record is None:
        raise InputError(
            f"no single job matches {prefix!r} in {store.root}; see `isolde jobs list`"
        )
    return record


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    if args.jobs_command == "list":
        records = store.all()
        if args.json:
            print_json(
                {
                    "store": str(store.root),
                    "jobs": [summary(r) for r in records],
                    "unreadable": [{"path": str(p), "reason": why} for p, why in store.unreadable],
                }
            )
            return 0
        if not records:
            print(f"no jobs in {store.root}")
        for r in records:
            state = r.state + (f" #{r.queue_position}" if r.queue_position else "")
            if r.pieces and r.active:
                done = sum(p.get("state") == "done" for p in r.pieces)
                state += f" {done}/{len(r.pieces)}"
            print(
                f"{r.id}  {r.provider:<10} {r.kind:<8} {state:<12} {r.label[:40]:<40} "
                f"{r.message[:60] if r.state in ('failed', 'unknown') else ''}"
            )
        for path, why in store.unreadable:
            print(f"unreadable: {path}: {why}", file=sys.stderr)
        return 0
    from isolde.jobs.manager import JobManager
    from isolde.jobs.waiting import wait_all

    manager = JobManager(store)
    if args.jobs_command == "cancel":
        record = manager.cancel(_find(store, args.id).id)
        if args.json:
            print_json(summary(manager.get(record.id) or record))
        else:
            print(f"{record.id}: {(manager.get(record.id) or record).state}")
        return 0
    target = _find(store, args.id).id if args.id else None
    started = manager.resume(target)
    finished = wait_all(manager, [r.id for r in started])
    records = [manager.get(r.id) for r in started]
    unknown = [r for r in manager.records() if r.state == "unknown" and (target in (None, r.id))]
    ids = {r.id for r in started}
    elsewhere = [  # being run by another Isolde process: left to it
        r for r in manager.records() if r.active and r.id not in ids and target in (None, r.id)
    ]
    if args.json:
        print_json(
            {
                "resumed": [summary(r) for r in records if r],
                "unknown": [summary(r) for r in unknown],
                "running_elsewhere": [summary(r) for r in elsewhere],
            }
        )
    else:
        for r in records:
            if r:
                print(f"{r.id}: {r.state}  {r.take_file or r.message}")
        for r in unknown:
            print(f"{r.id}: unknown — {r.message}")
        for r in elsewhere:
            print(f"{r.id}: {r.state}, being run by another Isolde process — left to it")
        if not started and not unknown and not elsewhere:
            print("nothing to resume")
    if not finished:
        raise Cancelled()
    return 4 if any(r and r.state == "failed" for r in records) else 0


def elapsed(record: JobRecord) -> str:
    if not record.started_at or not record.finished_at:
        return ""
    from datetime import datetime

    seconds = (
        datetime.fromisoformat(record.finished_at) - datetime.fromisoformat(record.started_at)
    ).total_seconds()
    return format_time(seconds)
