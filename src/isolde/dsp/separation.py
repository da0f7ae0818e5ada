"""The chunked streaming driver for spectral separation: passes over a source, constant memory.

Pass 1 measures the background (exclude spans, or the quietest frames) and, if include spans
exist, the target's long-term spectrum. Pass 2 walks the file-wide STFT grid chunk by chunk,
computes one gain mask per frame from the channel mean, applies it to every channel, overlaps
and adds, and hands finished target/residual blocks to `emit`. The residual is input − target,
so the two always sum back to the input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from isolde.dsp.envelope import RAMP_S, presence_envelope
from isolde.dsp.profiles import MeanPower, QuietestFrames
from isolde.dsp.sources import FrameSource, Ranges, read_padded
from isolde.dsp.stft import OverlapAdd, StftGrid
from isolde.dsp.wiener import WienerParams, WienerState, target_weight, wiener_gains

CHUNK_S = 1.0  # audio per chunk at 48 kHz stereo: checks come well under 100 ms of work apart
QUIET_FRACTION = 0.15

StepFn = Callable[[int], None]  # samples of work done; may raise Cancelled
EmitFn = Callable[[np.ndarray, np.ndarray], None]  # (target, residual) float32 (n, ch)


@dataclass(frozen=True)
class Profiles:
    noise: np.ndarray  # background power per bin
    weight: np.ndarray | None  # static target weight from include spans, if any
    noise_source: str  # "exclude spans" or "quietest frames"
    noise_frames: int
    include_frames: int
    silent_frames: int = 0


def chunk_frames(grid: StftGrid, sample_rate: int, channels: int = 2) -> int:
    """Frames per chunk: CHUNK_S of audio, shorter for many channels or high rates, so that
    one chunk stays a small slice of work whatever the file."""
    seconds = CHUNK_S * min(1.0, 2 / max(channels, 1)) * min(1.0, 48_000 / sample_rate)
    return max(1, int(seconds * sample_rate) // grid.hop)


def _mono(block: np.ndarray) -> np.ndarray:
    return block.mean(axis=1, keepdims=True)


def _mean_power_over(
    source: FrameSource, grid: StftGrid, ranges: Ranges, chunk: int, step: StepFn
) -> MeanPower:
    """Mean mono power over frames lying inside `ranges`; a range shorter than one frame
    contributes the single frame centred on it."""
    acc = MeanPower(grid.bins)
    n, hop = grid.n_fft, grid.hop
    for a, b in ranges:
        if b - a < n:
            start = (a + b) // 2 - n // 2
            spec = grid.analyse(_mono(read_padded(source, start, start + n)))
            acc.add(np.abs(spec[0]) ** 2)
            step(b - a)
            continue
        frames = (b - a - n) // hop + 1
        for f0 in range(0, frames, chunk):
            f1 = min(frames, f0 + chunk)
            s0 = a + f0 * hop
            block = _mono(read_padded(source, s0, a + (f1 - 1) * hop + n))
            acc.add(np.abs(grid.analyse(block)[0]) ** 2)
            step((f1 - f0) * hop)
    return acc


def _quietest_frames(
    source: FrameSource, grid: StftGrid, chunk: int, step: StepFn
) -> QuietestFrames:
    # Half-overlapped frames suffice for a long-term statistic and halve the cost of this pass.
    coarse = StftGrid.create(grid.n_fft, 2)
    acc = QuietestFrames(grid.bins, QUIET_FRACTION)
    n, hop, total = coarse.n_fft, coarse.hop, source.frames
    frames = max(1, (total - n) // hop + 1)
    for f0 in range(0, frames, chunk):
        f1 = min(frames, f0 + chunk)
        block = _mono(read_padded(source, f0 * hop, (f1 - 1) * hop + n))
        acc.add(np.abs(coarse.analyse(block)[0]) ** 2)
        step(min((f1 - f0) * hop, total - f0 * hop))
    return acc


def profile_work(source: FrameSource, excluded: Ranges, included: Ranges) -> int:
    """Samples pass 1 will process, so progress can be shared fairly between the passes."""
    marked = sum(b - a for a, b in included)
    if excluded:
        return marked + sum(b - a for a, b in excluded)
    return marked + source.frames


def estimate_profiles(
    source: FrameSource,
    grid: StftGrid,
    params: WienerParams,
    excluded: Ranges,
    included: Ranges,
    step: StepFn,
    chunk: int | None = None,
) -> Profiles:
    chunk = chunk or chunk_frames(grid, source.sample_rate, 1)
    silent = 0
    if excluded:
        acc = _mean_power_over(source, grid, excluded, chunk, step)
        noise, noise_frames, origin = acc.result(), acc.count, "exclude spans"
    else:
        quiet = _quietest_frames(source, grid, chunk, step)
        noise, noise_frames, origin = quiet.result(), quiet.frames, "quietest frames"
        silent = quiet.silent_frames
    if noise is None:  # the whole file is digital silence: nothing to remove
        noise = np.zeros(grid.bins)
    weight, include_frames = None, 0
    if included:
        inc = _mean_power_over(source, grid, included, chunk, step)
        include_power, include_frames = inc.result(), inc.count
        if include_power is not None:
            weight = target_weight(include_power, noise, params.floor)
    return Profiles(noise, weight, origin, noise_frames, include_frames, silent)


class OutputStage:
    """Turns overlap-added target samples into (target, residual) blocks for `emit`.

    Clips to the file, applies the exclude-span envelope (inside an exclude span the user says
    the target is absent: only the floor of the input remains), and derives the residual as
    input − target, so the two always sum back to the input.
    """

    def __init__(
        self, source: FrameSource, excluded: Ranges, floor: float, emit: EmitFn, step: StepFn
    ) -> None:
        self.source = source
        self.excluded = list(excluded)
        self.floor = floor
        self.emit = emit
        self.step = step
        self.ramp = max(1, int(RAMP_S * source.sample_rate))

    def push(self, start: int, out: np.ndarray, keep: np.ndarray | None = None) -> None:
        """Target samples [start, start + len(out)), (n, ch); parts outside the file dropped.

        `keep`, aligned with `out`, is a part of the input that stays whole inside the exclude
        spans too (the speech path's sub-sonic rumble)."""
        lo, hi = max(start, 0), min(start + out.shape[0], self.source.frames)
        if hi <= lo:
            self.step(0)  # no samples yet, but still a cancel check
            return
        y = out[lo - start : hi - start]
        x = read_padded(self.source, lo, hi)
        env = presence_envelope(self.excluded, lo, hi, self.ramp)
        if env is not None:
            env = env[:, None]
            rest = self.floor * x
            if keep is not None:
                k = keep[lo - start : hi - start]
                rest = k + self.floor * (x - k)
            y = env * y + (1.0 - env) * rest
        target = y.astype(np.float32)
        self.emit(target, x.astype(np.float32) - target)
        self.step(hi - lo)


def separate(
    source: FrameSource,
    grid: StftGrid,
    params: WienerParams,
    profiles: Profiles,
    excluded: Ranges,
    emit: EmitFn,
    step: StepFn,
    chunk: int | None = None,
    recording: FrameSource | None = None,
) -> None:
    """Pass 2: stream target and residual for the whole source through `emit`, in order.
    `recording` (default: `source`) is the input the residual is taken from, when `source`
    is the recording with its hum cancelled."""
    total, channels = source.frames, source.channels
    chunk = chunk or chunk_frames(grid, source.sample_rate, source.channels)
    floor = params.floor
    state = WienerState()
    ola = OverlapAdd(grid, channels)
    output = OutputStage(recording or source, excluded, floor, emit, step)
    count = grid.frame_count(total)
    for m0 in range(0, count, chunk):
        m1 = min(count, m0 + chunk)
        s0 = grid.frame_start(m0)
        block = read_padded(source, s0, grid.frame_start(m1 - 1) + grid.n_fft)
        spec = grid.analyse(block)
        mono = spec.mean(axis=0)
        gains = wiener_gains(mono.real**2 + mono.imag**2, profiles.noise, params, state)
        if profiles.weight is not None:
            gains = np.maximum(gains * profiles.weight, floor)
        spec *= gains
        output.push(s0, ola.push(grid.synthesise(spec)))
