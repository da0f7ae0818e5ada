"""Finding mains hum (50 or 60 Hz and its harmonics): which fundamental, which lines.

Detection and the hum's level come from a sample of the file (up to SAMPLE_WINDOWS stretches
spread over it) on a long-window STFT, fine enough (~3 Hz bins) to see each harmonic as a line:
the fundamental is the one, searched finely around 50 and 60 Hz, whose harmonics stand out of
their neighbourhood most. Each line's steady power is a low percentile of its bin's power over
the sampled frames (speech passing through a line does not raise it). Taking the hum out (or
as the target) is `hum_cancel`'s: it follows each line found here in the waveform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from isolde.dsp.method_choice import sample_windows
from isolde.dsp.separation import Ranges
from isolde.dsp.sources import FrameSource, read_padded
from isolde.dsp.stft import StftGrid, fft_size_for

HUM_FFT_SCALE = 8  # the hum grid's frames are 8× the spectral path's: ~3 Hz bins
SAMPLE_WINDOWS = 24
WINDOW_S = 2.5
MAX_HARMONIC_HZ = 4000.0
LINE_DB = 8.0  # a harmonic counts when it stands this far above its neighbourhood
MIN_LINES = 5  # fewer could be a chord's notes
STEADY_PERCENTILE = 20.0
NEIGHBOURHOOD = 15  # bins each side for the local median


def hum_grid(sample_rate: int) -> StftGrid:
    return StftGrid.create(fft_size_for(sample_rate) * HUM_FFT_SCALE)


@dataclass(frozen=True)
class HumProfile:
    fundamental: float  # Hz
    harmonics: tuple[int, ...]  # which multiples stand out
    line_bins: np.ndarray = field(repr=False)  # bin indices belonging to the lines
    steady: np.ndarray = field(repr=False)  # steady power in each line bin

    def describe(self) -> str:
        shown = ", ".join(str(k) for k in self.harmonics[:12])
        more = "…" if len(self.harmonics) > 12 else ""
        return (
            f"mains hum at {self.fundamental:.2f} Hz with {len(self.harmonics)} harmonics "
            f"({shown}{more})"
        )


def window_length(grid: StftGrid, sample_rate: int) -> int:
    return max(int(WINDOW_S * sample_rate), grid.n_fft)


def sample_frames(
    source: FrameSource,
    grid: StftGrid,
    check: Callable[[], None] = lambda: None,
    windows: list[tuple[int, int]] | None = None,
) -> np.ndarray:
    """Mono power frames, bins up to MAX_HARMONIC_HZ, from `windows` (default: SAMPLE_WINDOWS
    stretches spread over the file; a few MB whatever its length)."""
    total, rate = source.frames, source.sample_rate
    span = window_length(grid, rate)
    top = min(grid.bins, int(MAX_HARMONIC_HZ * grid.n_fft / rate) + NEIGHBOURHOOD + 3)
    if windows is None:
        starts = np.unique(np.linspace(0, max(total - span, 0), SAMPLE_WINDOWS).astype(int))
        windows = [(int(s), int(s) + span) for s in starts]
    powers = [np.zeros((0, top))]
    for a, b in windows:
        check()
        block = read_padded(source, a, b).mean(axis=1, keepdims=True)
        spec = grid.analyse(block)[0, :, :top]
        powers.append(spec.real**2 + spec.imag**2)
    return np.concatenate(powers)


def _standing_out_db(steady: np.ndarray, centre: float) -> float:
    """How far the bin nearest `centre` stands above its neighbourhood's median, in dB."""
    k = round(centre)
    if k - NEIGHBOURHOOD < 1 or k + NEIGHBOURHOOD >= len(steady):
        return 0.0
    local = np.median(steady[k - NEIGHBOURHOOD : k + NEIGHBOURHOOD + 1])
    return float(10 * np.log10(steady[k] / max(local, 1e-30)))


def _harmonic_count(f0: float, sample_rate: int) -> int:
    return int(min(MAX_HARMONIC_HZ, sample_rate / 2 - 100) // f0)


def detect_hum(
    frames: np.ndarray, grid: StftGrid, sample_rate: int, check: Callable[[], None] = lambda: None
) -> HumProfile | None:
    """The hum in sampled power frames, or None. Works on the steady spectrum (a low
    percentile per bin), where speech and music, which come and go, hardly register."""
    if not len(frames):
        return None
    steady = np.percentile(frames, STEADY_PERCENTILE, axis=0) + 1e-30
    per_hz = grid.n_fft / sample_rate
    best: tuple[float, float] | None = None
    for i, f0 in enumerate(
        np.concatenate([np.arange(49.5, 50.51, 0.01), np.arange(59.5, 60.51, 0.01)])
    ):
        if i % 20 == 0:
            check()
        count = _harmonic_count(f0, sample_rate)
        score = float(
            np.mean([_standing_out_db(steady, k * f0 * per_hz) for k in range(1, count + 1)])
        )
        if best is None or score > best[0]:
            best = (score, float(f0))
    assert best is not None
    f0 = best[1]
    harmonics = tuple(
        k
        for k in range(1, _harmonic_count(f0, sample_rate) + 1)
        if _standing_out_db(steady, k * f0 * per_hz) >= LINE_DB
    )
    if len(harmonics) < MIN_LINES or not set(harmonics) & {1, 2, 3}:
        return None
    line_bins = np.concatenate([harmonic_bins(f0, k, per_hz, len(steady)) for k in harmonics])
    return HumProfile(f0, harmonics, line_bins, steady[line_bins])


def harmonic_bins(f0: float, k: int, per_hz: float, size: int) -> np.ndarray:
    """The bins (of `size`) that harmonic k of f0 covers: the Hann main lobe reaches ±2 bins."""
    centre = round(k * f0 * per_hz)
    return np.arange(max(centre - 2, 0), min(centre + 3, size), dtype=np.int64)


def range_frames(
    source: FrameSource,
    grid: StftGrid,
    check: Callable[[], None] = lambda: None,
    within: Ranges | None = None,
) -> np.ndarray:
    """`sample_frames` over the file, or only `within` those ranges (stretches shorter than
    one frame say nothing and are left out)."""
    windows = None
    if within is not None:
        length = window_length(grid, source.sample_rate)
        windows = [
            (a, b)
            for a, b in sample_windows(list(within), length, SAMPLE_WINDOWS)
            if b - a >= grid.n_fft
        ]
    return sample_frames(source, grid, check, windows)


def find_hum(
    source: FrameSource, check: Callable[[], None] = lambda: None, within: Ranges | None = None
) -> HumProfile | None:
    """`detect_hum` on frames sampled over the file, or only `within` those ranges."""
    grid = hum_grid(source.sample_rate)
    frames = range_frames(source, grid, check, within)
    return detect_hum(frames, grid, source.sample_rate, check)
