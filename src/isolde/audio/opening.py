"""probe() and open_audio(): the two ways into a media file."""

from __future__ import annotations

import os

import numpy as np

from isolde.audio import pcm_cache
from isolde.audio.content_hash import content_hash
from isolde.audio.decoders import decode_blocks
from isolde.audio.file_checks import check_rate
from isolde.audio.info import AudioInfo
from isolde.audio.media_probe import ProbedFile, identify
from isolde.audio.source import AudioSource
from isolde.core.errors import AudioFileError
from isolde.core.progress import CancelToken, ProgressFn

# float value = (stored + offset) * scale, per storage dtype
_INT_SCALES: dict[str, tuple[float, float]] = {
    "u1": (1.0 / 128, -128.0),
    "i2": (1.0 / 2**15, 0.0),
    "i4": (1.0 / 2**31, 0.0),
    "f4": (1.0, 0.0),
    "f8": (1.0, 0.0),
}


def probe(path: str | os.PathLike[str]) -> AudioInfo:
    """Header facts about `path` without decoding it.

    For formats read through PyAV the frame count is the container's estimate; the source
    returned by open_audio() carries the exact count.
    """
    return identify(path).info


def open_audio(
    path: str | os.PathLike[str],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> AudioSource:
    """Open `path` for random access without loading it into memory.

    PCM WAV is mapped in place (O(1), whatever its length); anything else is decoded once into
    the PCM cache and mapped from there, which is what `progress` and `cancel` are for. A sample
    rate outside 1–768 kHz is refused (`file_checks.check_rate`); NaN and infinite samples of a
    float file read as 0 (`AudioSource.read`; `nonfinite.scan` counts them).
    """
    probed = identify(path)
    check_rate(probed.info.path, probed.info.sample_rate)
    decoded = probed.wav is None
    source = _open_decoded(probed, progress, cancel) if decoded else _map_wav(probed)
    if progress is not None:
        progress(1.0, f"opened {os.path.basename(probed.info.path)}")
    return source


def _map_wav(probed: ProbedFile) -> AudioSource:
    wav, info = probed.wav, probed.info
    assert wav is not None
    packed24 = wav.dtype is None
    dtype = np.dtype(np.uint8) if packed24 else wav.dtype
    shape = (wav.frames, wav.channels, 3) if packed24 else (wav.frames, wav.channels)
    try:
        storage = np.memmap(info.path, dtype=dtype, mode="r", offset=wav.data_offset, shape=shape)
    except (OSError, ValueError) as exc:
        raise AudioFileError(info.path, f"cannot map the file into memory ({exc})") from exc
    if packed24:
        return AudioSource(info, storage, scale=1.0 / 2**23, packed24=True)
    scale, offset = _INT_SCALES[f"{dtype.kind}{dtype.itemsize}"]
    return AudioSource(info, storage, scale=scale, offset=offset)


def _open_decoded(
    probed: ProbedFile, progress: ProgressFn | None, cancel: CancelToken | None
) -> AudioSource:
    info = probed.info
    key = pcm_cache.cache_key(content_hash(info.path), probed.size, probed.mtime_ns)
    cached = pcm_cache.load(key, info.path)
    if cached is None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        blocks = decode_blocks(info, probed.decoder)
        pcm_cache.store(key, info, blocks, progress=progress, cancel=cancel)
        cached = pcm_cache.load(key, info.path)
        if cached is None:
            raise AudioFileError(
                info.path,
                "the decoded audio vanished from the cache folder "
                f"{pcm_cache.pcm_dir()} while opening; try again",
            )
    decoded_info, samples = cached
    return AudioSource(decoded_info, samples)
