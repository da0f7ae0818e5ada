"""Run one request to completion and store its take: the synchronous path the CLI uses.

The engine writes float32 WAV into a private work folder; only when it has finished are the
files transcoded into the requested format and `take.json` written, into a staging folder that
is then renamed into place as a whole (`jobs.take_commit`): a failure, a full disk or Ctrl-C
leaves either the old take or the new one, never half of either. What can be checked before the
engine runs (the output format against the source, the folder, the free space, outputs that
would replace inputs) is checked first (`jobs.output_checks`). A request with a selection runs
on that stretch only and is placed back into full-length files (`providers.selection`). What a
request needs made first (a visual request's mask video) is made here too (`jobs.preparation`).
The threaded job manager (`jobs.manager`) runs jobs through here, and resumed ones through
`store_take`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from isolde import __version__
from isolde.audio import AudioInfo, OutputFormat, content_hash, open_audio, transcode
from isolde.audio.reproject import reproject
from isolde.core.atomic import atomic_write_text
from isolde.core.errors import AudioFileError, MissingKeyError
from isolde.core.progress import CancelToken
from isolde.core.spans import new_id
from isolde.core.takes import Take
from isolde.jobs import take_commit
from isolde.jobs.output_checks import check_take_folder
from isolde.jobs.preparation import prepare_request
from isolde.jobs.result_check import check_result
from isolde.providers.base import (
    EventFn,
    Provider,
    ProviderResult,
    Request,
    RequestKind,
    ignore_events,
)
from isolde.providers.net.keys import missing_key_message
from isolde.providers.selection import run_request, with_default_selection


@dataclass(frozen=True)
class TakeOutcome:
    take: Take
    take_file: Path
    outputs: dict[str, Path]
    processing_s: float
    total_s: float


def _prepare_out_dir(out_dir: Path) -> list[Path]:
    """Create `out_dir` (and missing parents) and clear a killed run's leftovers; returns the
    folders it created, deepest first, so a run that ends without a take can take them away."""
    created = [p for p in (out_dir, *out_dir.parents) if not p.exists()]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AudioFileError(out_dir, f"cannot create the output folder ({exc.strerror})") from exc
    clear_leftovers(out_dir)
    return created


def _remove_if_empty(folders: list[Path]) -> None:
    """Take away folders a failed or cancelled run created, as long as nothing is in them
    (rmdir refuses a folder that holds anything, so nothing else can be lost)."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def clear_leftovers(out_dir: Path) -> None:
    """Remove what a killed run left in a take folder: its private work folders and the hidden
    temp files of writes that never completed, and beside it an unfinished staging folder (an
    old take renamed aside by a commit that never finished is put back). Finished files are
    never touched."""
    take_commit.recover(out_dir)
    for stale in out_dir.glob(".isolde-work-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for pattern in (".*.tmp", ".*.part"):  # core.atomic and audio.writer temp names
        for stale in out_dir.glob(pattern):
            stale.unlink(missing_ok=True)


def store_take(
    result: ProviderResult,
    request: Request,
    provider: Provider,
    media: AudioInfo,
    out_dir: Path,
    fmt: OutputFormat,
    timing: dict[str, float],
    cancel: CancelToken | None = None,
    *,
    keep_mono: bool = False,
) -> tuple[Take, Path, dict[str, Path]]:
    """Transcode the engine's files into `out_dir` and write `take.json` last.

    A separation is first matched to the source: re-projected onto the source's channels (see
    `audio.reproject`) when the engine works in mono or at another rate or length, so takes line
    up with the timeline — unless `keep_mono`, which keeps the engine's own mono output.
    """
    files = dict(result.files)
    if not keep_mono and {"target", "residual"} <= files.keys():
        files = _match_to_source(files, media, provider, cancel)
    if out_dir.is_symlink():  # replace the folder it points to, never the link itself
        out_dir = out_dir.resolve()
    staging = take_commit.staging_folder(out_dir)
    try:
        take, outputs = _write_take(
            staging, files, result, request, provider, media, fmt, timing, cancel, keep_mono
        )
        take_commit.commit(staging, out_dir)
    except OSError as exc:
        raise AudioFileError(
            out_dir,
            f"could not store the take ({exc.strerror or exc}); nothing was changed "
            "there — check the free disk space and that the folder is writable",
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    outputs = {role: out_dir / path.name for role, path in outputs.items()}
    return take, out_dir / take_commit.TAKE_FILE, outputs


def _write_take(
    staging: Path,
    files: dict[str, Path],
    result: ProviderResult,
    request: Request,
    provider: Provider,
    media: AudioInfo,
    fmt: OutputFormat,
    timing: dict[str, float],
    cancel: CancelToken | None,
    keep_mono: bool,
) -> tuple[Take, dict[str, Path]]:
    """Every file of the take, `take.json` last, into the staging folder."""
    outputs: dict[str, Path] = {}
    # Checked on the engine's float files (matched to the source), before they are transcoded.
    checks = check_result(files, request, media.path, result.details)
    for role, produced in files.items():
        dest = staging / f"{role}{fmt.extension}"
        with open_audio(produced) as src:
            transcode(src, dest, fmt, cancel=cancel)
        outputs[role] = dest
    take = Take(
        id=new_id(),
        kind="inpaint" if "inpainted" in outputs else "separate",
        provider=provider.name,
        endpoint=result.endpoint,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        files={role: path.name for role, path in outputs.items()},
        request=request.to_json(),
        timing=timing,
        label="",  # no name of the user's yet: the take reads by its request (`naming`)
        provider_request_id=result.provider_request_id,
        cost_usd=result.cost_usd,
        sample_rate=fmt.sample_rate or result.sample_rate,
        checks=checks,
    )
    document = {
        "format": "isolde-take",
        "version": 1,
        "app_version": __version__,
        "take": take.to_json(),
        "media": media.to_json() | {"content_hash": content_hash(media.path)},
        "output_format": {
            "container": fmt.container,
            "depth": fmt.depth,
            "bitrate_kbps": fmt.bitrate_kbps,
            "sample_rate": fmt.sample_rate or result.sample_rate,
        },
        "engine_details": dict(result.details),
        "stereo": "engine mono output" if keep_mono else "matched to the source",
    }
    atomic_write_text(staging / take_commit.TAKE_FILE, json.dumps(document, indent=2) + "\n")
    return take, outputs


def _match_to_source(
    files: dict[str, Path], media: AudioInfo, provider: Provider, cancel: CancelToken | None
) -> dict[str, Path]:
    target = files["target"]
    with open_audio(target) as tgt:
        aligned = (tgt.sample_rate, tgt.channels, tgt.frames) == (
            media.sample_rate,
            media.channels,
            media.frames,
        )
        if aligned and not (provider.capabilities.mono_output and media.channels > 1):
            return files
        with open_audio(media.path) as src:
            t_out, r_out = (
                target.with_name("target-matched.wav"),
                target.with_name("residual-matched.wav"),
            )
            reproject(src, tgt, t_out, r_out, cancel=cancel)
    return {**files, "target": t_out, "residual": r_out}


def check_request_outputs(
    provider: Provider,
    request: Request,
    media: AudioInfo,
    out_dir: Path,
    fmt: OutputFormat,
    *,
    keep_mono: bool = False,
) -> None:
    """What can be known about the take before the engine runs (or anything is uploaded): the
    format holds the source's rate and channels, the folder is writable, has room and holds no
    input (`jobs.output_checks`)."""
    mono = keep_mono and provider.capabilities.mono_output
    check_take_folder(
        out_dir,
        media,
        fmt,
        roles=1 if request.kind is RequestKind.INPAINT else 2,
        channels=1 if mono else media.channels,
        inputs=(request.media_path, request.video_path, request.mask_path),
        work_files=4 if provider.capabilities.mono_output else 2,
        check_format=not mono,
    )


def checked_request(
    provider: Provider,
    request: Request,
    media: AudioInfo,
    out_dir: Path,
    fmt: OutputFormat,
    *,
    keep_mono: bool = False,
) -> Request:
    """The request as it will run (`with_default_selection`), refused before anything is sent:
    invalid for the engine, the engine's key missing, or outputs that cannot be stored
    (`check_request_outputs`)."""
    request = with_default_selection(provider, request)
    provider.validate(request, media.duration)
    key_env = provider.capabilities.key_env
    if key_env is not None and not provider.key_configured():
        raise MissingKeyError(missing_key_message(key_env, provider.title))
    check_request_outputs(provider, request, media, out_dir, fmt, keep_mono=keep_mono)
    return request


def run_to_take(
    provider: Provider,
    request: Request,
    out_dir: Path,
    fmt: OutputFormat,
    *,
    on_event: EventFn = ignore_events,
    cancel: CancelToken | None = None,
    keep_mono: bool = False,
) -> TakeOutcome:
    started = time.perf_counter()
    with open_audio(request.media_path) as src:
        media = src.info
    request = checked_request(provider, request, media, out_dir, fmt, keep_mono=keep_mono)
    created = _prepare_out_dir(out_dir)
    try:
        prepare_request(request, on_event=on_event, cancel=cancel)  # e.g. render its mask video
        work_dir = Path(tempfile.mkdtemp(prefix=".isolde-work-", dir=out_dir))
        try:
            engine_started = time.perf_counter()
            result = run_request(provider, request, work_dir, on_event=on_event, cancel=cancel)
            processing_s = time.perf_counter() - engine_started
            timing = {"processing_s": round(processing_s, 4)}
            take, take_file, outputs = store_take(
                result, request, provider, media, out_dir, fmt, timing, cancel, keep_mono=keep_mono
            )
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
    except BaseException:
        _remove_if_empty(created)  # a run that made no take leaves no new empty folder
        raise
    total_s = time.perf_counter() - started
    return TakeOutcome(take, take_file, outputs, processing_s, total_s)
