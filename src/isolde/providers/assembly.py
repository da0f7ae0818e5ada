"""Running an engine on windows of a file and assembling full-length results, in constant memory.

Used for a selection (one window: only that range plus context is sent, and the result is placed
back at its time) and for long inputs split into crossfaded chunks. The rule for anything
assembled here: the target (or inpainted audio) is the weighted sum of the windows' outputs,
matched to the input's rate, channels and length, and the residual is input − target — so
target + residual equals the input exactly, and outside every window the target is silent and
the residual (or the inpainted file) is the original.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from isolde.audio import AudioSource, AudioWriter, OutputFormat, open_audio, transcode
from isolde.core.progress import CancelToken
from isolde.providers import pieces
from isolde.providers.base import EventFn, JobEvent, ProviderResult, Request, RequestKind
from isolde.providers.errors import SubmissionUnknownError
from isolde.providers.windows import Window, shifted_request, weights

FLOAT_WAV = OutputFormat("wav", "float")
BLOCK = 1 << 16
RunOne = Callable[[Request, Path, EventFn], ProviderResult]


def _part_events(on_event: EventFn, index: int, count: int) -> EventFn:
    """A window's events as parts of the whole: fractions scaled, messages labelled."""
    if count == 1:
        return lambda e: None if e.state == "done" else on_event(e)

    def relay(event: JobEvent) -> None:
        if event.state == "done":
            return
        fraction = None if event.fraction is None else (index + event.fraction) / count
        message = f"part {index + 1}/{count}: {event.message}" if event.message else ""
        on_event(JobEvent(event.state, message, fraction, event.queue_position, event.submission))

    return relay


class Conformed:
    """An engine output read at the input's rate, with the input's channel count."""

    def __init__(self, path: Path, rate: int, channels: int, scratch: Path) -> None:
        source = open_audio(path)
        if source.sample_rate != rate:
            converted = scratch / f"{path.stem}-{rate}.wav"
            with source:
                transcode(source, converted, OutputFormat("wav", "float", sample_rate=rate))
            source = open_audio(converted)
        self.source: AudioSource = source
        self.channels = channels

    def read(self, first: int, stop: int) -> np.ndarray:
        """Frames [first, stop) relative to the window, zero past the output's end."""
        out = np.zeros((stop - first, self.channels), dtype=np.float64)
        got = self.source.read(first, stop).astype(np.float64)
        if got.shape[1] != self.channels:
            # A mono engine output (SAM Audio's) goes to every channel; the stereo image then
            # lives on in the residual, which is input − target.
            got = np.repeat(got.mean(axis=1, keepdims=True), self.channels, axis=1)
        out[: len(got)] = got
        return out

    def close(self) -> None:
        self.source.close()


class _Assembler:
    def __init__(
        self, source: AudioSource, windows: Sequence[Window], roles: tuple[str, ...], work_dir: Path
    ) -> None:
        self.source = source
        self.windows = windows
        self.inpaint = roles == ("inpainted",)
        self.writers = [
            AudioWriter(work_dir / f"{role}.wav", source.sample_rate, source.channels, FLOAT_WAV)
            for role in roles
        ]
        self.pending: list[tuple[Window, Conformed]] = []
        self.written = 0

    def add(self, index: int, output: Conformed, cancel: CancelToken | None) -> None:
        self.pending.append((self.windows[index], output))
        later = self.windows[index + 1 :]
        # No later window contributes before its own start, so everything up to there is final.
        self._flush(later[0].start if later else self.source.frames, cancel)

    def _flush(self, limit: int, cancel: CancelToken | None) -> None:
        for first in range(self.written, limit, BLOCK):
            if cancel is not None:
                cancel.raise_if_cancelled()
            stop = min(first + BLOCK, limit)
            x = self.source.read(first, stop).astype(np.float64)
            made, weight = np.zeros_like(x), np.zeros(len(x))
            for window, output in self.pending:
                lo, hi = max(first, window.start), min(stop, window.stop)
                if hi <= lo:
                    continue
                w = weights(window, lo, hi)
                made[lo - first : hi - first] += w[:, None] * output.read(
                    lo - window.start, hi - window.start
                )
                weight[lo - first : hi - first] += w
            if self.inpaint:
                self.writers[0].write((1.0 - weight)[:, None] * x + made)
            else:
                self.writers[0].write(made)
                self.writers[1].write(x - made)
        self.written = max(self.written, limit)
        for item in [p for p in self.pending if p[0].stop <= self.written]:
            item[1].close()
            self.pending.remove(item)

    def close(self, ok: bool) -> None:
        for _, output in self.pending:
            output.close()
        for writer in self.writers:
            writer.close() if ok else writer.abort()


def conform_to_input(
    media_path: str, output: Path, work_dir: Path, *, inpaint: bool = False
) -> dict[str, Path]:
    """An engine's output for the whole input, made into full target and residual files (or
    an inpainted file) at the input's rate, channels and length; residual = input − target."""
    roles = ("inpainted",) if inpaint else ("target", "residual")
    with open_audio(media_path) as source:
        frames = source.frames
        whole = Window(0, frames, (0, 0), (frames, frames))
        assembler = _Assembler(source, [whole], roles, work_dir)
        ok = False
        try:
            assembler.add(0, Conformed(output, source.sample_rate, source.channels, work_dir), None)
            ok = True
        finally:
            assembler.close(ok)
    return {role: work_dir / f"{role}.wav" for role in roles}


def run_windows(
    run_one: RunOne,
    request: Request,
    windows: Sequence[Window],
    work_dir: Path,
    *,
    on_event: EventFn,
    cancel: CancelToken | None,
    purpose: str,
) -> ProviderResult:
    """Cut each window from the request's media, run the engine on it, assemble the outputs."""
    roles = ("inpainted",) if request.kind is RequestKind.INPAINT else ("target", "residual")
    parts: list[ProviderResult] = []
    part_dirs: list[tuple[Window, Path]] = []
    with open_audio(request.media_path) as source:
        rate = source.sample_rate
        assembler = _Assembler(source, windows, roles, work_dir)
        ok = False
        try:
            scope = pieces.current()
            keys = [f"{scope[1] if scope else ''}{i + 1}" for i in range(len(windows))]
            if scope is not None:
                scope[0].begin(keys)  # every piece written down before the first is sent
            for i, window in enumerate(windows):
                part_dir = work_dir / f"part-{i + 1}"
                part_dir.mkdir(parents=True, exist_ok=True)

                def send(
                    events: EventFn, window: Window = window, part_dir: Path = part_dir
                ) -> ProviderResult:
                    cut = part_dir / "input.wav"
                    transcode(
                        source, cut, FLOAT_WAV, start=window.start, stop=window.stop, cancel=cancel
                    )
                    return run_one(
                        shifted_request(request, window, rate, str(cut)), part_dir, events
                    )

                events = _part_events(on_event, i, len(windows))
                if scope is None:
                    result = send(events)
                else:
                    result = _piece(scope[0], keys[i], send, part_dir, events, cancel, roles[0])
                parts.append(result)
                output = Conformed(result.files[roles[0]], rate, source.channels, part_dir)
                assembler.add(i, output, cancel)
                part_dirs.append((window, part_dir))
                for done in [d for d in part_dirs if d[0].stop <= assembler.written]:
                    shutil.rmtree(done[1], ignore_errors=True)  # disk use stays bounded
                    part_dirs.remove(done)
            ok = True
        finally:
            assembler.close(ok)
    return _merged(parts, roles, work_dir, rate, windows, purpose)


def _piece(
    ledger: pieces.PieceLedger,
    key: str,
    send: Callable[[EventFn], ProviderResult],
    part_dir: Path,
    events: EventFn,
    cancel: CancelToken | None,
    role: str,
) -> ProviderResult:
    """One piece of a recorded job: kept, fetched, or sent — never sent twice."""
    known = ledger.state(key)
    if known.state == pieces.DONE and known.kept is not None:
        return known.kept  # already back and kept on disk
    if known.state == pieces.SENDING:
        raise SubmissionUnknownError(
            f"piece {key} of this job was being sent when Isolde stopped: it may exist and be "
            "billed at the provider, so it was not sent again"
        )
    if known.state == pieces.SUBMITTED and known.submission is not None:
        result = ledger.resume(key, known.submission, part_dir, events, cancel)
        return ledger.finished(key, result, role)

    def record(event: JobEvent) -> None:
        if pieces.running(key):  # not the events of this piece's own parts
            if event.state == "sending":
                ledger.sending(key)
            elif event.state == "submitted" and event.submission is not None:
                ledger.submitted(key, event.submission)
        events(event)

    with pieces.inside(key):
        result = send(record)
    return ledger.finished(key, result, role)


def _merged(
    parts: list[ProviderResult],
    roles: tuple[str, ...],
    work_dir: Path,
    rate: int,
    windows: Sequence[Window],
    purpose: str,
) -> ProviderResult:
    costs = [p.cost_usd for p in parts]
    ids = [p.provider_request_id for p in parts if p.provider_request_id]
    details: dict[str, Any] = {
        "assembled": {
            "purpose": purpose,
            "windows": [w.to_json(rate) for w in windows],
            "rule": "target = weighted sum of the parts' targets; residual = input − target",
        },
        "parts": [
            {"request_id": p.provider_request_id, "cost_usd": p.cost_usd, **dict(p.details)}
            for p in parts
        ],
    }
    return ProviderResult(
        files={role: work_dir / f"{role}.wav" for role in roles},
        sample_rate=rate,
        endpoint=parts[0].endpoint,
        provider_request_id=",".join(ids) or None,
        cost_usd=None if any(c is None for c in costs) else round(sum(costs), 4),  # type: ignore[arg-type]
        details=details,
    )
