"""The `local` provider: offline separation and gap repair, no key and no network.

This wrapper owns files, validation and events; the DSP lives in the modules it calls
(separation/wiener/profiles for SPANS and TEXT, gap_repair for INPAINT).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from isolde.audio import AudioWriter, OutputFormat, open_audio
from isolde.core.progress import CancelToken
from isolde.core.spans import Span, effective_spans
from isolde.providers.base import (
    Capabilities,
    EventFn,
    JobEvent,
    OptionSpec,
    Provider,
    ProviderResult,
    Request,
    RequestKind,
    ignore_events,
)
from isolde.providers.local import gap_repair, prompts
from isolde.providers.local.envelope import merge_ranges
from isolde.providers.local.reporting import Reporter
from isolde.providers.local.separation import estimate_profiles, profile_work, separate
from isolde.providers.local.sources import FrameSource
from isolde.providers.local.stft import StftGrid
from isolde.providers.local.wiener import WienerParams

NOTES = (
    "Separates a sound from a steady background (noise, hiss, hum, room tone) by spectral "
    "Wiener filtering. Mark with exclude spans where the target is absent: the background is "
    "measured there and the target is silenced there; include spans sharpen the target's band. "
    "Without exclude spans the background is taken from the quietest frames. Text prompts: only "
    "speech/voice words are understood, mapped to the same method. Inpaint: gaps up to 50 ms are "
    "predicted from both sides; longer gaps are filled with matching room tone. It cannot tell "
    "one voice or instrument from another, follow other prompts, or regenerate speech or new "
    "sounds: use a cloud engine for those."
)
FLOAT_WAV = OutputFormat("wav", "float")


class LocalProvider(Provider):
    name = "local"
    title = "Offline (this computer)"
    capabilities = Capabilities(
        kinds=frozenset({RequestKind.SPANS, RequestKind.TEXT, RequestKind.INPAINT}),
        options=(
            OptionSpec(
                "reduction_db",
                float,
                30.0,
                "how far the background may be pushed down, in dB; lower keeps more room tone",
                minimum=6.0,
                maximum=80.0,
            ),
        ),
        key_env=None,
        notes=NOTES,
    )

    def check(self, request: Request, duration_s: float) -> dict[str, str]:
        problems: dict[str, str] = {}
        has_exclude = any(not s.include for s in effective_spans(list(request.spans)))
        if (
            request.kind is RequestKind.TEXT
            and prompts.interpret(request.prompt, has_exclude) is None
        ):
            problems["prompt"] = prompts.cannot_follow(request.prompt)
        if request.kind is RequestKind.INPAINT:
            region = request.region
            if region is None:
                problems["region"] = "an inpaint request needs a region to repair"
            elif region.start < 0 or region.start >= region.end:
                problems["region"] = (
                    f"region {region.start:g}–{region.end:g} s is empty or inverted"
                )
            elif region.start + max(duration_s - region.end, 0.0) < gap_repair.MIN_CONTEXT_S:
                problems["region"] = (
                    f"region {region.start:g}–{region.end:g} s leaves less than "
                    f"{gap_repair.MIN_CONTEXT_S * 1000:.0f} ms of the file around it to repair "
                    "from; shorten the region"
                )
        return problems

    def run(
        self,
        request: Request,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> ProviderResult:
        with open_audio(request.media_path) as source:
            self.validate(request, source.duration)
            options = self.resolve_options(request.options)
            work_dir = Path(work_dir)
            work_dir.mkdir(parents=True, exist_ok=True)
            if request.kind is RequestKind.INPAINT:
                result = _inpaint(request, source, work_dir, on_event, cancel)
            else:
                result = _separate(request, source, options, work_dir, on_event, cancel)
        on_event(JobEvent("done", "finished", 1.0))
        return result


def _sample_ranges(
    spans: list[Span], include: bool, rate: int, frames: int
) -> list[tuple[int, int]]:
    return merge_ranges(
        (min(round(s.start * rate), frames), min(round(s.end * rate), frames))
        for s in spans
        if s.include == include
    )


@contextmanager
def _no_leftovers(*paths: Path) -> Iterator[None]:
    """Remove the given outputs if the block fails, unless they were there before it began."""
    fresh = [p for p in paths if not p.exists()]
    try:
        yield
    except BaseException:
        for p in fresh:
            p.unlink(missing_ok=True)
        raise


def _separate(
    request: Request,
    source: FrameSource,
    options: dict[str, Any],
    work_dir: Path,
    on_event: EventFn,
    cancel: CancelToken | None,
) -> ProviderResult:
    started = time.perf_counter()
    rate, frames = source.sample_rate, source.frames
    spans = effective_spans(list(request.spans))
    excluded = _sample_ranges(spans, False, rate, frames)
    included = _sample_ranges(spans, True, rate, frames)
    grid = StftGrid.for_rate(rate)
    params = WienerParams(reduction_db=float(options["reduction_db"]))
    reporter = Reporter(on_event, cancel, profile_work(source, excluded, included) + frames)
    interpretation = None
    if request.kind is RequestKind.TEXT:
        interpretation = prompts.interpret(request.prompt, bool(excluded))
        reporter.log(interpretation or "")
    reporter.phase("measuring the background")
    profiles = estimate_profiles(source, grid, params, excluded, included, reporter.step)
    if profiles.noise_source == "quietest frames":
        reporter.log(
            "no exclude spans: the background is estimated from the quietest 15% of frames in "
            "each frequency bin; mark exclude spans where the target is absent for a better result"
        )
    if included:
        reporter.log(f"include spans ({profiles.include_frames} frames) shape the target's band")
    target_path, residual_path = work_dir / "target.wav", work_dir / "residual.wav"
    reporter.phase("separating")
    with (
        _no_leftovers(target_path, residual_path),
        AudioWriter(target_path, rate, source.channels, FLOAT_WAV) as target_out,
        AudioWriter(residual_path, rate, source.channels, FLOAT_WAV) as residual_out,
    ):

        def emit(target: Any, residual: Any) -> None:
            target_out.write(target)
            residual_out.write(residual)

        separate(source, grid, params, profiles, excluded, emit, reporter.step)
        reporter.check()
    elapsed = time.perf_counter() - started
    details: dict[str, Any] = {
        "method": "spectral Wiener gain, decision-directed a-priori SNR, one mask for all channels",
        "background_from": profiles.noise_source,
        "background_frames": profiles.noise_frames,
        "include_frames": profiles.include_frames,
        "fft_size": grid.n_fft,
        "hop": grid.hop,
        "reduction_db": params.reduction_db,
        "over_subtraction": params.over_subtraction,
        "smoothing": params.smoothing,
        "seconds": round(elapsed, 3),
        "realtime_factor": round(frames / rate / elapsed, 1) if elapsed > 0 else None,
    }
    if interpretation:
        details["prompt_interpretation"] = interpretation
    files = {"target": target_path, "residual": residual_path}
    return ProviderResult(files, rate, "local/spectral-wiener", details=details)


def _inpaint(
    request: Request,
    source: FrameSource,
    work_dir: Path,
    on_event: EventFn,
    cancel: CancelToken | None,
) -> ProviderResult:
    assert request.region is not None  # validate() has checked
    region, rate, frames = request.region, source.sample_rate, source.frames
    r0 = min(round(region.start * rate), frames - 1)
    r1 = max(min(round(region.end * rate), frames), r0 + 1)
    reporter = Reporter(on_event, cancel, frames)
    reporter.log(
        "the offline engine repairs gaps from the surrounding sound; regenerating speech or new "
        "sounds needs a cloud engine"
        + (f" (the prompt {region.prompt!r} is not used)" if region.prompt.strip() else "")
    )
    reporter.phase("planning the repair")
    patch = gap_repair.plan_repair(source, r0, r1)
    if patch.method == "autoregressive":
        reporter.log(f"{(r1 - r0) / rate * 1000:.1f} ms gap: predicted from both sides")
    else:
        a, b = patch.facts["copied_from_s"]
        reporter.log(
            f"{(r1 - r0) / rate:.2f} s gap: filled with room tone copied from {a:.2f}–{b:.2f} s"
        )
    out_path = work_dir / "inpainted.wav"
    reporter.phase("repairing")
    with (
        _no_leftovers(out_path),
        AudioWriter(out_path, rate, source.channels, FLOAT_WAV) as out,
    ):
        gap_repair.repair(source, patch, out.write, reporter.step)
        reporter.check()
    details = {"method": patch.method, "region_samples": [r0, r1], **patch.facts}
    return ProviderResult({"inpainted": out_path}, rate, "local/gap-repair", details=details)
