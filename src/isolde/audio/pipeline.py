"""One set of lanes wired for one stream format: queue, mixer, renderer and feeder together.

The timing constants live here because they shape all four parts at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from isolde.audio.block_queue import BlockQueue
from isolde.audio.feeder import Feeder, PlayRequest
from isolde.audio.mixer import Mixer
from isolde.audio.renderer import Renderer
from isolde.audio.source import AudioSource

CHUNK_FRAMES = 1024  # frames per prepared slot
RAMP_S = 0.010  # lane gain changes: an A/B switch is complete 10 ms after the callback sees it
FADE_S = 0.005  # start, pause, seek and the end of a range
SEAM_S = 0.010  # crossfade where a loop wraps


def lanes_rate(sources: Mapping[str, AudioSource], sample_rate: int | None) -> int:
    """The one sample rate every lane plays at; a lane at another rate must be resampled first."""
    if not sources:
        raise ValueError("playback needs at least one lane")
    rate = sample_rate or next(iter(sources.values())).sample_rate
    for name, source in sources.items():
        if source.sample_rate != rate:
            raise ValueError(
                f"lane {name!r} ({source.info.path}) is {source.sample_rate} Hz but playback "
                f"runs at {rate} Hz; resample it first"
            )
    return rate


class Pipeline:
    """The renderer the device callback drives and the feeder thread that keeps it supplied."""

    def __init__(
        self,
        sources: list[AudioSource],
        rate: int,
        channels: int,
        *,
        blocksize: int,
        lookahead_s: float,
        targets: np.ndarray,
        on_tick: Callable[[], None],
    ) -> None:
        slots = max(4, math.ceil(lookahead_s * rate / CHUNK_FRAMES))
        queue = BlockQueue(slots, len(sources), CHUNK_FRAMES, channels)
        mixer = Mixer(
            len(sources),
            channels,
            max(blocksize, CHUNK_FRAMES),
            ramp_frames=round(RAMP_S * rate),
            fade_frames=round(FADE_S * rate),
            targets=targets,
        )
        self.renderer = Renderer(queue, mixer)
        self.feeder = Feeder(
            sources,
            queue,
            channels,
            fade_frames=round(FADE_S * rate),
            seam_frames=round(SEAM_S * rate),
        )
        self.feeder.on_tick = on_tick
        self.feeder.start()

    def submit(self, request: PlayRequest) -> None:
        self.feeder.submit(request)  # the feeder first, so the audio is on its way
        self.renderer.gen = request.gen

    def before_start(self) -> None:
        """With the device stopped, clear out stale audio so the feeder can refill at once."""
        self.renderer.catch_up()
        self.feeder.wake()

    def close(self, *, sounding: bool) -> None:
        """Fade out (when a device is playing it) and end the feeder thread."""
        if sounding:
            self.renderer.rest(timeout=FADE_S + 0.05)
        self.feeder.close()
