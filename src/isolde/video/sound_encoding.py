"""The sound of a muxed video, encoded as packets ready to interleave with the picture.

`SoundPackets` hands out the packets of a stretch of audio samples in order, as the picture
copy reaches their time. PCM and FLAC are encoded in the calling thread: they are cheap.
AAC is not — FFmpeg's native encoder runs at about 50× real time on a modest core, so a
5-minute stereo track takes ~6 s alone — so it is encoded on every core at once, in segments:

Each segment is encoded by its own encoder, fed PREROLL frames of the real signal before the
segment and LOOKAHEAD frames after it; only the packets that start inside the segment are kept.
An AAC packet with pts p holds the MDCT of samples [p, p + 2048), and the decoder overlap-adds
its first half with the previous packet's second half; both halves are transforms of the same
signal with the same long/short window decisions (each encoder has seen the same lead-in), so
the time-domain aliasing cancels across the seam as it does inside one encoder's output, and
the seam is as clean as any other frame boundary (a test checks this). The first segment keeps
its encoder's priming packet, so the muxer records the usual 1024-sample encoder delay.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import numpy as np

from isolde.core.progress import CancelToken

Reader = Callable[[int, int], np.ndarray]  # given samples [a, b) as float32 (n, channels)
AAC_FRAME = 1024
SEGMENT = AAC_FRAME * 480  # ~10 s at 48 kHz
PREROLL, LOOKAHEAD = 4, 2  # AAC frames of real signal fed before and after a segment
BLOCK = 1 << 15


@dataclass(frozen=True)
class SoundFormat:
    codec: str  # "aac", "pcm_s16le", "pcm_s24le", "flac"
    sample_format: str  # PyAV frame format the encoder takes: fltp, s16, s32
    rate: int
    bits: int  # 0 for float (AAC)
    layout: str
    bit_rate: int = 0
    options: tuple[tuple[str, str], ...] = ()


def make_frame(block: np.ndarray, fmt: SoundFormat, pts: int) -> av.AudioFrame:
    """An encoder input frame for float samples (n, channels), quantized like AudioWriter."""
    if fmt.bits == 0:
        data = np.ascontiguousarray(block.T, dtype=np.float32)
    elif fmt.bits == 16:
        ints = np.clip(np.rint(np.clip(block, -1, 1) * 32768.0), -32768, 32767)
        data = ints.astype(np.int16).reshape(1, -1)
    else:
        ints = np.clip(np.rint(np.clip(block, -1, 1) * 8388608.0), -8388608, 8388607)
        data = (ints.astype(np.int32) << 8).reshape(1, -1)  # 24 bits at the top of an int32
    frame = av.AudioFrame.from_ndarray(data, fmt.sample_format, fmt.layout)
    frame.sample_rate = fmt.rate
    frame.pts = pts
    frame.time_base = Fraction(1, fmt.rate)
    return frame


def _encode_stretch(
    encoder: Any, read: Reader, fmt: SoundFormat, origin: int, a: int, b: int, cancel: Any
) -> list[av.Packet]:
    packets: list[av.Packet] = []
    for first in range(a, b, BLOCK):
        if cancel is not None:
            cancel.raise_if_cancelled()
        last = min(first + BLOCK, b)
        packets += encoder.encode(make_frame(read(first, last), fmt, origin + first))
    return packets


def _aac_segment(
    read: Reader, fmt: SoundFormat, origin: int, first: int, stop: int, total: int, cancel: Any
) -> list[av.Packet]:
    """Packets starting in given samples [first, stop) of a `total`-sample track (see above)."""
    ctx = av.CodecContext.create("aac", "w")
    ctx.sample_rate, ctx.layout, ctx.format = fmt.rate, fmt.layout, fmt.sample_format
    ctx.bit_rate = fmt.bit_rate
    ctx.time_base = Fraction(1, fmt.rate)
    ctx.options = dict(fmt.options)
    begin = max(first - PREROLL * AAC_FRAME, 0)
    end = min(stop + LOOKAHEAD * AAC_FRAME, total)
    packets = _encode_stretch(ctx, read, fmt, origin, begin, end, cancel)
    packets += ctx.encode(None)
    low = -(1 << 62) if begin == 0 else origin + first  # the first segment keeps its priming
    return [p for p in packets if p.pts is not None and low <= p.pts < origin + stop]


class SoundPackets:
    """Packets for given samples [start, stop) placed at pts origin + sample, in order."""

    def __init__(
        self,
        read: Reader,
        fmt: SoundFormat,
        stream: Any,
        *,
        origin: int,
        start: int,
        stop: int,
        cancel: CancelToken | None,
    ) -> None:
        self.read, self.fmt, self.stream, self.cancel = read, fmt, stream, cancel
        self.origin, self.stop = origin, stop
        self.next = start  # first sample not yet handed out
        self.parallel = fmt.codec == "aac"
        self.workers = max(1, min(os.cpu_count() or 1, 8))
        self.pool = ThreadPoolExecutor(self.workers) if self.parallel else None
        self.queued: deque[tuple[int, Future[list[av.Packet]]]] = deque()
        self.planned = start  # start of the next segment to submit

    def _top_up(self) -> None:
        assert self.pool is not None
        while self.planned < self.stop and len(self.queued) < 2 * self.workers:
            a, b = self.planned, min(self.planned + SEGMENT, self.stop)
            job = self.pool.submit(
                _aac_segment, self.read, self.fmt, self.origin, a, b, self.stop, self.cancel
            )
            self.queued.append((b, job))
            self.planned = b

    def until(self, sample: int) -> list[av.Packet]:
        """Packets covering given samples up to at least `sample` (capped at the end)."""
        sample = min(sample, self.stop)
        if sample <= self.next:
            return []
        if not self.parallel:
            packets = _encode_stretch(
                self.stream, self.read, self.fmt, self.origin, self.next, sample, self.cancel
            )
            self.next = sample
            return packets
        out: list[av.Packet] = []
        self._top_up()
        while self.next < sample and self.queued:
            b, job = self.queued.popleft()
            out += job.result()
            self.next = b
            self._top_up()
        return out

    def rest(self) -> list[av.Packet]:
        """Everything left, with the encoder's final packets."""
        out = self.until(self.stop)
        if not self.parallel:
            out += self.stream.encode(None)
        return out

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
