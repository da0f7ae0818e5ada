"""Processing only part of a file, for any engine: cut the selection plus context, run the
engine on that, place the result back at its time in full-length files (see `assembly`).

Cloud inpainting always works this way: only the region plus context is sent — faster, cheaper,
and within the models' length limits — and everything outside it stays the original.
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
        window = selection_window(
            request.selection,
            source.sample_rate,
            source.frames,
            context_s=context_for(request.kind),
            fade_s=fade_for(request.kind),
        )

    def run_part(sub: Request, part_dir: Path, events: EventFn) -> ProviderResult:
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
