"""What is checked about an output before any work starts (and before anything is uploaded).

- The format can hold the result: MP3 only at its sample rates and with at most 2 channels,
  FLAC with at most 8.
- The output never replaces an input: the source recording, a take being read, a project's
  media, a video or mask — compared by resolved path and by `os.path.samefile`.
- The folder can be written, and has room for the outputs (an estimate from frames × channels ×
  bytes per sample × files, plus the engine's working files), refused with the numbers.
- A take folder holds only a take: a folder with other files in it (a music folder, the current
  folder) is refused, because a take is replaced as a whole (`jobs.take_commit`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from isolde.audio.info import AudioInfo
from isolde.audio.output_format import OutputFormat
from isolde.audio.writer import check_capacity
from isolde.core.errors import InputError
from isolde.jobs import take_commit

HEADER_BYTES = 64 * 1024  # per file: headers, seek tables, rounding
MARGIN_BYTES = 16 * 1024 * 1024  # never fill a disk to the last byte
CARRIED = frozenset({"mask.json", "mask.mp4", ".jobs"})  # a job's own files beside its take


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when `a` and `b` name one file (same resolved path, or a link to the same inode)."""
    if Path(a).resolve() == Path(b).resolve():
        return True
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


def is_within(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    p, f = Path(path).resolve(), Path(folder).resolve()
    return p == f or f in p.parents


def bytes_per_second(fmt: OutputFormat, rate: int, channels: int) -> float:
    """An upper bound on what one second of `fmt` takes on disk (FLAC counted as PCM)."""
    if fmt.container == "mp3":
        return fmt.bitrate_kbps * 1000 / 8
    width = {"16": 2, "24": 3}.get(fmt.depth, 4)
    return rate * channels * width


def human(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


def existing_ancestor(path: Path) -> Path:
    p = Path(os.path.abspath(path))
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_room(folder: Path, needed: float, what: str) -> None:
    """InputError with both figures when the disk under `folder` lacks `needed` bytes."""
    base = existing_ancestor(folder)
    try:
        free = shutil.disk_usage(base).free
    except OSError:
        return  # cannot tell: the writes themselves will say so
    if needed + MARGIN_BYTES > free:
        raise InputError(
            f"{folder}: not enough free disk space for {what}: it needs about {human(needed)}, "
            f"and {human(free)} are free on that disk — free some space or choose another "
            "output folder"
        )


def check_writable(path: Path) -> None:
    """InputError unless new files can be made at `path` (the nearest folder that exists)."""
    base = existing_ancestor(path)
    if not base.is_dir():
        raise InputError(
            f"{path}: {base} is a file, not a folder — choose an output inside a folder"
        )
    if not os.access(base, os.W_OK | os.X_OK):
        raise InputError(
            f"{path}: cannot write in {base} (permission denied) — choose another output folder"
        )


def check_take_folder(
    out_dir: Path,
    media: AudioInfo,
    fmt: OutputFormat,
    *,
    roles: int = 2,
    channels: int | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    work_files: int = 2,
    check_format: bool = True,
) -> None:
    """Everything about writing a take of `media` into `out_dir` that can be known up front.

    `check_format` False skips the format-against-rate check (an engine's own mono output at a
    rate only the engine knows)."""
    out_dir = Path(out_dir)
    rate = fmt.sample_rate or media.sample_rate
    if check_format:
        check_capacity(out_dir, rate, channels or media.channels, fmt)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(
            f"{out_dir}: is a file, not a folder — a take is a folder (target, residual, "
            "take.json); give the name of a new folder"
        )
    for name in inputs:
        if not name:
            continue
        held = out_dir.exists() and is_within(name, out_dir)
        if (held and Path(name).resolve().name not in CARRIED) or same_file(name, out_dir):
            raise InputError(
                f"{out_dir}: holds the input {name}, and a new take replaces the folder's "
                "files — choose another output folder"
            )
    if out_dir.is_dir():
        if os.path.ismount(out_dir):
            raise InputError(
                f"{out_dir}: is a mount point; a take is replaced as a whole folder — "
                "give a folder inside it"
            )
        if is_within(Path.cwd(), out_dir):
            raise InputError(
                f"{out_dir}: is the current folder (or holds it); a take is replaced as a "
                "whole folder — give the name of a new folder, e.g. ./take"
            )
        foreign = [p.name for p in take_commit.kept_entries(out_dir) if p.name not in CARRIED]
        if foreign:
            shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
            raise InputError(
                f"{out_dir}: already holds other files ({shown}); a take is written as a "
                "folder of its own and replaced as a whole — give a new or empty folder"
            )
    check_writable(out_dir)
    check_writable(out_dir.parent)  # the take is staged beside it and renamed into place
    seconds = media.frames / media.sample_rate
    out_bytes = roles * (seconds * bytes_per_second(fmt, rate, channels or media.channels))
    work_bytes = work_files * media.frames * media.channels * 4
    check_room(out_dir, out_bytes + work_bytes + (roles + work_files) * HEADER_BYTES, "the take")


def check_file_output(
    dest: Path,
    fmt: OutputFormat,
    *,
    rate: int,
    channels: int,
    seconds: float,
    inputs: Iterable[tuple[str, str | os.PathLike[str]]] = (),
) -> None:
    """One output file (a remix, an export): not an input, not a folder, room for it."""
    dest = Path(dest)
    for what, name in inputs:
        if name and same_file(dest, name):
            raise InputError(
                f"{dest}: that is {what}; writing there would destroy it — choose another --out"
            )
    if dest.is_dir():
        raise InputError(
            f"{dest}: is a folder; give a file name, e.g. {dest / 'out'}{fmt.extension}"
        )
    if not dest.parent.is_dir():
        raise InputError(f"{dest}: the folder {dest.parent} does not exist; create it first")
    check_writable(dest)
    check_capacity(dest, fmt.sample_rate or rate, channels, fmt)
    needed = seconds * bytes_per_second(fmt, fmt.sample_rate or rate, channels) + HEADER_BYTES
    check_room(dest.parent, needed, "the file")
