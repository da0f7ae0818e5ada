"""The audio callback's side of playback: take prepared chunks from the queue, mix, report.

`Renderer.render(out)` is what the device calls. It only copies and scales preallocated
arrays: no file reads, no locks, no Qt, no block-sized temporaries. The control thread steers
it with three plain attributes — `gen` (which generation to play), `run` (roll or rest) and
`mixer.targets` — and reads back `clock`, `finished_gen`, `idle_frames` and `underruns`.

Starting, pausing and seeking all go through the mixer's master ramp: the output fades out
over a few milliseconds of the old audio before a seek takes effect, and fades in once the new
audio is there, so none of them clicks.
"""

from __future__ import annotations

import time

import numpy as np

from isolde.audio.block_queue import END, SEAM, BlockQueue
from isolde.audio.mixer import Mixer


class Renderer:
    def __init__(self, queue: BlockQueue, mixer: Mixer) -> None:
        self.queue = queue
        self.mixer = mixer
        self.gen = 0  # control-owned: the generation wanted
        self.run = False  # control-owned: roll (True) or fade out and rest (False)
        self.cur_gen = 0  # the generation being heard
        self.finished_gen = -1  # the last generation played to the end of its range
        # (gen, next source frame, first frame of this pass, last frame of the previous pass
        # + 1 or -1): one tuple, replaced whole, so readers never see a torn update.
        self.clock: tuple[int, int, int, int] = (0, 0, 0, -1)
        self.idle_frames = 0  # frames of silence rendered while resting
        self.underruns = 0  # blocks that wanted audio the feeder had not prepared yet
        lanes, channels = queue.data.shape[1], queue.data.shape[3]
        self._stage = np.zeros((lanes, mixer.max_frames, channels), np.float32)

    def render(self, out: np.ndarray) -> None:
        """Fill `out` (frames, channels) float32 in place."""
        done, total = 0, len(out)
        while done < total:
            done += self._piece(out[done : min(total, done + self.mixer.max_frames)])

    # -- for the control thread -------------------------------------------------------
    def heard_frame(self, latency: int) -> int:
        """The source frame at the speaker, `latency` frames behind what was rendered; across
        a loop seam that is still the end of the previous pass."""
        _, pos, pass_start, prev_end = self.clock
        pos -= latency
        if pos < pass_start:
            pos = prev_end - (pass_start - pos) if prev_end >= 0 else pass_start
        return max(0, pos)

    def catch_up(self) -> None:
        """Drop queued audio of older generations. Consumer-side work: call it only while the
        device is stopped, so the callback cannot run at the same time."""
        if self.gen != self.cur_gen and self.mixer.master.silent:
            self._switch()

    def rest(self, timeout: float) -> None:
        """Fade out and wait (at most `timeout` s) until the callback has gone quiet."""
        self.run = False
        deadline = time.monotonic() + timeout
        while not self.mixer.master.silent and time.monotonic() < deadline:
            time.sleep(0.002)

    # -- one piece: at most max_frames, and never past the end of a fade-out ------------
    def _piece(self, out: np.ndarray) -> int:
        master = self.mixer.master
        if self.gen != self.cur_gen and master.silent:
            self._switch()
        audible = self.run and self.gen == self.cur_gen and self.finished_gen != self.cur_gen
        n = len(out)
        if master.silent:
            if not audible or not self._has_audio():
                out.fill(0.0)  # resting, or waiting for the first chunk: not an underrun
                self.idle_frames += n
                return n
            self.mixer.settle()  # gain changes made while silent need no ramp
            master.set_target(1.0)
        elif not audible:
            master.set_target(0.0)
            n = min(n, master.remaining)  # consume only what the fade-out covers
        self.idle_frames = 0
        got = self._gather(n)
        if got < n and self.finished_gen != self.cur_gen:
            self.underruns += 1
        self.mixer.mix(self._stage, out[:n])
        if self.finished_gen == self.cur_gen:
            master.jump(0.0)  # the feeder already faded the range's last frames out
        return n

    def _switch(self) -> None:
        self.cur_gen = self.gen
        self._drop_stale()

    def _drop_stale(self) -> None:
        q = self.queue
        while q.available() > 0 and q.gen[q.head()] < self.cur_gen:
            q.drop_head()

    def _has_audio(self) -> bool:
        self._drop_stale()
        q = self.queue
        return q.available() > 0 and q.gen[q.head()] == self.cur_gen

    def _gather(self, n: int) -> int:
        """Copy up to n frames of the current generation into the stage; zero the rest."""
        q, stage = self.queue, self._stage
        gen, pos, pass_start, prev_end = self.clock
        got = 0
        while got < n and self.finished_gen != self.cur_gen:
            self._drop_stale()
            if q.available() == 0:
                break
            i = q.head()
            if q.gen[i] != self.cur_gen:
                break  # a newer generation's chunk: wait for the switch
            offset = q.offset
            if offset == 0:
                if gen != self.cur_gen:  # first audio of a new request
                    gen, pass_start, prev_end = self.cur_gen, int(q.start[i]), -1
                elif q.flags[i] & SEAM:  # a loop wrapped
                    pass_start, prev_end = int(q.start[i]), pos
            take = min(n - got, int(q.count[i]) - offset)
            stage[:, got : got + take] = q.data[i, :, offset : offset + take]
            got += take
            pos = int(q.start[i]) + offset + take
            if offset + take >= q.count[i]:
                if q.flags[i] & END:
                    self.finished_gen = self.cur_gen
                q.drop_head()
            else:
                q.offset = offset + take
        if got < n:
            stage[:, got:n] = 0.0
        self.clock = (gen, pos, pass_start, prev_end)
        return got
