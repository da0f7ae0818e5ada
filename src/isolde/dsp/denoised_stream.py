"""A denoiser's estimate of the speech in a source (RNNoise or DeepFilterNet3), at the source's
rate, sample-aligned with it.

The estimate is of the channel mean (one state: the mask is shared by all channels anyway). The
source is cut into fixed BLOCK_S blocks and sources at other rates go through the audio layer's
streaming resampler to 48 kHz and back (which matches a whole-signal resample exactly), so the
estimate does not depend on how the reader chunks its reads.

DeepFilterNet does worse on quiet input (measured on the benchmark mixtures: 0.8–3 dB less
SI-SDR improvement at −38 dBFS than at −18; the fused engine 1.4 dB less over the grid), so its
input is raised towards LEVEL_DBFS by one gain for the whole file, from a level measured up
front, and its output lowered by the same gain.

Long files are denoised in child processes (denoise_lanes: fixed pieces of the file, several at
once): a denoiser costs more than all the spectral work, and a thread cannot share it out —
ctypes re-takes the GIL after each 10 ms frame, and while numpy runs beside it every frame waits
(measured: twice as slow as running alone). Short files are denoised inline, where starting a
process would cost more.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

import numpy as np

from isolde.dsp.denoise_lanes import (
    InlineLane,
    Stitcher,
    WorkerLane,
    WorkerNeverAnswered,
    lane_count,
    plan,
)
from isolde.dsp.method_choice import sample_windows
from isolde.dsp.sources import FrameSource

BLOCK_S = 0.25
PROCESS_MIN_S = 60.0  # shorter files are denoised inline
LEVEL_DBFS = -18.0  # the network's input level (louder half of its 20 ms frames) worth raising to
MAX_GAIN_DB = 30.0  # ... by at most this much: below that the file is silence or nearly
LEVEL_WINDOWS = 8  # stretches of LEVEL_WINDOW_S spread through the file that give the level
LEVEL_WINDOW_S = 2.0
LEVEL_FRAME_S = 0.02
GAINED = ("deepfilter",)  # RNNoise's bands were tuned as they are: left at the file's level

CheckFn = Callable[[], None]


def input_gain(source: FrameSource) -> float:
    """The gain (≥ 1) that brings the louder half of the file's 20 ms frames (channel mean, in
    a few stretches spread through it) up to LEVEL_DBFS, at most MAX_GAIN_DB.

    The louder half rather than the whole: pauses and silence between phrases would otherwise
    make a normal recording look quiet. Never a cut: loud input does as well as the reference."""
    frame = max(1, int(LEVEL_FRAME_S * source.sample_rate))
    length = int(LEVEL_WINDOW_S * source.sample_rate)
    powers = []
    for a, b in sample_windows([(0, source.frames)], length, LEVEL_WINDOWS):
        x = source.read(a, b).astype(np.float64).mean(axis=1)
        n = len(x) // frame
        if n:
            powers.append(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1))
    if not powers:
        return 1.0
    p = np.concatenate(powers)
    loud = float(np.mean(p[p >= np.median(p)]))
    if loud <= 1e-12:  # digital silence: nothing to raise
        return 1.0
    rise_db = min(max(LEVEL_DBFS - 10.0 * np.log10(loud), 0.0), MAX_GAIN_DB)
    return float(10.0 ** (rise_db / 20.0))


class DenoisedStream:
    def __init__(
        self,
        source: FrameSource,
        check: CheckFn | None = None,
        *,
        use_process: bool | None = None,
        backend: str = "rnnoise",
    ) -> None:
        self.source = source
        self.backend = backend
        self.check = check or (lambda: None)
        self.gain = input_gain(source) if backend in GAINED else 1.0
        self._block = max(1, int(BLOCK_S * source.sample_rate))
        self._pieces = plan(source.frames, source.sample_rate)
        self._buffer = np.zeros(0)
        self._start = 0  # sample index of _buffer[0]
        self._made = 0  # samples of the estimate made so far
        if use_process is None:
            use_process = source.frames > PROCESS_MIN_S * source.sample_rate
        lanes = lane_count(len(self._pieces)) if use_process else 0
        self._lanes: list[InlineLane | WorkerLane] = []
        try:
            for _ in range(lanes):
                self._lanes.append(
                    WorkerLane(self._feed, self._block, source.sample_rate, backend, self.check)
                )
        except BaseException:
            self.close()
            raise
        self._restart()

    def _restart(self) -> None:
        if not self._lanes:
            self._lanes = [
                InlineLane(self._feed, self._block, self.source.sample_rate, self.backend)
            ]
        self._piece = 0  # the piece being read
        self._stitcher = Stitcher()
        for lane, piece in zip(self._lanes, self._pieces, strict=False):
            lane.begin(piece)
        if self._pieces:
            self._stitcher.begin(self._pieces[0])

    def _feed(self, a: int, b: int) -> np.ndarray:
        """Input samples [a, b) for the denoiser: channel mean, raised by the gain, float32."""
        block = self.source.read(a, b).astype(np.float64).mean(axis=1) * self.gain
        return block.astype(np.float32)

    def _produce(self) -> np.ndarray | None:
        """The next stretch of the estimate in file order (possibly empty); None past the end."""
        while self._piece < len(self._pieces):
            lane = self._lanes[self._piece % len(self._lanes)]
            try:
                y = lane.next()
            except WorkerNeverAnswered:
                if self._made:
                    raise RuntimeError(
                        f"the {self.backend} worker process stopped unexpectedly"
                    ) from None
                return self._fall_back_inline()
            if y is not None:
                return self._stitcher.take(y)
            self._stitcher.end()
            following = self._piece + len(self._lanes)
            if following < len(self._pieces):
                lane.begin(self._pieces[following])
            self._piece += 1
            if self._piece < len(self._pieces):
                self._stitcher.begin(self._pieces[self._piece])
        return None

    def _fall_back_inline(self) -> np.ndarray | None:
        # A worker that dies before answering usually could not start (e.g. a script without
        # an `if __name__ == "__main__"` guard re-runs itself when spawned): do the work here.
        self.close()
        self._restart()
        return self._produce()

    # -- reading -----------------------------------------------------------------------------
    def read(self, start: int, stop: int) -> np.ndarray:
        """Estimate for samples [start, stop), float64 (n,), zero outside the file.

        Calls must not move `start` backwards: what lies before it is let go.
        """
        total = self.source.frames
        lo, hi = min(max(start, 0), total), min(max(stop, 0), total)
        while self._start + len(self._buffer) < hi:
            made = self._produce()
            if made is None:
                break
            if len(made):
                self._made += len(made)
                self._buffer = np.concatenate([self._buffer, made / self.gain])
        out = np.zeros(stop - start)
        if hi > lo:
            out[lo - start : hi - start] = self._buffer[lo - self._start : hi - self._start]
        drop = lo - self._start
        if drop > 0:
            self._buffer = self._buffer[drop:]
            self._start = lo
        return out

    def close(self) -> None:
        for lane in self._lanes:
            lane.close()
        self._lanes = []

    def __enter__(self) -> DenoisedStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
