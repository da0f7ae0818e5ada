"""Exclude spans without the fading tail of the sound just before them.

A user marks the pause after a sentence as background, but a room keeps the voice ringing a few
hundred milliseconds into it. In a nearly clean recording that tail is far louder than the noise
the span is meant to show, and taken for the background it makes every method cut the voice
(held-out reverberant voices 40 dB over pink noise: down to -7 dB of SI-SDR against the input).
The tail belongs to what rang before it, so the leading stretch where the sound decays — from
the level just before the span down to the span's own level — is left out of the span: it
counts as the target's, like any unmarked stretch, and is not cut to the floor either (a hard
stop of a voice's echo at the span's edge is heard as a gate).

A span that starts on a sound (a cough, a door) is untouched: there the level before the span
is lower than its start. So is a fade that does not settle within MAX_TAIL_S (music, not a
room), and a span at the very start of the file.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d

from isolde.dsp.sources import FrameSource, Ranges
from isolde.dsp.stft import StftGrid

HOP_S = 0.01  # levels every 10 ms, of 20 ms frames
LOOK_S = 3.0  # the span's own level: the median over its first LOOK_S
BEFORE_S = 0.05  # the level just before the span, which a tail carries on from
MAX_TAIL_S = 1.5  # a room's tail settles well within this (RT60 up to ~2 s from 30 dB above)
ABOVE_DB = 10.0  # a tail starts at least this far above the span's own level
SETTLED_DB = 3.0  # ... and ends once within this of it
RISE_DB = 6.0  # a rise this far over the lowest level so far is a new sound, not a decay
MIN_LEFT_S = 0.25  # what remains of a span is at least this long
BAND_HZ = (150.0, 8000.0)  # where a voice's tail has its power (not rumble or hum)


def without_tails(
    source: FrameSource, ranges: Ranges
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(the ranges, each less its leading tail, the tails cut), in samples."""
    kept: list[tuple[int, int]] = []
    cut: list[tuple[int, int]] = []
    for a, b in ranges:
        tail = tail_length(source, a, b)
        if tail:
            cut.append((a, a + tail))
        kept.append((a + tail, b))
    return kept, cut


def _levels(x: np.ndarray, rate: int) -> np.ndarray:
    """Band power in dB of two-hop frames every HOP_S, averaged over three hops."""
    grid = StftGrid.create(2 * round(HOP_S * rate), 2)
    spec = grid.analyse(x[:, None])[0]
    lo, hi = (round(f * grid.n_fft / rate) for f in BAND_HZ)
    power = np.sum(spec.real[:, lo:hi] ** 2 + spec.imag[:, lo:hi] ** 2, axis=1)
    if not len(power):
        return power
    smooth = uniform_filter1d(power, 3, mode="nearest")
    return 10 * np.log10(np.maximum(smooth, 1e-30))


def tail_length(source: FrameSource, a: int, b: int) -> int:
    """How many samples at the start of the range [a, b) are the tail of what came before."""
    rate = source.sample_rate
    before = round(BEFORE_S * rate)
    hop = round(HOP_S * rate)
    most = min(round(MAX_TAIL_S * rate), b - a - round(MIN_LEFT_S * rate))
    if a < before or most <= 0:
        return 0
    stop = min(b, a + round(LOOK_S * rate))
    x = source.read(a - before, stop).astype(np.float64).mean(axis=1)
    levels = _levels(x[before:], rate)
    lead = _levels(x[:before], rate)
    if len(levels) < 8 or not len(lead):
        return 0
    floor = float(np.median(levels))
    start = float(levels[0])
    if start < floor + ABOVE_DB or float(np.mean(lead)) < start:
        return 0
    lowest = start
    for i, level in enumerate(levels[: most // hop + 1]):
        if level > lowest + RISE_DB:
            return 0
        lowest = min(lowest, float(level))
        if level <= floor + SETTLED_DB:
            return i * hop
    return 0
