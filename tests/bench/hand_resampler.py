"""The hand-written streaming polyphase resampler that isolde used before soxr, kept as the
baseline for bench_resample.py (it was src/isolde/audio/resampling.py): scipy's resample_poly
filter (Kaiser β = 5, 20 taps per phase each side, cut-off at the lower Nyquist), evaluated block
by block with upfirdn over the input history it still needs.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.signal import firwin, resample_poly, upfirdn


def _ratio(from_rate: int, to_rate: int) -> tuple[int, int]:
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, not {from_rate} → {to_rate}")
    g = math.gcd(from_rate, to_rate)
    return to_rate // g, from_rate // g


@lru_cache(maxsize=32)
def _design(up: int, down: int) -> np.ndarray:
    """Kaiser-windowed low-pass at the lower Nyquist: resample_poly's own default design."""
    max_rate = max(up, down)
    taps = firwin(2 * 10 * max_rate + 1, 1.0 / max_rate, window=("kaiser", 5.0))
    taps.flags.writeable = False
    return taps


def resample(x: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Resample along axis 0; float32 out, length ceil(n * to_rate / from_rate)."""
    up, down = _ratio(from_rate, to_rate)
    data = np.asarray(x, dtype=np.float64)
    if up == down:
        return data.astype(np.float32)
    return resample_poly(data, up, down, axis=0, window=_design(up, down)).astype(np.float32)


class Resampler:
    """Streaming resample(): feed blocks with process(), finish with flush()."""

    def __init__(self, from_rate: int, to_rate: int, channels: int) -> None:
        self.up, self.down = _ratio(from_rate, to_rate)
        self.channels = channels
        taps = _design(self.up, self.down) if self.up != self.down else np.ones(1)
        half_len = (len(taps) - 1) // 2
        pre_pad = self.down - half_len % self.down
        # Output k of the whole-signal resample is sum_n x[n] * h[(k + skip) * down - n * up].
        self._h = np.concatenate((np.zeros(pre_pad), taps * self.up))
        self._skip = (half_len + pre_pad) // self.down
        self._history = np.zeros((0, channels))
        self._history_start = 0  # input index of _history[0]; always a multiple of `down`
        self._received = 0
        self._emitted = 0
        self._flushed = False

    def process(self, block: np.ndarray) -> np.ndarray:
        data = np.asarray(block, dtype=np.float64)
        if data.ndim == 1:
            data = data[:, None]
        if data.shape[1] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {data.shape[1]}")
        if self._flushed:
            raise ValueError("the resampler was already flushed")
        if self.up == self.down:
            return data.astype(np.float32)
        self._history = np.concatenate((self._history, data))
        self._received += data.shape[0]
        # Output k needs inputs up to floor((k + skip) * down / up); emit all that are ready.
        ready = -(-self._received * self.up // self.down) - self._skip
        return self._emit(ready)

    def flush(self) -> np.ndarray:
        """The tail: outputs that depend on the (zero) samples after the end."""
        if self._flushed:
            return np.zeros((0, self.channels), dtype=np.float32)
        self._flushed = True
        if self.up == self.down:
            return np.zeros((0, self.channels), dtype=np.float32)
        total = -(-self._received * self.up // self.down)
        # Enough trailing zeros that every remaining output falls inside upfirdn's result.
        pad = len(self._h) // self.up + self.down + 1
        self._history = np.concatenate((self._history, np.zeros((pad, self.channels))))
        return self._emit(total)

    def _emit(self, stop: int) -> np.ndarray:
        start = self._emitted
        if stop <= start:
            return np.zeros((0, self.channels), dtype=np.float32)
        y = upfirdn(self._h, self._history, self.up, self.down, axis=0)
        # History begins at a multiple of `down`, so its upsampled start lands on an output.
        offset = self._skip - self._history_start * self.up // self.down
        out = y[start + offset : stop + offset].astype(np.float32)
        self._emitted = stop
        self._trim()
        return out

    def _trim(self) -> None:
        # Keep the inputs the next output still reads: n > (k + skip) * down - len(h).
        first_needed = ((self._emitted + self._skip) * self.down - len(self._h)) // self.up + 1
        keep_from = max(first_needed, 0) // self.down * self.down
        drop = keep_from - self._history_start
        if drop > 0:
            self._history = self._history[drop:]
            self._history_start = keep_from
