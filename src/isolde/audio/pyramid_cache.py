"""Peak pyramids on disk: one `<key>.peaks` file per media file under cache_dir()/"peaks".

Layout: 8-byte magic, a little-endian u32 header length, a JSON header (format version, dtype,
frames, channels, bucket sizes), zero padding to a 64-byte boundary, then every level's min
array followed by its max array, finest level first, C order. A file whose header or size does
not match exactly is ignored (and rebuilt by the caller). Files are written under a temporary
name, flushed to disk and then renamed, so a crash never leaves a complete-looking file with
missing data behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

from isolde.audio.content_hash import content_hash
from isolde.audio.pcm_cache import DECODER_VERSION, cache_dir
from isolde.audio.pyramid_levels import Level, LevelLayout
from isolde.audio.source import AudioSource
from isolde.core.errors import AudioFileError

# Bump when the file layout or the meaning of the stored peaks changes.
FORMAT_VERSION = 1
_MAGIC = b"ISOPEAKS"
_ALIGN = 64
_MAX_HEADER = 64 * 1024


def peaks_dir() -> Path:
    return cache_dir() / "peaks"


def cache_key(source: AudioSource) -> str | None:
    """Key for `source`'s file (content hash, size, mtime), or None when it has no file on disk."""
    info = source.info
    try:
        stat = os.stat(info.path)
        digest = content_hash(info.path)
    except (OSError, AudioFileError):
        return None
    ident = "|".join(
        str(part)
        for part in (
            digest,
            stat.st_size,
            stat.st_mtime_ns,
            f"peaks-{FORMAT_VERSION}",
            f"decoder-{DECODER_VERSION}",  # decoded files: new decoder, new samples
            info.subtype,
            info.frames,
            info.channels,
        )
    )
    return hashlib.blake2b(ident.encode(), digest_size=16).hexdigest()


def _header(layout: LevelLayout, dtype: np.dtype) -> bytes:
    meta = {
        "version": FORMAT_VERSION,
        "dtype": dtype.str,
        "frames": layout.frames,
        "channels": layout.channels,
        "sizes": list(layout.sizes),
    }
    body = json.dumps(meta, sort_keys=True).encode()
    head = _MAGIC + struct.pack("<I", len(body)) + body
    return head + b"\0" * (-len(head) % _ALIGN)


def load(key: str, layout: LevelLayout, dtype: np.dtype) -> list[Level] | None:
    """The cached levels (read-only memory maps), or None if missing, stale or damaged."""
    path = peaks_dir() / f"{key}.peaks"
    expected = _header(layout, dtype)
    try:
        with open(path, "rb") as f:
            head = f.read(len(expected))
            size = os.fstat(f.fileno()).st_size
    except OSError:
        return None
    per_level = [count * layout.channels * dtype.itemsize for count in layout.counts]
    if head != expected or size != len(expected) + 2 * sum(per_level):
        return None
    try:
        body = np.memmap(path, dtype=np.uint8, mode="r", offset=len(expected))
    except (OSError, ValueError):
        return None
    levels, pos = [], 0
    for level_size, count, nbytes in zip(layout.sizes, layout.counts, per_level, strict=True):
        lo = body[pos : pos + nbytes].view(dtype).reshape(count, layout.channels)
        hi = body[pos + nbytes : pos + 2 * nbytes].view(dtype).reshape(count, layout.channels)
        levels.append(Level(level_size, lo, hi))
        pos += 2 * nbytes
    top = levels[-1]
    if np.any(top.lo > top.hi):  # cheap guard against garbage (NaN peaks compare false)
        return None
    return levels


def store(key: str, layout: LevelLayout, dtype: np.dtype, levels: list[Level]) -> bool:
    """Write the levels for `key`; False (and nothing left behind) if the cache is unwritable."""
    folder = peaks_dir()
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{key}.", suffix=".peaks.part", dir=folder)
        with os.fdopen(fd, "wb") as out:
            out.write(_header(layout, dtype))
            for level in levels:
                out.write(memoryview(np.ascontiguousarray(level.lo, dtype)))
                out.write(memoryview(np.ascontiguousarray(level.hi, dtype)))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / f"{key}.peaks")
        tmp = None
    except OSError:
        return False  # the cache only saves time; the pyramid in memory is complete anyway
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return True
