"""What RNNoise and DeepFilterNet have in common: a C state fed fixed frames at 48 kHz whose
output lags the input by a fixed number of samples.

`FrameDenoiser` buffers blocks of any size into whole frames, hands them to the subclass's
`_run`, drops the leading lag and pads the end on `flush`, so the output lines up with the input
sample for sample and is exactly as long. One state carries one channel's history.
"""

from __future__ import annotations

import numpy as np


class FrameDenoiser:
    """`process` returns as many samples as are final, aligned with the input (sample i of all
    output ever returned corresponds to input sample i), plus one value per completed frame (a
    speech probability, a local SNR…); `flush` returns the rest."""

    def __init__(self, frame: int, delay: int, scale: float = 1.0) -> None:
        self._frame, self._delay, self._scale = frame, delay, scale
        self._pending = np.zeros(0, dtype=np.float32)  # input not yet a whole frame
        self._to_drop = delay  # leading output samples that only reflect the lag
        self._received = 0
        self._returned = 0
        self._frames = 0

    def _run(self, x: np.ndarray, y: np.ndarray, frames: int) -> np.ndarray:
        """Process `frames` contiguous float32 frames of `x` into `y`; one value per frame."""
        raise NotImplementedError

    def process(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scaled = np.asarray(samples, dtype=np.float32) * np.float32(self._scale)
        x = np.concatenate([self._pending, scaled])
        self._received += len(samples)
        frames = len(x) // self._frame
        self._pending = x[frames * self._frame :].copy()
        if not frames:
            return np.zeros(0), np.zeros(0, dtype=np.float32)
        x = np.ascontiguousarray(x[: frames * self._frame])
        y = np.empty_like(x)
        values = self._run(x, y, frames)
        self._frames += frames
        drop = min(self._to_drop, len(y))
        self._to_drop -= drop
        out = y[drop:].astype(np.float64) / self._scale
        self._returned += len(out)
        return out, values

    def flush(self) -> tuple[np.ndarray, np.ndarray]:
        """Pad with silence so that every input sample's output comes out; trims the excess."""
        missing = self._received - self._returned
        real_frames = -(-self._received // self._frame) - self._frames
        pad = (-len(self._pending)) % self._frame + self._delay
        before = self._received
        out, values = self.process(np.zeros(pad, dtype=np.float32))
        self._received = before
        return out[:missing], values[: max(real_frames, 0)]
