"""`isolde compare`: the same request on several engines or option sets, one take folder each.

    isolde compare clip.wav --prompt "the dog" --try local --try fal \\
        --try fal:reranking_candidates=4 --try audiolasso --out dog-compare

Everything is checked and priced before anything is sent; then all tries run at once and a
summary table is printed (and written to OUT/summary.json).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isolde.cli import arg_types
from isolde.cli.process import add_span_args, typed_spans

if TYPE_CHECKING:
    from isolde.jobs.compare import PlannedTry
    from isolde.jobs.record import JobRecord


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="send one request to several engines or option sets; one take folder per try",
        epilog="e.g. --try local --try fal --try fal:reranking_candidates=4 --try audiolasso. "
        "Times are seconds (2.5) or h:mm:ss.sss; where spans overlap, the later one wins.",
    )
    p.add_argument("path", help="audio or video file, or an .isolde project")
    p.add_argument(
        "--try",
        dest="tries",
        action="append",
        required=True,
        metavar="PROVIDER[:KEY=VALUE,...]",
        help="an engine and its own options (repeat: at least two)",
    )
    p.add_argument("--prompt", help="what to isolate, in words")
    add_span_args(p)
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an option for every try that takes it (a try's own options win)",
    )
    p.add_argument("--range", metavar="A-B", help="compare on this stretch only")
    p.add_argument("--out", metavar="DIR", help="output folder (default: ./<name>-compare)")
    arg_types.add_format_arg(p, "as for `isolde separate`")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def run(args: argparse.Namespace) -> int:
    from isolde.audio.opening import probe
    from isolde.audio.output_format import OutputFormat
    from isolde.cli.input_notes import note_nonfinite
    from isolde.cli.process import _absolute, _default_out, _selection, _source, parse_options
    from isolde.core.errors import Cancelled, InputError
    from isolde.jobs import compare
    from isolde.jobs.runner import check_request_outputs
    from isolde.providers.base import Request, RequestKind

    tries = [compare.parse_try(text) for text in args.tries]
    media_path, defaults = _source(args)
    fmt = OutputFormat.parse(args.format)
    media = probe(media_path)
    spans = list(defaults.get("spans", ()))
    spans.extend(typed_spans(args.spans, checked=False))
    for span in spans:
        span.validate(media.duration)
    prompt = args.prompt if args.prompt is not None else defaults.get("prompt", "")
    if not spans and not prompt.strip():
        raise InputError("nothing to go on: give --prompt TEXT and/or --include/--exclude spans")
    base = Request(
        RequestKind.SPANS if spans else RequestKind.TEXT,
        media_path,
        prompt=prompt,
        spans=tuple(spans),
        options={**defaults.get("options", {}), **parse_options(args.option)},
        selection=_selection(args, media.duration),
    )
    base = _absolute(base)
    out = Path(args.out or _default_out(media_path, "compare")).absolute()
    planned = compare.plan_tries(tries, base, media.duration)
    for p in planned:  # every folder checked before any try is sent
        check_request_outputs(p.provider, p.request, media, out / p.folder, fmt)
    note_nonfinite(media_path)
    if not args.quiet:
        for p in planned:
            cost = f"${p.cost_usd:.3f}" if p.cost_usd is not None else "—"
            note = f"  ({p.note})" if p.note else ""
            print(f"try {p.index}: {p.attempt.name:<32} {cost}{note}", file=sys.stderr)
        print(f"sending {compare.cost_text(planned)}", file=sys.stderr)
    rows, finished = compare.run_tries(
        planned, out, args.format, on_update=None if args.quiet else _progress
    )
    summary = compare.write_summary(out, media_path, planned, rows)
    _report(rows, planned, summary, args)
    if not finished:
        raise Cancelled("compare cancelled; the finished tries are kept")
    return 4 if any(r["state"] != "done" for r in rows) else 0


def _progress(record: JobRecord) -> None:
    if record.state in ("submitted", "done", "failed", "cancelled", "unknown"):
        print(f"{record.label}: {record.state}", file=sys.stderr)


def _report(
    rows: list[dict[str, Any]],
    planned: Sequence[PlannedTry],
    summary: Path,
    args: argparse.Namespace,
) -> None:
    from isolde.cli.console import print_json
    from isolde.jobs.compare import total_cost

    if args.json:
        print_json(
            {"tries": rows, "cost_estimate_usd": total_cost(planned), "summary": str(summary)}
        )
        return
    width = max(len(r["name"]) for r in rows)
    print(f"{'#':<3}{'try':<{width}}  {'state':<9}{'cost':>8}{'took':>8}{'target':>9}  take")
    for r in rows:
        cost = f"${r['cost_estimate_usd']:.3f}" if r["cost_estimate_usd"] is not None else "—"
        took = f"{r['took_s']:.1f}s" if r.get("took_s") is not None else ""
        level = f"{r['target_dbfs']:.1f}dB" if r.get("target_dbfs") is not None else ""
        where = r["take"] or r["message"]
        head = f"{r['try']:<3}{r['name']:<{width}}  {r['state']:<9}"
        print(f"{head}{cost:>8}{took:>8}{level:>9}  {where}")
    print(f"summary   {summary}")
