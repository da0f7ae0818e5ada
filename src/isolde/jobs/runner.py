"""Run one request to completion and store its take: the synchronous path the CLI uses.

The engine writes float32 WAV into a private work folder; only when it has finished are the
files transcoded into the requested format and `take.json` written, each atomically, so an
interrupted run never leaves a half take behind. A request with a selection runs on that stretch
only and is placed back into full-length files (`providers.selection`). What a request needs made
first (a visual request's mask video) is made here too (`jobs.preparation`). The threaded job
manager (`jobs.manager`) runs jobs through here, and resumed ones through `store_take`.
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
from isolde.jobs.preparation import prepare_request
from isolde.providers.base import EventFn, Provider, ProviderResult, Request, ignore_events
from isolde.providers.net.keys import missing_key_message
from isolde.providers.selection import run_request, with_default_selection


@dataclass(frozen=True)
class TakeOutcome:
    take: Take
    take_file: Path
    outputs: dict[str, Path]
    processing_s: float
    total_s: float


def _prepare_out_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AudioFileError(out_dir, f"cannot create the output folder ({exc.strerror})") from exc
    clear_leftovers(out_dir)


def clear_leftovers(out_dir: Path) -> None:
    """Remove what a killed run left in a take folder: its private work folders and the hidden
    temp files of writes that never completed. Finished files are never touched."""
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
    outputs: dict[str, Path] = {}
    for role, produced in files.items():
        dest = out_dir / f"{role}{fmt.extension}"
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
        label=request.prompt,
        provider_request_id=result.provider_request_id,
        cost_usd=result.cost_usd,
        sample_rate=fmt.sample_rate or result.sample_rate,
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
    take_file = out_dir / "take.json"
    atomic_write_text(take_file, json.dumps(document, indent=2) + "\n")
    return take, take_file, outputs


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
    request = with_default_selection(provider, request)
    provider.validate(request, media.duration)
    key_env = provider.capabilities.key_env
    if key_env is not None and not provider.key_configured():
        raise MissingKeyError(missing_key_message(key_env, provider.title))
    _prepare_out_dir(out_dir)
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
    total_s = time.perf_counter() - started
    return TakeOutcome(take, take_file, outputs, processing_s, total_s)
