"""The playback engine: one output stream mixing named lanes (original, target, residual, ...).

Threads: the caller's (control), one feeder thread reading ahead (`feeder.py`) and the device's
callback (`renderer.py`), which only copies prepared buffers. Without PortAudio or an output
device nothing raises: `error` holds a message for the status bar and play() does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from isolde.audio.device import OutputBackend, OutputUnavailable, SoundDeviceBackend
from isolde.audio.feeder import PlayRequest, plan_range
from isolde.audio.mixer import LaneSettings, audible_gains
from isolde.audio.pipeline import Pipeline, lanes_rate
from isolde.audio.source import AudioSource

IDLE_STOP_S = 0.25  # silence after which the stream is stopped (no CPU spent while paused)


class Player:
    """Plays time-aligned lanes through one stream. Times are in seconds.

    player.set_sources({"original": source}, source.sample_rate, source.channels)
    player.play(12.0, loop=(12.0, 15.5))
    player.set_lane("original", gain_db=-6.0)  # ramps over ~10 ms: no click
    player.position  # poll from a UI timer
    """

    def __init__(
        self,
        *,
        device: int | str | None = None,
        blocksize: int = 512,
        backend: OutputBackend | None = None,
        lookahead_s: float = 0.3,
    ) -> None:
        self._backend: OutputBackend = backend or SoundDeviceBackend(device)
        self._blocksize = blocksize
        self._lookahead_s = lookahead_s
        self._lock = threading.Lock()  # control side only; the callback never takes it
        self._settings: dict[str, LaneSettings] = {}
        self._lanes: dict[str, AudioSource] = {}
        self._rate = 0
        self._frames = 0
        self._stream_format: tuple[int, int] | None = None  # (rate, channels) of the open stream
        self._pipe: Pipeline | None = None
        self._gen = 0
        self._request: PlayRequest | None = None
        self._origin = 0  # where the last play() began: stop() returns there
        self._error: str | None = None

    # -- what to play --------------------------------------------------------------------
    def set_sources(
        self,
        sources: Mapping[str, AudioSource],
        sample_rate: int | None = None,
        channels: int | None = None,
    ) -> None:
        """Lanes by name, all at one sample rate (resample first). The stream runs at that
        rate (PortAudio/ALSA convert if the device needs to) and is stereo when the device has
        two outputs: mono lanes are duplicated, wider ones play their first two channels.
        `channels` is the program's width and only checked. Keeps the position and, if it was
        playing, keeps playing."""
        rate = lanes_rate(sources, sample_rate)
        if channels is not None and channels < 1:
            raise ValueError(f"channels must be at least 1, not {channels}")
        with self._lock:
            was_playing, seconds = self.playing, self.position
            self._teardown()
            self._lanes = dict(sources)
            self._rate, self._frames = rate, max(s.frames for s in sources.values())
            self._error = None
            out_channels = self._open_stream()
            if out_channels:
                self._pipe = Pipeline(
                    list(sources.values()),
                    rate,
                    out_channels,
                    blocksize=self._blocksize,
                    lookahead_s=self._lookahead_s,
                    targets=self._targets(),
                    on_tick=self._housekeep,
                )
            self._submit(self._frame(seconds), self._frames, None)
            if was_playing:
                self._roll()

    def set_lane(
        self,
        name: str,
        *,
        gain_db: float | None = None,
        mute: bool | None = None,
        solo: bool | None = None,
    ) -> None:
        """Change a lane's gain (dB; -inf is silence), mute or solo. Heard within ~10 ms, by
        ramps. Settings are kept by name, so they may be set before the lane's source exists."""
        changes = {"gain_db": gain_db, "mute": mute, "solo": solo}
        old = self._settings.get(name, LaneSettings())
        self._settings[name] = replace(old, **{k: v for k, v in changes.items() if v is not None})
        if self._pipe is not None:
            self._pipe.renderer.mixer.targets = self._targets()  # one swap: switches land together

    def set_lanes(self, settings: Mapping[str, LaneSettings]) -> None:
        """Set several lanes at once: the mixer's targets are swapped once, so an A/B switch
        (one lane soloed, another unsoloed) is heard as one crossfade, never half of it."""
        self._settings.update(settings)
        if self._pipe is not None:
            self._pipe.renderer.mixer.targets = self._targets()

    @property
    def lanes(self) -> dict[str, LaneSettings]:
        return {name: self._settings.get(name, LaneSettings()) for name in self._lanes}

    # -- transport -----------------------------------------------------------------------
    def play(
        self,
        start_s: float | None = None,
        *,
        stop_s: float | None = None,
        loop: tuple[float, float] | None = None,
    ) -> None:
        """Play from `start_s` (default: the position) to `stop_s` (default: the end), or loop
        `loop` = (a, b), starting at `start_s` when it lies inside the loop, else at a.
        play() with no arguments resumes after pause(); from the end it starts over."""
        with self._lock:
            pipe, req = self._pipe, self._request
            if pipe is None or req is None:
                return
            resume = start_s is None and stop_s is None and loop is None
            left = req.loop is not None or self._frame(self.position) < req.stop
            if resume and left and pipe.renderer.finished_gen != req.gen:
                self._roll()
                return
            start = self._frame(self.position if start_s is None else start_s)
            frames = None if loop is None else (self._frame(loop[0]), self._frame(loop[1]))
            stop = None if stop_s is None else self._frame(stop_s)
            planned = plan_range(start, stop, frames, self._frames)
            if planned is not None:
                self._origin = planned[0]
                self._submit(*planned)
                self._roll()

    def pause(self) -> None:
        """Fade out and rest; play() resumes from here, with the same range or loop."""
        if self._pipe is not None:
            self._pipe.renderer.run = False

    def stop(self) -> None:
        """Fade out and return to where the last play() began; the range and loop are dropped."""
        with self._lock:
            self.pause()
            if self._request is not None:
                self._submit(self._origin, self._frames, None)

    def seek(self, t: float) -> None:
        """Move to `t`, still playing if playing; the range and loop stay if `t` is inside them."""
        with self._lock:
            req = self._request
            if req is None:
                return
            frame = self._frame(t)
            stop = req.stop if frame < req.stop else self._frames
            loop = req.loop if req.loop and req.loop[0] <= frame < req.loop[1] else None
            self._submit(frame, loop[1] if loop else stop, loop)

    # -- state for the UI ----------------------------------------------------------------
    @property
    def playing(self) -> bool:
        pipe, req = self._pipe, self._request
        if pipe is None or req is None:
            return False
        return pipe.renderer.run and pipe.renderer.finished_gen != req.gen

    @property
    def position(self) -> float:
        """Seconds at the speaker: what the callback has taken, less the device latency."""
        pipe, req = self._pipe, self._request
        if req is None or self._rate <= 0:
            return 0.0
        if pipe is None or pipe.renderer.clock[0] != req.gen:
            return req.start / self._rate  # the request has not reached the callback yet
        latency = round(self._backend.latency * self._rate) if self.playing else 0
        return pipe.renderer.heard_frame(latency) / self._rate

    @property
    def duration(self) -> float:
        return self._frames / self._rate if self._rate else 0.0

    @property
    def error(self) -> str | None:
        """A message for the user when playback cannot work; None when all is well."""
        feeder_error = self._pipe.feeder.error if self._pipe is not None else None
        return self._error or self._backend.failure or feeder_error

    @property
    def underruns(self) -> int:
        """Blocks the device wanted before audio was ready: ours plus the driver's."""
        ours = self._pipe.renderer.underruns if self._pipe is not None else 0
        return ours + self._backend.xruns

    def wait_buffered(self, timeout: float = 1.0) -> bool:
        """Wait until audio for the current request is queued ahead (tests, benchmarks).
        False on timeout, or at once when only the callback can make room."""
        pipe, req = self._pipe, self._request
        return pipe is not None and req is not None and pipe.feeder.wait_ready(req.gen, timeout)

    # -- lifetime ------------------------------------------------------------------------
    def set_device(self, device: int | str | None) -> None:
        """Switch to another output device (index or name; None: the system default)."""
        with self._lock:
            self._teardown()
            self._backend.close()
            self._backend = SoundDeviceBackend(device)
            self._stream_format = None
        if self._lanes:
            self.set_sources(self._lanes, self._rate)

    def close(self) -> None:
        with self._lock:
            self._teardown()
            self._backend.close()
            self._stream_format = None
            self._lanes = {}

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- inside ---------------------------------------------------------------------------
    def _render(self, out: np.ndarray) -> None:
        # The device callback. The pipeline reference is swapped whole, never edited.
        pipe = self._pipe
        if pipe is None:
            out.fill(0.0)
        else:
            pipe.renderer.render(out)

    def _frame(self, seconds: float) -> int:
        return min(max(0, round(seconds * self._rate)), self._frames)

    def _targets(self) -> np.ndarray:
        return audible_gains([self._settings.get(n, LaneSettings()) for n in self._lanes])

    def _submit(self, start: int, stop: int, loop: tuple[int, int] | None) -> None:
        self._gen += 1
        self._request = PlayRequest(self._gen, start, stop, loop)
        if self._pipe is not None:
            self._pipe.submit(self._request)

    def _roll(self) -> None:
        if self._pipe is None:
            return
        self._pipe.renderer.run = True
        if self._backend.running:
            return
        self._pipe.before_start()
        try:
            self._backend.start()
        except OutputUnavailable as exc:
            self._pipe.renderer.run = False
            self._error = str(exc)

    def _open_stream(self) -> int:
        """The open stream's channel count, opening it at the lanes' rate if need be; 0 when
        there is no sound output (the reason is in `error`)."""
        if self._stream_format is not None and self._stream_format[0] == self._rate:
            return self._stream_format[1]
        self._backend.close()
        self._stream_format = None
        try:
            channels = self._backend.open(self._rate, 2, self._blocksize, self._render)
        except OutputUnavailable as exc:
            self._error = str(exc)
            return 0
        self._stream_format = (self._rate, channels)
        return channels

    def _teardown(self) -> None:
        """Fade out if sounding, stop the stream and end the pipeline."""
        pipe = self._pipe
        if pipe is not None:  # still wired to the callback, so the fade is heard
            pipe.close(sounding=pipe.renderer.run and self._backend.running)
        if self._backend.running:
            self._backend.stop()
        self._pipe = None

    def _housekeep(self) -> None:
        # On the feeder thread: stop the stream once it has rendered silence for a while.
        pipe = self._pipe
        if pipe is None or self.playing or pipe.renderer.idle_frames < IDLE_STOP_S * self._rate:
            return
        if not self._lock.acquire(blocking=False):
            return  # the control thread is busy (it may be joining this very thread)
        try:
            if pipe is self._pipe and not self.playing and self._backend.running:
                self._backend.stop()
        finally:
            self._lock.release()
