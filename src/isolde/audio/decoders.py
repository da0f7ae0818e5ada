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
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    block = _interleaved(out, info.channels)
                    done += block.shape[0]
                    yield block
            for out in resampler.resample(None):
                block = _interleaved(out, info.channels)
                done += block.shape[0]
                yield block
        except av.error.FFmpegError as exc:
            raise _decode_failed(info, done, str(exc)) from None


def _interleaved(frame: av.AudioFrame, channels: int) -> np.ndarray:
    return frame.to_ndarray().reshape(-1, channels)
