"""Pure-numpy mixing for playback: lane gains with mute/solo, click-free ramps and fades.

Everything here either runs inside the audio callback (`GainRamp`, `Mixer.mix`: preallocated
buffers, `out=` arithmetic, no temporaries the size of a block) or is a small shape helper the
feeder uses ahead of time (`fade_out_gains`, `seam_weights`, `map_channels`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def db_to_gain(db: float) -> float:
    """Linear amplitude for `db` decibels; -inf (or anything at or below -120 dB) is silence."""
    return 0.0 if db <= -120.0 else 10.0 ** (db / 20.0)


@dataclass(frozen=True)
class LaneSettings:
    """What the user set for one lane; mute wins over solo, as in most mixing desks."""

    gain_db: float = 0.0
    mute: bool = False
    solo: bool = False


def audible_gains(lanes: Sequence[LaneSettings]) -> np.ndarray:
    """Per-lane linear gains after mute/solo: when any lane is soloed, only soloed lanes sound."""
    any_solo = any(lane.solo for lane in lanes)
    gains = [
        0.0 if lane.mute or (any_solo and not lane.solo) else db_to_gain(lane.gain_db)
        for lane in lanes
    ]
    return np.array(gains, dtype=np.float32)


class GainRamp:
    """A gain that moves in a straight line to each new target over a fixed number of frames.

    A fixed duration (not a fixed slope) bounds how long any switch takes, so A/B changes land
    within `frames` whatever the size of the jump. A new target mid-ramp starts a fresh ramp from
    wherever the gain is, so the gain never jumps.
    """

    def __init__(self, frames: int, value: float = 0.0) -> None:
        self.frames = max(1, int(frames))
        self.value = float(value)
        self._from = self.value
        self.target = self.value
        self._done = self.frames

    @property
    def ramping(self) -> bool:
        return self._done < self.frames

    @property
    def remaining(self) -> int:
        """Frames until the current ramp reaches its target (0 when steady)."""
        return self.frames - self._done

    @property
    def silent(self) -> bool:
        return self.value == 0.0 and not self.ramping

    def set_target(self, target: float) -> None:
        if target != self.target:
            self._from, self.target, self._done = self.value, float(target), 0

    def jump(self, value: float) -> None:
        """Set the gain at once, no ramp (for a start from silence or after a faded ending)."""
        self.value = self._from = self.target = float(value)
        self._done = self.frames

    def render(self, steps: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Write the gains of the next len(out) frames into `out` and advance; returns `out`.

        `steps` holds 1, 2, 3, ... (float32, at least len(out) long), prepared once.
        """
        n = len(out)
        k = min(n, self.frames - self._done)
        if k > 0:
            np.add(steps[:k], self._done, out=out[:k])
            np.multiply(out[:k], (self.target - self._from) / self.frames, out=out[:k])
            np.add(out[:k], self._from, out=out[:k])
        if k < n:
            out[k:] = self.target
        self._done += k
        self.value = (
            self.target
            if self._done >= self.frames
            else self._from + (self.target - self._from) * self._done / self.frames
        )
        return out


class Mixer:
    """Sums lanes (lanes, frames, channels) into one output block with per-lane gain ramps.

    `targets` holds each lane's wanted linear gain. The control thread replaces the whole array
    (one reference swap) rather than editing it, so a switch that silences one lane and raises
    another reaches the callback as one change and both ramps run together: a linear crossfade,
    which keeps the level of correlated lanes (original vs target + residual) constant.
    A `master` ramp on top fades the whole output in and out (start, pause, seek).
    """

    def __init__(
        self,
        lanes: int,
        channels: int,
        max_frames: int,
        *,
        ramp_frames: int,
        fade_frames: int,
        targets: np.ndarray | None = None,
    ) -> None:
        self.targets = (
            np.ones(lanes, np.float32) if targets is None else np.asarray(targets, np.float32)
        )
        self.ramps = [GainRamp(ramp_frames, float(g)) for g in self.targets]
        self.master = GainRamp(fade_frames, 0.0)
        self.max_frames = max_frames
        self._steps = np.arange(1, max_frames + 1, dtype=np.float32)
        self._gains = np.zeros(max_frames, np.float32)
        self._gains2d = np.zeros((max_frames, channels), np.float32)
        self._scratch = np.zeros((max_frames, channels), np.float32)

    def settle(self) -> None:
        """Put every lane at its target at once: only while the output is silent."""
        targets = self.targets
        for lane, ramp in enumerate(self.ramps):
            ramp.jump(float(targets[lane]))

    def mix(self, stage: np.ndarray, out: np.ndarray) -> None:
        """out[:] = master * sum(gain_l * stage[l]), clipped to [-1, 1]. len(out) <= max_frames."""
        n = len(out)
        targets = self.targets  # read once: the control thread may swap it meanwhile
        out.fill(0.0)
        scratch = self._scratch[:n]
        for lane, ramp in enumerate(self.ramps):
            ramp.set_target(float(targets[lane]))
            if ramp.ramping:
                np.multiply(stage[lane, :n], self._ramp_gains(ramp, n), out=scratch)
            elif ramp.value == 0.0:
                continue
            elif ramp.value == 1.0:
                np.add(out, stage[lane, :n], out=out)
                continue
            else:
                np.multiply(stage[lane, :n], ramp.value, out=scratch)
            np.add(out, scratch, out=out)
        master = self.master
        if master.ramping:
            np.multiply(out, self._ramp_gains(master, n), out=out)
        elif master.value != 1.0:
            np.multiply(out, master.value, out=out)
        # minimum/maximum rather than clip: np.clip allocates on its way in.
        np.minimum(out, 1.0, out=out)
        np.maximum(out, -1.0, out=out)

    def _ramp_gains(self, ramp: GainRamp, n: int) -> np.ndarray:
        # Spread to one column per channel first: multiplying by a broadcast (n, 1) column
        # makes numpy buffer the whole block, and the callback must not allocate.
        gains = ramp.render(self._steps, self._gains[:n])
        np.copyto(self._gains2d[:n], gains[:, None])
        return self._gains2d[:n]


# -- shapes the feeder applies ahead of time ---------------------------------------------------


def fade_out_gains(stop: int, fade: int, first: int, count: int) -> np.ndarray:
    """Gains for frames [first, first+count) of a linear fade that reaches 0 at frame stop-1.

    Frames before `stop - fade` get 1. The step per frame is 1/fade, so the fade joins the
    unfaded signal and the silence after it without a jump larger than the signal times 1/fade.
    """
    frames = np.arange(first, first + count, dtype=np.float64)
    gains = (stop - 1 - frames) / max(1, fade)
    return np.clip(gains, 0.0, 1.0).astype(np.float32)


def seam_weights(length: int, first: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Equal-power (fade_out, fade_in) weights for frames [first, first+count) of a crossfade.

    Used at a loop seam, where the two sides are unrelated audio: sin/cos weights keep the
    power, so the seam neither dips nor bumps.
    """
    t = (np.arange(first, first + count, dtype=np.float64) + 0.5) / max(1, length)
    t = np.clip(t, 0.0, 1.0) * (math.pi / 2)
    return np.cos(t).astype(np.float32), np.sin(t).astype(np.float32)


def map_channels(block: np.ndarray, channels: int) -> np.ndarray:
    """A (frames, n) block as (frames, channels): mono is copied to every output, wider blocks
    keep their first channels, and a mono output gets the mean of all inputs."""
    have = block.shape[1]
    if have == channels:
        return block
    if have == 1:
        return np.repeat(block, channels, axis=1)
    if channels == 1:
        return block.mean(axis=1, keepdims=True, dtype=np.float32)
    if have > channels:
        return block[:, :channels]
    # 2 < channels (a multichannel device asked for more than the file has): silence the rest.
    out = np.zeros((len(block), channels), np.float32)
    out[:, :have] = block
    return out
