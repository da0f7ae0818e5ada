"""`isolde separate` and `isolde inpaint`: one engine call from the command line to a take."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isolde.audio.output_format import OutputFormat
from isolde.cli.arg_types import typed_range
from isolde.cli.console import ProgressPrinter, print_json
from isolde.cli.worker import run_cancellable
from isolde.core.errors import InputError
from isolde.core.frozen import thaw
from isolde.core.progress import CancelToken
from isolde.core.projectfile import looks_like_project
from isolde.core.spans import InpaintRegion, Span
from isolde.core.timecode import parse_range
from isolde.providers.base import Provider, Request, RequestKind, TimeRange
from isolde.providers.registry import DEFAULT_PROVIDER, get_provider

if TYPE_CHECKING:
    from isolde.jobs.runner import TakeOutcome


class SpanAction(argparse.Action):
    """Collect --include and --exclude in the order given: where spans overlap, the later wins."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        spans = list(getattr(namespace, self.dest, None) or [])
        spans.append((option_string == "--include", values))
        setattr(namespace, self.dest, spans)


def add_span_args(
    p: argparse.ArgumentParser,
    include_help: str = "where the target sounds",
    exclude_help: str = "where it does not",
) -> None:
    """--include A-B and --exclude A-B, repeatable, kept in the order given in `spans`."""
    p.add_argument("--include", dest="spans", action=SpanAction, metavar="A-B", help=include_help)
    p.add_argument("--exclude", dest="spans", action=SpanAction, metavar="A-B", help=exclude_help)


def typed_spans(
    given: list[tuple[bool, str]] | None, duration: float | None = None, *, checked: bool = True
) -> list[Span]:
    """The --include/--exclude spans in the order given; with `checked`, each is checked against
    `duration` as it is read."""
    spans = []
    for include, text in given or []:
        start, end = typed_range("--include" if include else "--exclude", text)
        span = Span(start, end, include)
        spans.append(span.validate(duration) if checked else span)
    return spans


def parse_options(pairs: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"bad --option {pair!r}: write KEY=VALUE, e.g. reduction_db=24")
        options[key.strip()] = value
    return options


def _source(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The media path and project defaults (spans, prompt, provider, options) for PATH."""
    path = Path(args.path)
    if not looks_like_project(path):
        return str(path), {}
    from isolde.audio.media_check import ensure_media
    from isolde.core.project import Project

    project = Project.load(path)
    state = project.state
    if state.media is None:
        raise InputError(f"{path}: the project has no media to process; open a file in it first")
    return str(ensure_media(project)), {  # gone: found by content; changed: refused
        "spans": state.spans,
        "regions": state.regions,
        "prompt": state.prompt,
        "provider": state.provider,
        "options": dict(state.options),
    }


def _run(
    provider: Provider, request: Request, args: argparse.Namespace, fmt: OutputFormat
) -> TakeOutcome:
    """Run on a worker thread so that Ctrl-C becomes a clean cancel (exit 5).

    A cloud engine's job goes through the durable job store first (`jobs.foreground`): a
    killed command is finished by `isolde jobs resume` or by the same command run again, and
    never paid for twice."""
    from isolde.jobs.runner import run_to_take  # here, not on the worker thread

    printer = ProgressPrinter(quiet=args.quiet)
    keep_mono = getattr(args, "keep_mono", False)

    def work(cancel: CancelToken) -> TakeOutcome:
        if provider.capabilities.key_env is None:  # this machine's engine: nothing to lose
            return run_to_take(
                provider,
                request,
                Path(args.out),
                fmt,
                on_event=printer,
                cancel=cancel,
                keep_mono=keep_mono,
            )
        from isolde.jobs.foreground import run_job_here
        from isolde.jobs.manager import JobManager
        from isolde.jobs.store import JobStore

        durable = _absolute(request)
        manager = JobManager(JobStore(), providers=_same_provider(provider))
        _, outcome = run_job_here(
            manager,
            provider.name,
            durable,
            Path(args.out).absolute(),
            args.format,
            keep_mono=keep_mono,
            on_event=printer,
            cancel=cancel,
        )
        return outcome

    return run_cancellable(work, printer)


def _absolute(request: Request) -> Request:
    """The request with absolute paths, so that a resume from any folder finds its files."""

    def full(path: str | None) -> str | None:
        return None if path is None else str(Path(path).absolute())

    return replace(
        request,
        media_path=str(Path(request.media_path).absolute()),
        video_path=full(request.video_path),
        mask_path=full(request.mask_path),
    )


def _same_provider(provider: Provider) -> Callable[[str], Provider]:
    return lambda name: provider if name == provider.name else get_provider(name)


def _report(
    outcome: TakeOutcome, provider: Provider, command: str, args: argparse.Namespace
) -> int:
    if args.json:
        print_json(
            {
                "command": command,
                "provider": provider.name,
                "endpoint": outcome.take.endpoint,
                "outputs": {role: str(p) for role, p in outcome.outputs.items()},
                "take": str(outcome.take_file),
                "provider_request_id": outcome.take.provider_request_id,
                "cost_usd": outcome.take.cost_usd,
                "timing": {
                    "processing_s": round(outcome.processing_s, 4),
                    "total_s": round(outcome.total_s, 4),
                },
                # The result check (jobs.result_check): problems worded for the user, measures.
                "problems": outcome.take.problems,
                "checks": thaw(outcome.take.checks),
            }
        )
    else:
        for role, p in outcome.outputs.items():
            print(f"{role:<10}{p}")
        print(f"{'take':<10}{outcome.take_file}")
        cost = f", about ${outcome.take.cost_usd:.3f}" if outcome.take.cost_usd else ""
        print(f"done in {outcome.processing_s:.2f} s ({provider.name}{cost})")
        for problem in outcome.take.problems:
            print(f"check: {problem}")
        for start, end in outcome.take.predicted_spans:
            print(f"{'predicted':<10}{start:.2f}–{end:.2f} s")
    return 0


def _selection(args: argparse.Namespace, duration: float) -> TimeRange | None:
    if not args.range:
        return None
    start, end = parse_range(args.range)
    if not 0 <= start < end or end > duration + 1e-6:
        raise InputError(
            f"--range {args.range}: must lie inside the media (0–{duration:.3f} s), start first"
        )
    return TimeRange(start, end)


def _visual_inputs(args: argparse.Namespace, media_path: str) -> tuple[str | None, str | None]:
    if args.video is None:
        if args.mask:
            raise InputError("--mask goes with --video: give the video the mask belongs to")
        return None, None
    video = args.video or media_path
    for what, path in (("video", video), ("mask", args.mask)):
        if path and not Path(path).is_file():
            raise InputError(f"{path}: no such {what} file")
    return video, args.mask


def _default_out(media_path: str, suffix: str) -> str:
    return str(Path.cwd() / f"{Path(media_path).stem}-{suffix}")


def run_separate(args: argparse.Namespace) -> int:
    from isolde.audio.opening import probe
    from isolde.cli.preflight import check_before_work

    media_path, defaults = _source(args)
    provider = get_provider(args.provider or defaults.get("provider") or DEFAULT_PROVIDER)
    fmt = OutputFormat.parse(args.format)
    media = probe(media_path)
    duration = media.duration
    spans = list(defaults.get("spans", ()))
    spans.extend(typed_spans(args.spans, duration))
    for span in spans:
        span.validate(duration)
    prompt = args.prompt if args.prompt is not None else defaults.get("prompt", "")
    options = {**defaults.get("options", {}), **parse_options(args.option)}
    video, mask = _visual_inputs(args, media_path)
    if video is not None and args.spans:
        raise InputError(
            "--include/--exclude do not apply to visual separation: the video (and its mask) "
            "say what to isolate; leave them out"
        )
    if video is not None:
        kind = RequestKind.VISUAL
    elif spans:
        kind = RequestKind.SPANS
    elif prompt.strip():
        kind = RequestKind.TEXT
    else:
        raise InputError(
            "nothing to go on: give --prompt TEXT, or mark the target with --include A-B and "
            "what is not the target with --exclude A-B (or, with fal, --video)"
        )
    request = Request(
        kind,
        media_path,
        prompt=prompt,
        spans=tuple(spans) if kind is not RequestKind.VISUAL else (),  # project spans too
        options=options,
        selection=_selection(args, duration),
        video_path=video,
        mask_path=mask,
    )
    args.out = args.out or _default_out(media_path, "separated")
    check_before_work(provider, request, media, args, fmt)  # before any engine or upload
    command = getattr(args, "command", None) or "separate"  # `peel` runs through here too
    return _report(_run(provider, request, args, fmt), provider, command, args)


def run_inpaint(args: argparse.Namespace) -> int:
    from isolde.audio.opening import probe
    from isolde.cli.preflight import check_before_work

    media_path, defaults = _source(args)
    provider = get_provider(args.provider or defaults.get("provider") or DEFAULT_PROVIDER)
    fmt = OutputFormat.parse(args.format)
    media = probe(media_path)
    duration = media.duration
    if args.region:
        start, end = typed_range("--region", args.region)
        region = InpaintRegion(
            start,
            end,
            prompt=args.prompt or "",
            negative_prompt=args.negative_prompt or "",
            seed=args.seed,
            steps=args.steps,
        )
    elif defaults.get("regions"):
        region = defaults["regions"][0]
    else:
        raise InputError(
            "give the stretch to regenerate with --region A-B, e.g. --region 12.3-12.8"
        )
    region.validate(duration)
    options = {**defaults.get("options", {}), **parse_options(args.option)}
    request = Request(
        RequestKind.INPAINT,
        media_path,
        prompt=region.prompt,
        region=region,
        options=options,
        selection=_selection(args, duration),
    )
    args.out = args.out or _default_out(media_path, "inpainted")
    check_before_work(provider, request, media, args, fmt)  # before any engine or upload
    return _report(_run(provider, request, args, fmt), provider, "inpaint", args)
