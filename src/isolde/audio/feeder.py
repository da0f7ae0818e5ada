"""The feeder: reads the lanes' sources ahead of the audio callback into the block queue.

It runs in a plain thread and does all the work the callback must not: file reads, channel
mapping, the fade at the end of a range and the crossfade at a loop seam. Each play request
carries a generation number; a newer request simply restarts the reading position, and the
callback drops whatever was queued for older generations.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from isolde.audio.block_queue import END, SEAM, BlockQueue
from isolde.audio.mixer import fade_out_gains, map_channels, seam_weights
from isolde.audio.source import AudioSource


@dataclass(frozen=True)
class PlayRequest:
    """Frames [start, stop); with `loop` (a, b): from start to b, then a..b over and over."""

    gen: int
    start: int
    stop: int
    loop: tuple[int, int] | None = None


def plan_range(
    start: int, stop: int | None, loop: tuple[int, int] | None, frames: int
) -> tuple[int, int, tuple[int, int] | None] | None:
    """(start, stop, loop) in frames for a play request; None when there is nothing to hear.

    A loop starts at `start` when that lies inside it, else at its beginning; a plain play from
    the end of the file starts over.
    """
    if loop is not None:
        a, b = sorted(loop)
        if b > a:
            return (start if a <= start < b else a), b, (a, b)
    end = frames if stop is None else stop
    if start < end:
        return start, end, None
    if stop is None and frames > 0:
        return 0, frames, None
    return None


class Feeder:
    """Keeps `queue` topped up with the audio of the current `request`.

    `fade_frames`: linear fade-out before the end of a range (and before a loop end with no
    audio after it to crossfade with). `seam_frames`: equal-power crossfade at a loop seam, from
    the audio after the loop end into the loop start, so each new pass starts without a click.
    """

    def __init__(
        self,
        sources: Sequence[AudioSource],
        queue: BlockQueue,
        channels: int,
        *,
        fade_frames: int,
        seam_frames: int,
        poll_s: float = 0.01,
    ) -> None:
        self.sources = list(sources)
        self.queue = queue
        self.channels = channels
        self.fade_frames = max(1, fade_frames)
        self.seam_frames = seam_frames
        self.total_frames = max((s.frames for s in self.sources), default=0)
        self.poll_s = poll_s
        self.request: PlayRequest | None = None  # written by the control thread, read here
        self.done_gen = -1  # the last generation whose final frames are queued
        self.error: str | None = None
        self.on_tick: Callable[[], None] | None = None  # the player's housekeeping, each poll
        self._lock = threading.Lock()  # producer side only: the thread and fill_now() callers
        self._wake = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None
        self._gen = -1
        self._pos = 0
        self._seam_done: int | None = None  # frames of the current seam crossfade written
        self._next_flags = 0
        self._done = False

    # -- control ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="isolde-feeder", daemon=True)
        self._thread.start()

    def submit(self, request: PlayRequest) -> None:
        self.request = request
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    def buffer_state(self, gen: int) -> str:
        """'ready' (queued up to the end or the queue is full of `gen`), 'blocked' (full of older
        audio only the consumer can drop) or 'filling'."""
        if self.done_gen == gen:
            return "ready"
        if self.queue.free() > 0:
            return "filling"
        head = self.queue.head_gen()
        return "ready" if head is not None and head >= gen else "blocked"

    def wait_ready(self, gen: int, timeout: float) -> bool:
        """Wait until buffer_state(gen) is no longer 'filling'; True when 'ready'."""
        deadline = time.monotonic() + timeout
        while (state := self.buffer_state(gen)) == "filling" and time.monotonic() < deadline:
            time.sleep(0.001)
        return state == "ready"

    # -- producing ----------------------------------------------------------------------
    def fill_now(self) -> None:
        """Fill every free slot for the current request (the thread calls this each poll)."""
        with self._lock:
            req = self.request
            if req is None:
                return
            if req.gen != self._gen:
                self._gen, self._pos, self._seam_done = req.gen, req.start, None
                self._next_flags, self._done = 0, False
            while not self._done and self.queue.free() > 0 and self.request is req:
                self._fill_slot(req)

    def _fill_slot(self, req: PlayRequest) -> None:
        q = self.queue
        data = q.data[q.next_slot()]
        pos = self._pos
        looping = req.loop is not None
        end = req.loop[1] if req.loop is not None else req.stop
        seam = self._seam_length(req)
        # Without audio after a loop's end to crossfade from, the pass fades out instead.
        fades = not looping or end + seam > self.total_frames
        fade = self.fade_frames
        n = max(0, min(q.chunk, end - pos))
        if fades and pos < end - fade < pos + n:
            n = end - fade - pos  # keep the whole fade in one slot
        for lane, source in enumerate(self.sources):
            self._read_into(source, pos, n, data[lane])
        if self._seam_done is not None and req.loop is not None:
            self._blend_seam(req.loop[1], seam, n, data)
        if fades and pos + n > end - fade:
            data[:, :n] *= fade_out_gains(end, fade, pos, n)[None, :, None]
        flags, self._next_flags = self._next_flags, 0
        self._pos = pos + n
        if req.loop is not None and self._pos >= end:
            self._pos, self._seam_done, self._next_flags = req.loop[0], 0, SEAM
        elif not looping and self._pos >= end:
            flags |= END
            self._done = True
        q.publish(req.gen, pos, n, flags)
        if self._done:
            self.done_gen = req.gen

    def _seam_length(self, req: PlayRequest) -> int:
        if req.loop is None:
            return 0
        a, b = req.loop
        return max(0, min(self.seam_frames, (b - a) // 2))

    def _blend_seam(self, loop_end: int, seam: int, n: int, data: np.ndarray) -> None:
        # The new pass fades in while the audio that follows the loop end fades out.
        done = self._seam_done or 0
        m = min(n, seam - done)
        if m > 0:
            w_out, w_in = seam_weights(seam, done, m)
            tail_ok = loop_end + seam <= self.total_frames
            tail = np.zeros((m, self.channels), np.float32)
            for lane, source in enumerate(self.sources):
                block = data[lane, :m]
                block *= w_in[:, None]
                if tail_ok:
                    self._read_into(source, loop_end + done, m, tail)
                    block += tail * w_out[:, None]
        done += m
        self._seam_done = done if done < seam else None

    def _read_into(self, source: AudioSource, first: int, n: int, dest: np.ndarray) -> None:
        got = 0
        if n > 0:
            try:
                block = map_channels(source.read(first, first + n), self.channels)
            except (OSError, ValueError) as exc:
                self.error = f"Playback cannot read {source.info.path}: {exc}"
            else:
                got = len(block)
                dest[:got] = block
        dest[got:n] = 0.0  # a lane shorter than the range is silent past its end

    # -- the thread ---------------------------------------------------------------------
    def _run(self) -> None:
        while not self._closing:
            try:
                self.fill_now()
                if self.on_tick is not None:
                    self.on_tick()
            except Exception as exc:  # a dead feeder would just go quiet; say why instead
                self.error = f"Playback stopped: {exc}"
                self._wake.wait(0.2)
            self._wake.wait(self.poll_s)
            self._wake.clear()
