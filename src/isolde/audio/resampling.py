"""Sample-rate conversion, whole-array and streaming, both through libsoxr (python-soxr).

soxr replaced a hand-written polyphase filter (scipy's resample_poly design): it is flatter,
aliases far less and is faster — tests/bench/bench_resample.py has the figures. What callers
rely on and soxr does not do by itself is added here: the output of n input frames is exactly
ceil(n * to_rate / from_rate) frames (soxr rounds to nearest), as if the signal were padded
with zeros after its end, and resample() is the streaming path fed in one block, so the two
give the same samples.
"""

from __future__ import annotations

import math

import numpy as np

# "HQ": 20-bit precision (about -120 dB), the library's default; see the bench for "VHQ".
QUALITY = "HQ"


def _ratio(from_rate: int, to_rate: int) -> tuple[int, int]:
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, not {from_rate} → {to_rate}")
    g = math.gcd(from_rate, to_rate)
    return to_rate // g, from_rate // g


def resample(x: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Resample along axis 0; float32 out, length ceil(n * to_rate / from_rate)."""
    up, down = _ratio(from_rate, to_rate)
    data = np.asarray(x, dtype=np.float32)
    if up == down:
        return data.copy()
    channels = math.prod(data.shape[1:])
    frames = data.reshape(len(data), channels)
    resampler = Resampler(from_rate, to_rate, channels)
    out = np.concatenate((resampler.process(frames), resampler.flush()))
    return out.reshape((len(out), *data.shape[1:]))


class Resampler:
    """Streaming resample(): feed blocks with process(), finish with flush()."""

    def __init__(self, from_rate: int, to_rate: int, channels: int, *, quality: str = QUALITY):
        self.up, self.down = _ratio(from_rate, to_rate)
        self.channels = channels
        self._stream = None
        if self.up != self.down:
            import soxr  # loaded where used: `isolde --help` must stay light

            self._stream = soxr.ResampleStream(
                from_rate, to_rate, channels, dtype="float32", quality=quality
            )
        self._received = 0
        self._emitted = 0
        self._flushed = False

    def process(self, block: np.ndarray) -> np.ndarray:
        data = np.asarray(block, dtype=np.float32)
        if data.ndim == 1:
            data = data[:, None]
        if data.shape[1] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {data.shape[1]}")
        if self._flushed:
            raise ValueError("the resampler was already flushed")
        if self._stream is None:
            return data.copy()
        self._received += data.shape[0]
        return self._out(self._stream.resample_chunk(np.ascontiguousarray(data)))

    def flush(self) -> np.ndarray:
        """The tail: outputs that depend on the (zero) samples after the end."""
        if self._flushed or self._stream is None:
            self._flushed = True
            return np.zeros((0, self.channels), dtype=np.float32)
        self._flushed = True
        total = -(-self._received * self.up // self.down)
        # soxr rounds the length to nearest: a few zero frames past the end give it at least
        # the ceiling, and what is over is cut.
        pad = np.zeros((self.down // self.up + 2, self.channels), dtype=np.float32)
        need = max(total - self._emitted, 0)
        tail = self._out(self._stream.resample_chunk(pad, last=True))[:need]
        self._emitted = total
        return tail

    def _out(self, y: np.ndarray) -> np.ndarray:
        y = y.reshape(-1, self.channels)
        self._emitted += len(y)
        return y
