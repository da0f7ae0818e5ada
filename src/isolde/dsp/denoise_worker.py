"""The denoiser pipeline (RNNoise or DeepFilterNet3) at any sample rate, and the child-process
loop that runs it.

Kept apart from `denoised_stream` so that a spawned worker imports only this, numpy, scipy and the
resampler — not the provider, the jobs layer or anything that might pull in Qt.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
from typing import Any

import numpy as np

from isolde.audio.resampling import Resampler
from isolde.dsp import deepfilter, rnnoise

BACKENDS = {"rnnoise": rnnoise, "deepfilter": deepfilter}  # same interface, both 48 kHz


class DenoisePipeline:
    """Resample to 48 kHz → the denoiser → resample back; blocks in, aligned estimate out.

    Everything put in comes out again, in order and the same length in total, once `finish`
    has returned the tail.
    """

    def __init__(self, sample_rate: int, backend: str = "rnnoise") -> None:
        module = BACKENDS[backend]
        self._up = self._down = None
        if sample_rate != module.RATE:
            self._up = Resampler(sample_rate, module.RATE, 1)
            self._down = Resampler(module.RATE, sample_rate, 1)
        self._denoiser = module.Denoiser()
        self._received = 0
        self._returned = 0

    def process(self, block: np.ndarray) -> np.ndarray:
        self._received += len(block)
        x = block if self._up is None else self._up.process(block)[:, 0]
        y, _ = self._denoiser.process(x)
        return self._out(y if self._down is None else self._down.process(y)[:, 0])

    def finish(self) -> np.ndarray:
        parts = [] if self._up is None else [self._denoiser.process(self._up.flush()[:, 0])[0]]
        parts.append(self._denoiser.flush()[0])
        y = np.concatenate(parts)
        if self._down is not None:
            y = np.concatenate([self._down.process(y)[:, 0], self._down.flush()[:, 0]])
        return self._out(y)

    def _out(self, y: np.ndarray) -> np.ndarray:
        # Resampling twice can round the length up by a sample or two: never return more
        # than was put in.
        y = np.asarray(y, dtype=np.float32)[: max(self._received - self._returned, 0)]
        self._returned += len(y)
        return y

    def close(self) -> None:
        self._denoiser.close()


def denoise_whole(block: np.ndarray, sample_rate: int, backend: str) -> np.ndarray:
    """`block` (float32 mono) through a fresh pipeline from a cold state: the whole estimate."""
    pipeline = DenoisePipeline(sample_rate, backend)
    try:
        return np.concatenate([pipeline.process(block), pipeline.finish()])
    finally:
        pipeline.close()


def _exit_after(parent: Any) -> None:
    """Watchdog thread: end this process once `parent` has gone. A parent killed while it was
    writing a block leaves half a message in the pipe, and a read waiting for the rest (the
    child holds the pipe's other end too) would never return."""
    parent.join()
    os._exit(0)


def serve(inbox: Any, outbox: Any, sample_rate: int, backend: str = "rnnoise") -> None:
    """Child process: denoise blocks from `inbox` into `outbox`; None finishes the stream."""
    # A terminal's Ctrl-C reaches the whole process group: stopping is the parent's to decide
    # (it cancels the job and terminates this process), not a traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = mp.parent_process()
    if parent is not None:  # the editor or command killed: do not linger, even mid-read
        threading.Thread(target=_exit_after, args=(parent,), daemon=True).start()
    try:
        pipeline = DenoisePipeline(sample_rate, backend)
        while True:
            block = inbox.get()
            if block is None:
                outbox.put(pipeline.finish())
                return
            outbox.put(pipeline.process(block))
    except Exception as exc:  # reported to the parent, which raises it
        outbox.put(f"{type(exc).__name__}: {exc}")
