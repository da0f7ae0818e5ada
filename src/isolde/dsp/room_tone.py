"""Long-gap fill: background copied from the stretch of context that sounds most like the gap's
surroundings, looped with equal-power crossfades when the gap is longer than that stretch.

Everything here is pure numpy on mono analysis arrays; the caller reads the context and copies
the chosen stretch (all channels, so a stereo background keeps its image).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BANDS = 32  # log-spaced bands: spectral shape without per-bin noise
TINY = 1e-20


def band_matrix(n_fft: int, sample_rate: int, bands: int = BANDS) -> np.ndarray:
    """(bins, bands) 0/1 matrix summing rFFT bins into log-spaced bands from 40 Hz up."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    edges = np.geomspace(40.0, sample_rate / 2, bands + 1)
    index = np.clip(np.searchsorted(edges, freqs, side="right") - 1, 0, bands - 1)
    matrix = np.zeros((len(freqs), bands))
    matrix[np.arange(len(freqs)), index] = 1.0
    return matrix


def band_power(mono: np.ndarray, n_fft: int, hop: int, bands: np.ndarray) -> np.ndarray:
    """Band power per frame, (frames, bands), of a 1-D signal; Hann frames at `hop`."""
    if len(mono) < n_fft:
        mono = np.pad(mono, (0, n_fft - len(mono)))
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    frames = np.lib.stride_tricks.sliding_window_view(mono, n_fft)[::hop]
    spec = np.fft.rfft(frames * window, axis=-1)
    return (spec.real**2 + spec.imag**2) @ bands


@dataclass(frozen=True)
class Choice:
    start: int  # first sample of the chosen stretch (in the side's own coordinates)
    distance_db: float  # mean absolute band-level difference from the reference
    gain: float  # level correction towards the reference, within ±6 dB


def best_stretch(
    side_power: np.ndarray, frames: int, hop: int, reference: np.ndarray
) -> Choice | None:
    """Best run of `frames` consecutive analysis frames of `side_power` against `reference`.

    `reference` is the mean band power around the gap; distance is in dB per band, so it weighs
    both the spectral shape and the level.
    """
    count = side_power.shape[0] - frames + 1
    if count <= 0:
        return None
    cum = np.concatenate([np.zeros((1, side_power.shape[1])), np.cumsum(side_power, axis=0)])
    means = (cum[frames:] - cum[:count]) / frames
    ref_db = 10 * np.log10(reference + TINY)
    diff = 10 * np.log10(means + TINY) - ref_db
    distance = np.abs(diff).mean(axis=1)
    i = int(np.argmin(distance))
    level = reference.sum() / max(means[i].sum(), TINY)
    gain = float(np.clip(np.sqrt(level), 10 ** (-6 / 20), 10 ** (6 / 20)))
    return Choice(i * hop, float(distance[i]), gain)


def equal_power(count: int) -> tuple[np.ndarray, np.ndarray]:
    """(fade_in, fade_out) with fade_in² + fade_out² = 1: right for uncorrelated sounds."""
    theta = 0.5 * np.pi * (np.arange(count) + 0.5) / max(count, 1)
    return np.sin(theta), np.cos(theta)


def looped(stretch: np.ndarray, start: int, stop: int, crossfade: int) -> np.ndarray:
    """Samples [start, stop) of `stretch` (n, ch) repeated end to end, each repeat faded in over
    the previous one's last `crossfade` samples."""
    length = len(stretch)
    crossfade = min(crossfade, length // 2)
    period = length - crossfade
    t = np.arange(start, stop)
    rep, u = np.divmod(t, period)
    out = stretch[u].copy()
    joins = (rep > 0) & (u < crossfade)
    if joins.any():
        fade_in, fade_out = equal_power(crossfade)
        uj = u[joins]
        out[joins] = stretch[uj] * fade_in[uj, None] + stretch[uj + period] * fade_out[uj, None]
    return out
