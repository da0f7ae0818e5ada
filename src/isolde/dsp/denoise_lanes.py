"""The denoiser's estimate made in fixed pieces of the file, so that several lanes (worker
processes, or one pipeline inline) can make it at once, and stitched back in file order.

The denoiser is the speech path's slowest part: one DeepFilterNet3 state runs at about a tenth
of real time on one core, and one state cannot be shared out. So the file is cut at fixed
places into pieces of PIECE_S. Each piece is denoised by a fresh state that first hears WARM_S
of the input before it (its output there is dropped) and runs on FADE_S past the piece's end,
where the next piece fades in over it with a raised cosine. A fresh state's estimate differs
from a long-running one's by about −20 to −28 dB (measured on the benchmark's mixtures, however
long the warm-up: the network's state never quite converges), so the fade matters more than the
warm-up; the warm-up keeps the start of each piece from being a cold start.

The cuts depend on the file's length and rate alone: the estimate is the same however many
lanes made it, inline or in workers, and however it is read.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from isolde.dsp import denoise_worker
from isolde.dsp.denoise_worker import DenoisePipeline

PIECE_S = 60.0
WARM_S = 3.0
FADE_S = 1.0
MAX_LANES = 3  # past three the separating process, not the network, is the slow part
WAIT_S = 0.05  # how long a reader waits between cancel checks

FeedFn = Callable[[int, int], np.ndarray]  # (first, stop) → float32 mono input
CheckFn = Callable[[], None]


class Piece(NamedTuple):
    start: int  # first sample this piece stands for
    stop: int  # where the next piece takes over (the file's end for the last one)
    first: int  # first input sample fed to its state (WARM_S before `start`, within the file)
    last: int  # input is fed up to here (FADE_S past `stop`, within the file)


def plan(total: int, rate: int) -> list[Piece]:
    size = max(1, round(PIECE_S * rate))
    warm, fade = round(WARM_S * rate), round(FADE_S * rate)
    return [
        Piece(a, min(total, a + size), max(0, a - warm), min(total, a + size + fade))
        for a in range(0, total, size)
    ]


def lane_count(pieces: int) -> int:
    """Workers to run at once: one per core but one (the reader's), at least two on a
    two-core machine (the reader needs under half a core beside them), at most MAX_LANES."""
    cores = os.cpu_count() or 1
    wanted = 1 if cores < 2 else min(MAX_LANES, max(2, cores - 1))
    return max(1, min(wanted, pieces))


class WorkerNeverAnswered(RuntimeError):
    """A worker process ended before its first answer: it most likely could not start."""


class InlineLane:
    """One pipeline in this process, fed a block at a time as its output is asked for."""

    def __init__(self, feed: FeedFn, block: int, rate: int, backend: str) -> None:
        self._feed, self._block, self._rate, self._backend = feed, block, rate, backend
        self._pipeline: DenoisePipeline | None = None
        self._next = self._last = 0

    def begin(self, piece: Piece) -> None:
        self.close()
        self._pipeline = DenoisePipeline(self._rate, self._backend)
        self._next, self._last = piece.first, piece.last

    def next(self) -> np.ndarray | None:
        """The piece's next output block (possibly empty), or None once it is all out."""
        if self._pipeline is None:
            return None
        if self._next < self._last:
            b = min(self._last, self._next + self._block)
            x, self._next = self._feed(self._next, b), b
            return self._pipeline.process(x)
        y = self._pipeline.finish()
        self.close()
        return y

    def close(self) -> None:
        if self._pipeline is not None:
            self._pipeline.close()
            self._pipeline = None


class WorkerLane:
    """A worker process (denoise_worker.serve): a piece's whole input is queued at once, so the
    worker runs on while the reader is busy elsewhere; its output is read back in order."""

    def __init__(self, feed: FeedFn, block: int, rate: int, backend: str, check: CheckFn) -> None:
        self._feed, self._block, self._backend, self._check = feed, block, backend, check
        self.answered = 0
        self._expected = 0  # answers still due for the current piece
        ctx = mp.get_context("spawn")  # safe beside threads (the editor, the job runner)
        self._inbox: Any = ctx.Queue()
        self._outbox: Any = ctx.Queue()
        self._process: Any = ctx.Process(
            target=denoise_worker.serve,
            args=(self._inbox, self._outbox, rate, backend),
            name=f"isolde-{backend}",
            daemon=True,
        )
        self._process.start()

    def begin(self, piece: Piece) -> None:
        for a in range(piece.first, piece.last, self._block):
            self._inbox.put(self._feed(a, min(piece.last, a + self._block)))
            self._expected += 1
        self._inbox.put(None)  # the worker answers with the piece's tail and starts afresh
        self._expected += 1

    def next(self) -> np.ndarray | None:
        if not self._expected:
            return None
        while True:
            self._check()
            try:
                item = self._outbox.get(timeout=WAIT_S)
            except queue.Empty:
                if self._process.is_alive():
                    continue
                if not self.answered:
                    raise WorkerNeverAnswered(f"the {self._backend} worker did not start") from None
                raise RuntimeError(
                    f"the {self._backend} worker process stopped unexpectedly"
                ) from None
            if isinstance(item, str):
                raise RuntimeError(f"the {self._backend} worker failed: {item}")
            self.answered += 1
            self._expected -= 1
            return item

    def close(self) -> None:
        self._process.terminate()
        self._process.join()
        for q in (self._inbox, self._outbox):
            q.cancel_join_thread()  # items a dead worker never read are not waited for
            q.close()


class Stitcher:
    """Each piece's output in turn, block by block, into the estimate in file order: the warm-up
    dropped, the overlap past a piece's end kept and faded out under the next piece."""

    def __init__(self) -> None:
        self._piece = Piece(0, 0, 0, 0)
        self._pos = 0  # input sample the next output block of the piece starts at
        self._tail = np.zeros(0)  # the previous piece's output past its stop
        self._tail_start = 0
        self._new_tail: list[np.ndarray] = []

    def begin(self, piece: Piece) -> None:
        self._piece, self._pos, self._new_tail = piece, piece.first, []

    def take(self, y: np.ndarray) -> np.ndarray:
        """The estimate this output block of the current piece settles (possibly nothing)."""
        p, a = self._piece, self._pos
        b = self._pos = a + len(y)
        lo, hi = max(a, p.start), min(b, p.stop)
        if b > max(a, p.stop):
            self._new_tail.append(y[max(a, p.stop) - a :])
        if hi <= lo:
            return np.zeros(0)
        part = y[lo - a : hi - a].astype(np.float64)
        t0, t1 = max(lo, self._tail_start), min(hi, self._tail_start + len(self._tail))
        if t1 > t0:
            i = np.arange(t0, t1) - self._tail_start
            rise = 0.5 - 0.5 * np.cos(np.pi * (i + 0.5) / len(self._tail))
            part[t0 - lo : t1 - lo] = (1 - rise) * self._tail[i] + rise * part[t0 - lo : t1 - lo]
        return part

    def end(self) -> None:
        """The current piece is all out: what it made past its stop fades under the next."""
        self._tail = np.concatenate(self._new_tail) if self._new_tail else np.zeros(0)
        self._tail = self._tail.astype(np.float64)
        self._tail_start = self._piece.stop
