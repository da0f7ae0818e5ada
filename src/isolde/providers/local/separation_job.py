"""One separation request end to end: choose the method, measure, separate into two files.

The provider validates and owns the events; this module turns a request and an open source into
target.wav and residual.wav through one of three drivers: the speech path (a denoiser's speech
estimate — DeepFilterNet3 for `neural`, RNNoise for `speech` — fused with the span background),
the spectral path (span-guided Wiener gain) or the hum path. Mains hum is cancelled line by line
(`isolde.dsp.hum_cancel`) ahead of the speech path wherever it is found, and ahead of the
spectral path when the exclude spans hold it: the path analyses and masks the recording without
it, and the residual is taken from the recording itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from isolde.audio import AudioWriter, OutputFormat
from isolde.core.errors import InputError
from isolde.core.spans import Span, effective_spans
from isolde.dsp import deepfilter
from isolde.dsp.denoised_stream import DenoisedStream
from isolde.dsp.envelope import merge_ranges
from isolde.dsp.hum import find_hum
from isolde.dsp.hum_cancel import SMOOTH_S, HumCancelledSource, mains_hum, separate_hum
from isolde.dsp.method_choice import BACKEND, METHOD_HELP, choose_method
from isolde.dsp.network_hearing import Heard, deaf_weight, hearing
from isolde.dsp.separation import (
    EmitFn,
    Profiles,
    Ranges,
    estimate_profiles,
    profile_work,
    separate,
)
from isolde.dsp.sources import FrameSource
from isolde.dsp.span_tails import without_tails
from isolde.dsp.speech_mask import SpeechParams
from isolde.dsp.speech_separation import separate_speech, speech_grid
from isolde.dsp.stft import StftGrid
from isolde.dsp.wiener import WienerParams
from isolde.providers.base import ECHOES_DETAIL, ProviderResult, Request, RequestKind
from isolde.providers.local import prompts
from isolde.providers.local.reporting import Reporter

FLOAT_WAV = OutputFormat("wav", "float")
ENDPOINTS = {
    "neural": "local/neural-fusion",
    "speech": "local/speech-fusion",
    "spectral": "local/spectral-wiener",
    "hum": "local/hum",
}

SPEECH_ESTIMATORS = {"deepfilter": deepfilter.MODEL_VERSION, "rnnoise": "RNNoise"}


def sample_ranges(
    spans: list[Span], include: bool, rate: int, frames: int
) -> list[tuple[int, int]]:
    return merge_ranges(
        (min(round(s.start * rate), frames), min(round(s.end * rate), frames))
        for s in spans
        if s.include == include
    )


@contextmanager
def no_leftovers(*paths: Path) -> Iterator[None]:
    """Remove the given outputs if the block fails, unless they were there before it began."""
    fresh = [p for p in paths if not p.exists()]
    try:
        yield
    except BaseException:
        for p in fresh:
            p.unlink(missing_ok=True)
        raise


@contextmanager
def output_pair(
    work_dir: Path, rate: int, channels: int
) -> Iterator[tuple[EmitFn, dict[str, Path]]]:
    files = {"target": work_dir / "target.wav", "residual": work_dir / "residual.wav"}
    with (
        no_leftovers(*files.values()),
        AudioWriter(files["target"], rate, channels, FLOAT_WAV) as target_out,
        AudioWriter(files["residual"], rate, channels, FLOAT_WAV) as residual_out,
    ):

        def emit(target: Any, residual: Any) -> None:
            target_out.write(target)
            residual_out.write(residual)

        yield emit, files


def _profiles(
    source: FrameSource,
    grid: StftGrid,
    params: WienerParams,
    excluded: list[tuple[int, int]],
    included: list[tuple[int, int]],
    reporter: Reporter,
) -> Profiles:
    reporter.phase("measuring the background")
    profiles = estimate_profiles(source, grid, params, excluded, included, reporter.step)
    if profiles.noise_source == "quietest frames":
        reporter.log(
            "no exclude spans: the background is estimated from the quietest 15% of frames in "
            "each frequency bin; mark exclude spans where the target is absent for a better result"
        )
    if included:
        reporter.log(f"include spans ({profiles.include_frames} frames) shape the target's band")
    return profiles


def run_separation(
    request: Request,
    source: FrameSource,
    options: dict[str, Any],
    work_dir: Path,
    reporter: Reporter,
) -> ProviderResult:
    started = time.perf_counter()
    rate, frames = source.sample_rate, source.frames
    spans = effective_spans(list(request.spans))
    excluded, tails = without_tails(source, sample_ranges(spans, False, rate, frames))
    for a, b in tails:
        reporter.log(
            f"the first {(b - a) / rate:.2f} s of the exclude span at {a / rate:.2f} s is the "
            "fading echo of the sound before it: kept with that sound, not taken for background"
        )
    included = sample_ranges(spans, True, rate, frames)
    params = WienerParams(reduction_db=float(options["reduction_db"]))
    reading = prompts.read_prompt(request.prompt) if request.kind is RequestKind.TEXT else None
    interpretation = prompts.interpret(request.prompt, bool(excluded)) if reading else None
    if interpretation:
        reporter.log(interpretation)
    reporter.phase("choosing the method")
    choice = choose_method(
        str(options["method"]),
        reading.path if reading else None,
        source,
        excluded,
        included,
        reporter.check,
    )
    reporter.log(f"method: {choice.method} — {choice.reason}")
    details: dict[str, Any] = {
        "method": METHOD_HELP[choice.method],
        "method_requested": str(options["method"]),
        "method_chosen": choice.method,
        "chosen_because": choice.reason,
        ECHOES_DETAIL: [[round(a / rate, 3), round(b / rate, 3)] for a, b in tails],
    }
    if choice.method == "hum":
        if spans:
            reporter.log("the hum path finds the hum by itself: the spans are not used")
        reporter.total = frames
        details |= _run_hum(source, params, work_dir, reporter)
    else:
        backend = BACKEND.get(choice.method)
        grid = speech_grid(rate) if backend else StftGrid.for_rate(rate)
        # The path analyses the recording with mains hum cancelled — for a voice always (hum
        # is never part of one), for other targets when the exclude spans hold the hum — and
        # takes the residual from the recording itself, so the hum goes there.
        analysed, details["hum_cancelled"] = source, None
        if backend or excluded:
            analysed, details["hum_cancelled"] = _cancel_hum(
                source, reporter, None if backend else excluded
            )
        reporter.total = profile_work(source, excluded, included) + frames
        profiles = _profiles(analysed, grid, params, excluded, included, reporter)
        with output_pair(work_dir, rate, source.channels) as (emit, _):
            if backend:
                # RNNoise's coarse bands are no gain to move towards: only the network's are.
                speech = SpeechParams(floor=params.floor, blend=backend == "deepfilter")
                with DenoisedStream(analysed, reporter.check, backend=backend) as denoised:
                    reporter.phase("listening for the voice")
                    heard = hearing(
                        analysed, grid, excluded, included, backend, denoised.gain,
                        reporter.check,
                    )  # fmt: skip
                    deaf = deaf_weight(heard.overall, speech)
                    deaf_mid = deaf_weight(heard.mid, speech)
                    _log_deafness(reporter, heard, deaf, deaf_mid)
                    reporter.phase("separating")
                    decided = separate_speech(
                        analysed,
                        grid,
                        speech,
                        profiles,
                        excluded,
                        denoised,
                        emit,
                        reporter.step,
                        recording=source,
                        deaf=deaf,
                        deaf_mid=deaf_mid,
                    )
                details |= {
                    "speech_estimator": SPEECH_ESTIMATORS[backend],
                    "target_heard": _rounded(heard.overall),
                    "target_heard_1_4khz": _rounded(heard.mid),
                    "background_window_s": speech.window_s,
                    "rumble_kept_below_hz": decided.rumble_kept_below_hz,
                    "background_even": round(decided.even_background, 3),
                    "learned_stage": decided.learned,
                }
            else:
                reporter.phase("separating")
                separate(
                    analysed, grid, params, profiles, excluded, emit, reporter.step,
                    recording=source,
                )  # fmt: skip
                details |= {
                    "over_subtraction": params.over_subtraction,
                    "smoothing": params.smoothing,
                }
            reporter.check()
        details |= {
            "background_from": profiles.noise_source,
            "background_frames": profiles.noise_frames,
            "include_frames": profiles.include_frames,
            "fft_size": grid.n_fft,
            "hop": grid.hop,
        }
    elapsed = time.perf_counter() - started
    details |= {
        "reduction_db": params.reduction_db,
        "seconds": round(elapsed, 3),
        "realtime_factor": round(elapsed / (frames / rate), 4) if frames else None,
    }
    if interpretation:
        details["prompt_interpretation"] = interpretation
    files = {"target": work_dir / "target.wav", "residual": work_dir / "residual.wav"}
    return ProviderResult(files, rate, ENDPOINTS[choice.method], details=details)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _log_deafness(reporter: Reporter, heard: Heard, deaf: float, deaf_mid: float) -> None:
    """Say in the job's log when the guard for a voice the estimator takes for noise acts."""
    if deaf > 0.0 and heard.overall is not None:
        reporter.log(
            f"the speech estimator hears only {max(heard.overall, 0.0):.0%} of the target: "
            "what stands well above the exclude spans' sound is kept"
        )
    if deaf_mid > 0.0 and heard.mid is not None:
        reporter.log(
            f"the speech estimator hears only {max(heard.mid, 0.0):.0%} of the target at "
            "1–4 kHz: what stands well above the background there is kept"
        )


def _cancel_hum(
    source: FrameSource, reporter: Reporter, within: Ranges | None = None
) -> tuple[FrameSource, dict[str, Any] | None]:
    """(the source the path analyses, which hum was cancelled in it, or None); hum heard
    `within` those ranges only, if given."""
    reporter.phase("looking for mains hum")
    profile = mains_hum(source, reporter.check, within)
    if profile is None:
        return source, None
    where = "" if within is None else " in the exclude spans"
    reporter.log(
        f"{profile.describe()}{where}: cancelled before the target is separated (it stays in "
        "the residual)"
    )
    found = {"hz": round(profile.fundamental, 2), "harmonics": len(profile.harmonics)}
    return HumCancelledSource(source, profile), found


def _run_hum(
    source: FrameSource, params: WienerParams, work_dir: Path, reporter: Reporter
) -> dict[str, Any]:
    reporter.phase("looking for mains hum")
    profile = find_hum(source, reporter.check)
    if profile is None:
        raise InputError(
            "no mains hum found (50 or 60 Hz with harmonics standing out of the steady "
            "spectrum); mark exclude spans where the target is absent instead, or use a cloud "
            "engine for other prompts"
        )
    reporter.log(f"found {profile.describe()}")
    reporter.phase("separating")
    with output_pair(work_dir, source.sample_rate, source.channels) as (emit, _):
        separate_hum(source, profile, params.floor, emit, reporter.step)
        reporter.check()
    return {
        "hum_hz": round(profile.fundamental, 3),
        "harmonics": list(profile.harmonics),
        "lines_followed_over_s": SMOOTH_S,
    }
