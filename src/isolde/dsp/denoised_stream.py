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

Long files are denoised in a child process, AHEAD_S ahead of the reader (PRIME_S at first: it
works while the job still measures and checks): a denoiser costs a good share of the spectral
work, and a thread cannot share it out — RNNoise through ctypes re-takes the GIL after each 10 ms
frame, and while numpy runs beside it every frame waits (measured: twice as slow as running
alone); DeepFilterNet's numpy around its networks would wait the same way. Short files are
denoised inline, where starting a process would cost more.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Callable
from types import TracebackType
from typing import Any

import numpy as np

from isolde.dsp import denoise_worker
from isolde.dsp.denoise_worker import DenoisePipeline
from isolde.dsp.method_choice import sample_windows
from isolde.dsp.sources import FrameSource

BLOCK_S = 0.25
AHEAD_S = 4.0
PRIME_S = 60.0  # handed to the worker at once: it starts while the job still measures and checks
WAIT_S = 0.05  # how long the reader waits between cancel checks
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
        self._next_input = 0  # first sample not yet handed to the denoiser
        self._finished_input = False
        self._in_flight = 0  # blocks handed over whose output has not come back
        self._received = 0  # blocks that came back from the worker
        self._buffer = np.zeros(0)
        self._start = 0  # sample index of _buffer[0]
        self._done = False
        if use_process is None:
            use_process = source.frames > PROCESS_MIN_S * source.sample_rate
        self._pipeline: DenoisePipeline | None = None
        self._process: Any = None
        if use_process:
            ctx = mp.get_context("spawn")  # safe beside threads (the editor, the job runner)
            self._inbox: Any = ctx.Queue()
            self._outbox: Any = ctx.Queue()
            self._process = ctx.Process(
                target=denoise_worker.serve,
                args=(self._inbox, self._outbox, source.sample_rate, backend),
                name=f"isolde-{backend}",
                daemon=True,
            )
            self._process.start()
            self._feed_worker(round(PRIME_S / BLOCK_S))
        else:
            self._pipeline = DenoisePipeline(source.sample_rate, backend)

    # -- feeding -----------------------------------------------------------------------------
    def _next_block(self) -> np.ndarray | None:
        """The next input block (channel mean, float32), or None once the source is used up."""
        a, total = self._next_input, self.source.frames
        if a >= total:
            return None
        b = min(total, a + self._block)
        self._next_input = b
        block = self.source.read(a, b).astype(np.float64).mean(axis=1) * self.gain
        return block.astype(np.float32)

    def _produce_inline(self) -> np.ndarray | None:
        assert self._pipeline is not None
        if self._finished_input:
            return None
        block = self._next_block()
        if block is None:
            self._finished_input = True
            return self._pipeline.finish()
        return self._pipeline.process(block)

    def _feed_worker(self, ahead: int) -> None:
        """Hand the worker blocks until `ahead` are in flight (same blocks, same order: the
        estimate does not depend on how far ahead it was fed)."""
        while not self._finished_input and self._in_flight < ahead:
            block = self._next_block()
            self._inbox.put(block)  # None asks the worker to finish
            self._in_flight += 1
            self._finished_input = block is None

    def _produce_remote(self) -> np.ndarray | None:
        self._feed_worker(max(2, round(AHEAD_S / BLOCK_S)))
        while True:
            self.check()
            try:
                item = self._outbox.get(timeout=WAIT_S)
            except queue.Empty:
                if self._process.is_alive():
                    continue
                if self._received:
                    raise RuntimeError(
                        f"the {self.backend} worker process stopped unexpectedly"
                    ) from None
                return self._fall_back_inline()
            if isinstance(item, str):
                raise RuntimeError(f"the {self.backend} worker failed: {item}")
            self._in_flight -= 1
            self._received += 1
            return item

    def _fall_back_inline(self) -> np.ndarray | None:
        # A worker that dies before answering usually could not start (e.g. a script without
        # an `if __name__ == "__main__"` guard re-runs itself when spawned): do the work here.
        self._stop_process()
        self._next_input, self._finished_input, self._in_flight = 0, False, 0
        self._pipeline = DenoisePipeline(self.source.sample_rate, self.backend)
        return self._produce_inline()

    # -- reading -----------------------------------------------------------------------------
    def read(self, start: int, stop: int) -> np.ndarray:
        """Estimate for samples [start, stop), float64 (n,), zero outside the file.

        Calls must not move `start` backwards: what lies before it is let go.
        """
        total = self.source.frames
        lo, hi = min(max(start, 0), total), min(max(stop, 0), total)
        while not self._done and self._start + len(self._buffer) < hi:
            if self._pipeline is not None:
                block = self._produce_inline()
            elif self._in_flight or not self._finished_input:
                block = self._produce_remote()
            else:
                block = None
            if block is None:
                self._done = True
            else:
                estimate = block.astype(np.float64) / self.gain
                self._buffer = np.concatenate([self._buffer, estimate])
        out = np.zeros(stop - start)
        if hi > lo:
            out[lo - start : hi - start] = self._buffer[lo - self._start : hi - self._start]
        drop = lo - self._start
        if drop > 0:
            self._buffer = self._buffer[drop:]
            self._start = lo
        return out

    def _stop_process(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = None
            for q in (self._inbox, self._outbox):
                q.cancel_join_thread()  # items a dead worker never read are not waited for
                q.close()

    def close(self) -> None:
        self._stop_process()
        if self._pipeline is not None:
            self._pipeline.close()
            self._pipeline = None

    def __enter__(self) -> DenoisedStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
