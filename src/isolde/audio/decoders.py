"""Streams a compressed file's audio as float32 blocks, with soundfile or PyAV."""

from __future__ import annotations

from collections.abc import Iterator

import av
import av.error
import numpy as np
import soundfile as sf

from isolde.audio.file_checks import unreadable_error
from isolde.audio.info import AudioInfo
from isolde.core.errors import AudioFileError

BLOCK_FRAMES = 1 << 16


def decode_blocks(info: AudioInfo, decoder: str) -> Iterator[np.ndarray]:
    """float32 (n, channels) blocks of the whole file, first to last, never seeking."""
    if decoder == "soundfile":
        return _soundfile_blocks(info)
    if decoder == "pyav":
        return _pyav_blocks(info)
    raise ValueError(f"no streaming decoder called {decoder!r}")


def _decode_failed(info: AudioInfo, done: int, detail: str) -> AudioFileError:
    where = f"{done / info.sample_rate:.1f} s"
    return AudioFileError(
        info.path,
        f"decoding failed at {where} ({detail}); the file looks "
        f"damaged or truncated — re-export or copy it again",
    )


def _soundfile_blocks(info: AudioInfo) -> Iterator[np.ndarray]:
    done = 0
    try:
        with sf.SoundFile(info.path) as f:
            # Read to the end rather than to `frames`: MP3 headers can miscount, and MP3 is
            # decoded in one pass because its seeking is not sample-exact.
            while True:
                block = f.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
                if block.shape[0] == 0:
                    return
                done += block.shape[0]
                yield block
    except (sf.SoundFileError, RuntimeError) as exc:
        raise _decode_failed(info, done, str(exc)) from None


def _pyav_blocks(info: AudioInfo) -> Iterator[np.ndarray]:
    done = 0
    try:
        container = av.open(info.path)
    except av.error.FFmpegError as exc:
        raise unreadable_error(info.path, str(exc)) from None
    with container:
        stream = container.streams.audio[0]
        # Convert every frame to interleaved float32 at the rate and channel count the probe
        # reported, so a mid-stream format change cannot corrupt the cache's layout.
        layout = stream.layout if stream.layout.nb_channels == info.channels else None
        resampler = av.AudioResampler(
            format="flt", layout=layout or info.channels, rate=info.sample_rate
        )
        trim = _EndTrim(declared_frames(stream, info.sample_rate), info.sample_rate)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    block = _interleaved(out, info.channels)
                    done += block.shape[0]
                    yield from trim.feed(block)
            for out in resampler.resample(None):
                block = _interleaved(out, info.channels)
                done += block.shape[0]
                yield from trim.feed(block)
        except av.error.FFmpegError as exc:
            raise _decode_failed(info, done, str(exc)) from None
        yield from trim.finish()


def declared_frames(stream: av.AudioStream, rate: int) -> int | None:
    """The stream's length as its container declares it (an MP4's edit list: the encoder's
    priming and padding left out), in frames at `rate`; None when it declares none."""
    if stream.duration is None or stream.time_base is None:
        return None
    return max(round(float(stream.duration * stream.time_base) * rate), 0)


class _EndTrim:
    """Drops the encoder's padding after the declared end. FFmpeg already skips the priming at
    the start (the edit list's offset) but decodes the last codec frame whole, so an AAC file
    reads up to 1023 frames longer than it is. More than `slack` past the declared end is not
    padding but a header that undercounts: then nothing is dropped."""

    def __init__(self, declared: int | None, rate: int) -> None:
        self.declared = declared
        self.slack = max(rate // 10, 4096)  # longer than any codec frame's padding
        self.done = 0
        self.held: list[np.ndarray] = []  # decoded past the declared end, not yet passed on

    def feed(self, block: np.ndarray) -> Iterator[np.ndarray]:
        if self.declared is None:
            yield block
            return
        keep = max(min(self.declared - self.done, block.shape[0]), 0)
        self.done += block.shape[0]
        if keep:
            yield block[:keep]
        if keep < block.shape[0]:
            self.held.append(block[keep:])
            if self.done - self.declared > self.slack:
                yield from self.held  # not padding: the header is wrong, keep every sample
                self.held, self.declared = [], None

    def finish(self) -> Iterator[np.ndarray]:
        held, self.held = self.held, []
        if self.declared is None:
            yield from held


def _interleaved(frame: av.AudioFrame, channels: int) -> np.ndarray:
    return frame.to_ndarray().reshape(-1, channels)
