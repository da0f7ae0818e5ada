"""An output backend that renders only when asked: for tests and benchmarks.

It stands where the sound card would: `pull(frames)` calls the player's render callback exactly
as a device would, so the feeder, queue, mixer and position accounting can be checked sample by
sample without real time or hardware.
"""

from __future__ import annotations

import numpy as np

from isolde.audio.device import OutputUnavailable, Render


class PullBackend:
    def __init__(
        self, *, max_channels: int = 2, latency: float = 0.0, fail: str | None = None
    ) -> None:
        self.max_channels = max_channels
        self.latency = latency
        self.xruns = 0
        self.failure: str | None = None
        self.fail = fail  # a message: open() raises OutputUnavailable with it (no-device tests)
        self.render: Render | None = None  # the callback a device would call
        self.sample_rate = 0
        self.channels = 0
        self.blocksize = 0
        self.starts = 0
        self._running = False

    def open(self, sample_rate: int, channels: int, blocksize: int, render: Render) -> int:
        if self.fail is not None:
            raise OutputUnavailable(self.fail)
        self.sample_rate, self.blocksize, self.render = sample_rate, blocksize, render
        self.channels = max(1, min(channels, self.max_channels))
        return self.channels

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        if not self._running:
            self.starts += 1
        self._running = True

    def stop(self) -> None:
        self._running = False

    def close(self) -> None:
        self._running = False
        self.render = None

    def pull(self, frames: int | None = None) -> np.ndarray:
        """The next block the device would play: silence while stopped, like a real device."""
        out = np.zeros((frames or self.blocksize, self.channels), np.float32)
        if self._running and self.render is not None:
            self.render(out)
        return out
