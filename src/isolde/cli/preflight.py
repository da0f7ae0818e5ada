"""What `isolde separate` and `isolde inpaint` check after the request is built and before the
engine runs or anything is uploaded: the output folder (format against the source's rate and
channels, writable, room, no input inside it) and the input's samples (NaN and ±inf noted)."""

from __future__ import annotations

import argparse
from pathlib import Path

from isolde.audio import AudioInfo, OutputFormat
from isolde.cli.input_notes import note_nonfinite
from isolde.jobs.runner import check_request_outputs
from isolde.providers.base import Provider, Request


def check_before_work(
    provider: Provider,
    request: Request,
    media: AudioInfo,
    args: argparse.Namespace,
    fmt: OutputFormat,
) -> None:
    """Raises InputError (exit 3) with what to do; prints notes on stderr. `media` is the
    caller's probe of `request.media_path`."""
    check_request_outputs(
        provider,
        request,
        media,
        Path(args.out),
        fmt,
        keep_mono=getattr(args, "keep_mono", False),
    )
    note_nonfinite(request.media_path)
