"""Gap repair driver: plan a patch for one region from bounded context, then stream the file
through, rewriting only the patch's samples.

Short regions (≤ AR_MAX_S) get an autoregressive fill confined to the region itself; longer ones
get room tone copied from the best-matching context, joined by equal-power crossfades that reach
CROSSFADE_S beyond each edge. Every other sample is copied from the input unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from isolde.dsp.autoregressive import fill_gap
from isolde.dsp.room_tone import (
    band_matrix,
    band_power,
    best_stretch,
    equal_power,
    looped,
)
from isolde.dsp.sources import FrameSource
from isolde.dsp.stft import fft_size_for

AR_MAX_S = 0.05
AR_CONTEXT_S = (0.025, 0.1)  # context each side: 3× the gap, within these bounds
AR_ORDER_S = 0.002  # model order as a duration: ~96 taps at 48 kHz
CROSSFADE_S = 0.025
SEARCH_S = 10.0  # how far each side to look for matching background
REFERENCE_S = 0.5  # the surroundings a candidate must sound like
MAX_STRETCH_S = 8.0  # longest copied stretch; longer gaps loop it
BLOCK_S = 5.0
MIN_CONTEXT_S = 0.05  # less context than this on both sides together is not enough to repair

EmitFn = Callable[[np.ndarray], None]
StepFn = Callable[[int], None]


@dataclass
class Patch:
    start: int  # first output sample it rewrites
    stop: int
    method: str  # "autoregressive" or "room tone"
    facts: dict[str, Any] = field(default_factory=dict)
    fill: np.ndarray | None = None  # autoregressive: the region's samples
    stretch: np.ndarray | None = None  # room tone: the copied stretch, level-matched
    region: tuple[int, int] = (0, 0)
    loop_crossfade: int = 0

    def render(self, a: int, b: int, x: np.ndarray) -> np.ndarray:
        """Output for samples [a, b) ⊆ [start, stop), given the input `x` there."""
        if self.fill is not None:
            return self.fill[a - self.start : b - self.start]
        assert self.stretch is not None
        out = looped(self.stretch, a - self.start, b - self.start, self.loop_crossfade)
        r0, r1 = self.region
        t = np.arange(a, b)
        left, right = t < r0, t >= r1
        if left.any():  # fade the copy in over the original, before the region
            fade_in, fade_out = equal_power(r0 - self.start)
            i = t[left] - self.start
            out[left] = out[left] * fade_in[i, None] + x[left] * fade_out[i, None]
        if right.any():
            fade_in, fade_out = equal_power(self.stop - r1)
            i = t[right] - r1
            out[right] = out[right] * fade_out[i, None] + x[right] * fade_in[i, None]
        return out


def _mono(source: FrameSource, a: int, b: int) -> np.ndarray:
    return source.read(a, b).astype(np.float64).mean(axis=1)


def plan_autoregressive(source: FrameSource, r0: int, r1: int) -> Patch:
    sr, gap = source.sample_rate, r1 - r0
    lo, hi = (int(s * sr) for s in AR_CONTEXT_S)
    context = int(np.clip(3 * gap, lo, hi))
    before = source.read(max(0, r0 - context), r0).astype(np.float64)
    after = source.read(r1, min(source.frames, r1 + context)).astype(np.float64)
    order = max(8, min(int(AR_ORDER_S * sr), max(len(before), len(after)) // 3))
    fill = fill_gap(before, after, gap, order, seed=r0)  # seeded: a repair is repeatable
    facts = {
        "order": order,
        "context_s": context / sr,
        "sides": int(len(before) > 1) + int(len(after) > 1),
    }
    return Patch(r0, r1, "autoregressive", facts, fill=fill, region=(r0, r1))


def plan_room_tone(source: FrameSource, r0: int, r1: int) -> Patch:
    sr, total = source.sample_rate, source.frames
    n_fft = fft_size_for(sr) // 2
    hop = n_fft // 2
    bands = band_matrix(n_fft, sr)
    cross = int(CROSSFADE_S * sr)
    xl, xr = min(cross, r0), min(cross, total - r1)
    start, stop = r0 - xl, r1 + xr
    sides = [(max(0, r0 - int(SEARCH_S * sr)), r0), (r1, min(total, r1 + int(SEARCH_S * sr)))]
    sides = [(a, b) for a, b in sides if b - a >= n_fft]
    ref_parts = [
        band_power(_mono(source, a, b), n_fft, hop, bands)
        for a, b in (
            (max(0, r0 - int(REFERENCE_S * sr)), r0),
            (r1, min(total, r1 + int(REFERENCE_S * sr))),
        )
        if b - a >= n_fft
    ]
    reference = np.concatenate(ref_parts).mean(axis=0)
    length = min(stop - start, int(MAX_STRETCH_S * sr), max(b - a for a, b in sides))
    frames = max(1, (length - n_fft) // hop + 1)
    best: tuple[float, int, float] | None = None
    for a, b in sides:
        if b - a < length:
            continue
        choice = best_stretch(
            band_power(_mono(source, a, b), n_fft, hop, bands), frames, hop, reference
        )
        if choice is not None and (best is None or choice.distance_db < best[0]):
            best = (choice.distance_db, min(a + choice.start, b - length), choice.gain)
    assert best is not None  # the longest side always holds one candidate of `length`
    distance, s0, gain = best
    stretch = source.read(s0, s0 + length).astype(np.float64) * gain
    loops = -(-(stop - start - length) // max(length - cross, 1))
    facts = {
        "copied_from_s": [round(s0 / sr, 4), round((s0 + length) / sr, 4)],
        "spectral_distance_db": round(float(distance), 2),
        "level_correction_db": round(float(20 * np.log10(gain)), 2),
        "loops": int(max(0, loops)),
        "crossfade_s": cross / sr,
    }
    return Patch(
        start, stop, "room tone", facts, stretch=stretch, region=(r0, r1), loop_crossfade=cross
    )


def plan_repair(source: FrameSource, r0: int, r1: int) -> Patch:
    if r1 - r0 <= AR_MAX_S * source.sample_rate:
        return plan_autoregressive(source, r0, r1)
    return plan_room_tone(source, r0, r1)


def repair(source: FrameSource, patch: Patch, emit: EmitFn, step: StepFn) -> None:
    """Stream the whole source through `emit`, with the patch's samples rewritten."""
    block = max(1, int(BLOCK_S * source.sample_rate))
    for a in range(0, source.frames, block):
        b = min(source.frames, a + block)
        x = np.array(source.read(a, b), dtype=np.float32)
        lo, hi = max(a, patch.start), min(b, patch.stop)
        if hi > lo:
            part = x[lo - a : hi - a].astype(np.float64)
            x[lo - a : hi - a] = patch.render(lo, hi, part)
        emit(x)
        step(b - a)
