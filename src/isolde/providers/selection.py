"""Processing only part of a file, for any engine: cut the selection plus context, run the
engine on that, place the result back at its time in full-length files (see `assembly`).

Cloud inpainting always works this way: only the region plus context is sent — faster, cheaper,
and within the models' length limits — and everything outside it stays the original.

Visual separation sends a video, not audio: for a selection the video and its mask are cut to the
same stretch as the audio (`video.cut`; the picture re-encoded upright, the mask losslessly) and
the cut video carries the request's own sound over that stretch, so what comes back lines up with
the audio it is placed back into (target + residual = input, as for any selection).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from isolde.audio import open_audio
from isolde.core.progress import CancelToken
from isolde.providers.assembly import run_windows
from isolde.providers.base import (
    EventFn,
    JobEvent,
    Provider,
    ProviderResult,
    Request,
    RequestKind,
    TimeRange,
    ignore_events,
)
from isolde.providers.windows import context_for, fade_for, selection_window
from isolde.video.cut import cut_mask, cut_video, source_origin


def with_default_selection(provider: Provider, request: Request) -> Request:
    """A cloud inpaint request without a selection gets its region as the selection."""
    if (
        request.kind is RequestKind.INPAINT
        and request.selection is None
        and request.region is not None
        and provider.capabilities.key_env is not None
    ):
        return replace(request, selection=TimeRange(request.region.start, request.region.end))
    return request


def run_request(
    provider: Provider,
    request: Request,
    work_dir: Path,
    *,
    on_event: EventFn = ignore_events,
    cancel: CancelToken | None = None,
) -> ProviderResult:
    """`provider.run`, on the selection only when the request has one."""
    if request.selection is None:
        return provider.run(request, work_dir, on_event=on_event, cancel=cancel)
    with open_audio(request.media_path, cancel=cancel) as source:
        rate = source.sample_rate
        window = selection_window(
            request.selection,
            source.sample_rate,
            source.frames,
            context_s=context_for(request.kind),
            fade_s=fade_for(request.kind),
        )

    def run_part(sub: Request, part_dir: Path, events: EventFn) -> ProviderResult:
        if sub.kind is RequestKind.VISUAL:
            start, end = window.start / rate, window.stop / rate
            sub = visual_part(sub, start, end, part_dir, events=events, cancel=cancel)
        return provider.run(sub, part_dir, on_event=events, cancel=cancel)

    result = run_windows(
        run_part,
        request,
        [window],
        Path(work_dir),
        on_event=on_event,
        cancel=cancel,
        purpose="selection",
    )
    on_event(JobEvent("done", "finished", 1.0))
    return result


def visual_part(
    sub: Request,
    start: float,
    end: float,
    part_dir: Path,
    *,
    events: EventFn = ignore_events,
    cancel: CancelToken | None = None,
) -> Request:
    """A visual window's request: its video and mask cut to timeline [start, end), the video
    carrying the window's sound (`sub.media_path`)."""
    assert sub.video_path is not None

    def progress(fraction: float, message: str) -> None:
        events(JobEvent("running", f"{message} ({start:.2f}–{end:.2f} s)", fraction))

    video = cut_video(
        sub.video_path,
        start,
        end,
        part_dir / "video.mp4",
        audio=sub.media_path,
        progress=progress,
        cancel=cancel,
    )
    mask = None
    if sub.mask_path:
        origin = source_origin(sub.video_path)
        mask = cut_mask(
            sub.mask_path,
            start,
            end,
            part_dir / "mask.mp4",
            origin_s=origin,
            progress=progress,
            cancel=cancel,
        )
    return replace(sub, video_path=str(video.path), mask_path=str(mask.path) if mask else None)
