"""The decode cache: compressed files decoded once to raw float32, then memory-mapped.

Each entry is `<key>.f32` (interleaved float32 samples) and `<key>.json` (what they are).
Both are written under temporary names and renamed into place, the sidecar last, so an entry
is only ever seen complete: a decode that is killed or cancelled leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np
import platformdirs

from isolde.audio.file_checks import no_audio_error
from isolde.audio.info import AudioInfo
from isolde.core.errors import AudioFileError
from isolde.core.progress import CancelToken, ProgressFn

# Bump when decoded output would change (decoder options, channel handling), so stale
# entries are ignored instead of served.
DECODER_VERSION = 2  # 2: the padding after a stream's declared end is dropped
_PROGRESS_STEP = 0.01


def cache_dir() -> Path:
    """Isolde's cache folder: $ISOLDE_CACHE_DIR if set, else the platform's user cache."""
    override = os.environ.get("ISOLDE_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("isolde"))


def pcm_dir() -> Path:
    return cache_dir() / "pcm"


def cache_key(content_hash: str, size: int, mtime_ns: int) -> str:
    ident = f"{content_hash}|{size}|{mtime_ns}|decoder-{DECODER_VERSION}"
    return hashlib.blake2b(ident.encode(), digest_size=16).hexdigest()


def load(key: str, path: str) -> tuple[AudioInfo, np.memmap] | None:
    """The cached samples for `key`, or None when there is no complete entry."""
    data, sidecar = pcm_dir() / f"{key}.f32", pcm_dir() / f"{key}.json"
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        if meta.get("decoder_version") != DECODER_VERSION:
            return None
        info = replace(AudioInfo(**meta["info"]), path=path)
        if info.frames <= 0 or data.stat().st_size != info.frames * info.channels * 4:
            return None
        samples = np.memmap(data, dtype="<f4", mode="r", shape=(info.frames, info.channels))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged entry: decode again
    return info, samples


def store(
    key: str,
    info: AudioInfo,
    blocks: Iterable[np.ndarray],
    *,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> AudioInfo:
    """Write decoded `blocks` as the entry for `key`; returns `info` with the exact frame count.

    On any failure, including Cancelled, the partial data file is removed.
    """
    folder = pcm_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f"{key}.", suffix=".f32.part", dir=folder)
    except OSError as exc:
        raise _cache_error(info.path, folder, exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            frames = _write_blocks(out, info, blocks, progress, cancel)
        if frames == 0:
            raise no_audio_error(info.path)
        final = replace(info, frames=frames, frames_exact=True)
        os.replace(tmp, folder / f"{key}.f32")
        _write_sidecar(folder, key, final)
    except OSError as exc:
        raise _cache_error(info.path, folder, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return final


def _write_blocks(
    out: BinaryIO,
    info: AudioInfo,
    blocks: Iterable[np.ndarray],
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> int:
    frames = 0
    reported = -1.0
    for block in blocks:
        if cancel is not None:
            cancel.raise_if_cancelled()
        if block.ndim != 2 or block.shape[1] != info.channels:
            raise AudioFileError(
                info.path,
                f"the decoder produced {block.shape} samples for a {info.channels}-channel file",
            )
        out.write(memoryview(np.ascontiguousarray(block, dtype="<f4")))
        frames += block.shape[0]
        if progress is not None and info.frames > 0:
            # The header's frame count is an estimate; never claim to be done early.
            fraction = min(frames / info.frames, 0.99)
            if fraction - reported >= _PROGRESS_STEP:
                reported = fraction
                progress(fraction, f"decoding {Path(info.path).name}")
    if cancel is not None:
        cancel.raise_if_cancelled()
    return frames


def _write_sidecar(folder: Path, key: str, info: AudioInfo) -> None:
    meta = {"decoder_version": DECODER_VERSION, "info": asdict(info)}
    fd, tmp_name = tempfile.mkstemp(prefix=f"{key}.", suffix=".json.part", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(meta, out)
        os.replace(tmp_name, folder / f"{key}.json")
    finally:
        Path(tmp_name).unlink(missing_ok=True)


def _cache_error(path: str, folder: Path, exc: OSError) -> AudioFileError:
    return AudioFileError(
        path,
        f"cannot write the decode cache in {folder} "
        f"({exc.strerror or exc}) — free some disk space, or set "
        f"ISOLDE_CACHE_DIR to a writable folder",
    )
