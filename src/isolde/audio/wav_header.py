"""Reads a WAV/RF64 header by walking its chunks, so PCM data can be memory-mapped in O(1)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from isolde.core.errors import AudioFileError

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
_RIFF_MAGICS = (b"RIFF", b"RF64", b"BW64")
# A real header has a handful of chunks; this bounds the walk over a damaged one.
_MAX_CHUNKS = 4096
_REEXPORT = "re-export it (or copy it again) from the original"

# (format tag, container bits) -> (subtype, storage dtype; None means packed 24-bit)
_LAYOUTS: dict[tuple[int, int], tuple[str, str | None]] = {
    (WAVE_FORMAT_PCM, 8): ("PCM_U8", "u1"),
    (WAVE_FORMAT_PCM, 16): ("PCM_16", "<i2"),
    (WAVE_FORMAT_PCM, 24): ("PCM_24", None),
    (WAVE_FORMAT_PCM, 32): ("PCM_32", "<i4"),
    (WAVE_FORMAT_IEEE_FLOAT, 32): ("FLOAT", "<f4"),
    (WAVE_FORMAT_IEEE_FLOAT, 64): ("DOUBLE", "<f8"),
}


@dataclass(frozen=True)
class WavLayout:
    """Where the samples of a PCM/float WAV live and how they are stored."""

    container: str  # "WAV" or "RF64"
    sample_rate: int
    channels: int
    subtype: str
    dtype: np.dtype | None  # None: packed 24-bit, converted on read
    bytes_per_sample: int
    data_offset: int
    frames: int


@dataclass
class _Chunks:
    fmt: bytes | None = None
    data_offset: int | None = None
    data_size: int | None = None
    ds64_data_size: int | None = None


def is_riff_wave(head: bytes) -> bool:
    return head[:4] in _RIFF_MAGICS and head[8:12] == b"WAVE"


def read_wav_layout(path: str, f: BinaryIO, file_size: int) -> WavLayout | None:
    """The layout of a mappable WAV, or None when the file is not one (another decoder may read
    it: not RIFF/WAVE, big-endian, ADPCM, µ-law…). Raises AudioFileError for a cut-short file."""
    f.seek(0)
    head = f.read(12)
    if not is_riff_wave(head):
        if len(head) < 12 and head[:4] in _RIFF_MAGICS:
            raise AudioFileError(
                path, f"the WAV header is cut short; the file looks truncated — {_REEXPORT}"
            )
        return None
    chunks = _walk_chunks(path, f, file_size)
    if chunks.fmt is None:
        raise AudioFileError(
            path,
            "the WAV header has no format ('fmt ') chunk; the file looks "
            f"truncated or damaged — {_REEXPORT}",
        )
    if chunks.data_offset is None or chunks.data_size is None:
        raise AudioFileError(
            path, f"the WAV file has no audio data chunk; it looks truncated — {_REEXPORT}"
        )
    container = "RF64" if head[:4] != b"RIFF" else "WAV"
    data_size = chunks.data_size
    if data_size == 0xFFFFFFFF and chunks.ds64_data_size is not None:
        data_size = chunks.ds64_data_size
    return _layout(path, chunks.fmt, container, chunks.data_offset, data_size, file_size)


def _walk_chunks(path: str, f: BinaryIO, file_size: int) -> _Chunks:
    found = _Chunks()
    pos = 12
    for _ in range(_MAX_CHUNKS):
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            break
        chunk_id, size = header[:4], struct.unpack("<I", header[4:])[0]
        if chunk_id == b"ds64":
            body = f.read(min(size, 28))
            if len(body) < 16:
                raise AudioFileError(
                    path,
                    "the RF64 size table (ds64) is cut short; the file "
                    f"looks truncated — {_REEXPORT}",
                )
            found.ds64_data_size = struct.unpack("<Q", body[8:16])[0]
        elif chunk_id == b"fmt ":
            found.fmt = f.read(min(size, 40))
        elif chunk_id == b"data":
            found.data_offset, found.data_size = pos + 8, size
            if found.fmt is not None:
                break  # never walk past the samples when the format is already known
            if size == 0xFFFFFFFF and found.ds64_data_size is not None:
                size = found.ds64_data_size
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
        if pos >= file_size:
            break
    return found


def _layout(
    path: str, fmt: bytes, container: str, data_offset: int, data_size: int, file_size: int
) -> WavLayout | None:
    if len(fmt) < 16:
        raise AudioFileError(
            path, f"the WAV format chunk is cut short; the file looks damaged — {_REEXPORT}"
        )
    tag, channels, rate, _byte_rate, block_align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == WAVE_FORMAT_EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack("<H", fmt[24:26])[0]  # first two bytes of the SubFormat GUID
    if channels == 0 or rate == 0:
        raise AudioFileError(
            path,
            f"the WAV header claims {channels} channels at {rate} Hz; "
            f"the file is damaged — {_REEXPORT}",
        )
    known = _LAYOUTS.get((tag, bits))
    if known is None or block_align != channels * bits // 8:
        return None  # compressed or unusual storage: let a full decoder handle it
    subtype, dtype = known
    available = max(file_size - data_offset, 0)
    if data_size > available:
        raise AudioFileError(
            path,
            f"the WAV header promises {data_size:,} bytes of audio but only "
            f"{available:,} are present; the file looks truncated (an interrupted "
            f"recording, download or copy?) — {_REEXPORT}",
        )
    return WavLayout(
        container=container,
        sample_rate=rate,
        channels=channels,
        subtype=subtype,
        dtype=np.dtype(dtype) if dtype else None,
        bytes_per_sample=bits // 8,
        data_offset=data_offset,
        frames=data_size // block_align,
    )
