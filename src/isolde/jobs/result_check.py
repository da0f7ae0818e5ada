"""A quick look at a finished separation, here, before the user listens: is the target there?

Three questions, answered from 20 ms energy frames of the target and the source (numpy only, one
pass over each file, about a second for an hour of audio):

- is the target nearly silent overall (the engine found nothing)?
- inside the include spans, is the target nearly silent, or does the engine keep less of the
  sound there than outside them (it isolated something else)?
- inside the exclude spans, does the target keep much of the sound (a leak)?

Levels are compared as "kept": the target's level minus the source's level over the same frames,
so a quiet passage is not mistaken for an empty result. A request with a selection is judged
inside the selection only (outside it the take holds the source untouched). The answer is a
JSON-like mapping stored as `Take.checks`: `measures` (dB, None where there is nothing to
measure), `problems` (code + message worded for the user) and, when the engine said where it
heard the sound, `predicted_spans`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from isolde.core.errors import IsoldeError
from isolde.core.spans import Span, effective_spans
from isolde.providers.base import ECHOES_DETAIL

if TYPE_CHECKING:
    from isolde.providers.request import Request

FRAME_S = 0.02
BLOCK_FRAMES = 4096  # energy frames per read: ~80 s of audio at a time
QUIET_SOURCE_DB = -80.0  # a source this quiet (dBFS RMS) gives nothing to judge
SILENT_KEPT_DB = -40.0  # the target keeps less than 1% of the sound's amplitude: nearly silent
SILENT_INCLUDE_KEPT_DB = -24.0  # about 6% of the amplitude where the user says the sound is
OUTSIDE_MARGIN_DB = 6.0  # kept outside the includes by this much more than inside: suspicious
LEAK_KEPT_DB = -15.0  # kept inside the excludes (about 18% of the amplitude): a leak

CHECK_VERSION = 1


def frame_energies(path: str | Path, frame_s: float = FRAME_S) -> np.ndarray:
    """Mean square per `frame_s` frame (all channels together), float64; the last partial frame
    is dropped. Framed by time, so files at different rates line up frame for frame."""
    from isolde.audio import open_audio

    with open_audio(path) as src:
        hop = max(round(src.sample_rate * frame_s), 1)
        count = src.frames // hop
        out = np.zeros(count, dtype=np.float64)
        step = hop * BLOCK_FRAMES
        for first, block in src.blocks(step, 0, count * hop):
            n = block.shape[0] // hop
            rows = block[: n * hop].reshape(n, -1)  # one frame's samples, all channels, a row
            sums = np.einsum("ij,ij->i", rows, rows, dtype=np.float64)  # no squared copy
            out[first // hop : first // hop + n] = sums / rows.shape[1]
    return out


def _db(energy: float) -> float:
    return 10.0 * math.log10(energy) if energy > 1e-20 else -200.0


def _level(energies: np.ndarray, mask: np.ndarray) -> float | None:
    if not mask.any():
        return None
    return round(_db(float(energies[mask].mean())), 2)


def _mask(count: int, frame_s: float, ranges: Sequence[tuple[float, float]]) -> np.ndarray:
    """Frames whose centre lies inside one of `ranges` (seconds)."""
    centres = (np.arange(count) + 0.5) * frame_s
    mask = np.zeros(count, dtype=bool)
    for start, end in ranges:
        mask |= (centres >= start) & (centres < end)
    return mask


def _kept(target_db: float | None, source_db: float | None) -> float | None:
    if target_db is None or source_db is None or source_db < QUIET_SOURCE_DB:
        return None
    return round(target_db - source_db, 2)


def check_energies(
    target: np.ndarray,
    source: np.ndarray,
    spans: Sequence[Span] = (),
    selection: tuple[float, float] | None = None,
    frame_s: float = FRAME_S,
    echoes: Sequence[tuple[float, float]] = (),
) -> dict[str, Any]:
    """The checks for a target against its source, both as `frame_energies`. `echoes` (seconds)
    are the starts of exclude spans the engine found to hold the fading echo of the sound
    before them and kept with it: not counted as a leak."""
    count = min(len(target), len(source))
    target, source = target[:count], source[:count]
    judged = _mask(count, frame_s, [selection]) if selection else np.ones(count, dtype=bool)
    flat = effective_spans(list(spans))
    include = _mask(count, frame_s, [(s.start, s.end) for s in flat if s.include]) & judged
    exclude = _mask(count, frame_s, [(s.start, s.end) for s in flat if not s.include]) & judged
    exclude &= ~_mask(count, frame_s, echoes)
    outside = judged & ~include & ~exclude if include.any() else np.zeros(count, dtype=bool)
    m: dict[str, float | None] = {
        "target_db": _level(target, judged),
        "source_db": _level(source, judged),
        "include_db": _level(target, include),
        "include_source_db": _level(source, include),
        "outside_db": _level(target, outside),
        "outside_source_db": _level(source, outside),
        "exclude_db": _level(target, exclude),
        "exclude_source_db": _level(source, exclude),
    }
    kept = _kept(m["target_db"], m["source_db"])
    kept_in = _kept(m["include_db"], m["include_source_db"])
    kept_out = _kept(m["outside_db"], m["outside_source_db"])
    kept_ex = _kept(m["exclude_db"], m["exclude_source_db"])
    m |= {"kept_db": kept, "include_kept_db": kept_in, "outside_kept_db": kept_out}
    m["exclude_kept_db"] = kept_ex
    return {
        "version": CHECK_VERSION,
        "measures": m,
        "problems": _problems(kept, kept_in, kept_out, kept_ex),
    }


def _problems(
    kept: float | None, kept_in: float | None, kept_out: float | None, kept_ex: float | None
) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []

    def add(code: str, message: str) -> None:
        out.append({"code": code, "message": message})

    if kept is not None and kept < SILENT_KEPT_DB:
        where = "inside your include spans and everywhere else" if kept_in is not None else ""
        add(
            "silent",
            f"the target is nearly silent {where or 'throughout'} ({-kept:.0f} dB below the "
            "source) — try another prompt or engine",
        )
    elif kept_in is not None and kept_in < SILENT_INCLUDE_KEPT_DB:
        add(
            "silent_include",
            f"the target is nearly silent inside your include spans ({-kept_in:.0f} dB below "
            "the source there) — if only the unwanted sound is there, flip them to exclude "
            "spans; otherwise try another prompt or engine",
        )
    elif kept_in is not None and kept_out is not None and kept_out > kept_in + OUTSIDE_MARGIN_DB:
        add(
            "outside_louder",
            f"the target keeps more of the sound outside your include spans than inside them "
            f"({kept_out - kept_in:.0f} dB more) — the engine may have isolated another sound; "
            "add exclude spans or describe the sound in the prompt",
        )
    if kept_ex is not None and kept_ex > LEAK_KEPT_DB:
        add(
            "leak",
            f"the target leaks into your exclude spans (it keeps the sound there {-kept_ex:.0f} "
            "dB below the source) — tighten the spans, add a prompt or try another engine",
        )
    return out


def check_take_files(
    target: str | Path,
    source: str | Path,
    spans: Sequence[Span] = (),
    selection: tuple[float, float] | None = None,
    echoes: Sequence[tuple[float, float]] = (),
) -> dict[str, Any]:
    """`check_energies` on two audio files."""
    return check_energies(
        frame_energies(target), frame_energies(source), spans, selection, echoes=echoes
    )


def problem_messages(checks: Any) -> list[str]:
    """The user-facing messages of a take's checks (none for a take never checked)."""
    try:
        return [str(p["message"]) for p in checks.get("problems", ())]
    except (AttributeError, KeyError, TypeError):
        return []


def check_result(
    files: Mapping[str, Path],
    request: Request,
    source: str | Path,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The checks stored with a new take: a separation's target against the source, plus the
    spans the engine predicted if its answer held them. Advisory only: a check that cannot run
    (an unreadable file) says so and never costs the user the take."""
    checks: dict[str, Any] = {}
    if "target" in files:
        selection = (request.selection.start, request.selection.end) if request.selection else None
        echoes = [(float(a), float(b)) for a, b in (details or {}).get(ECHOES_DETAIL) or ()]
        try:
            checks = check_take_files(files["target"], source, request.spans, selection, echoes)
        except (IsoldeError, OSError, ValueError) as exc:
            checks = {"version": CHECK_VERSION, "problems": [], "error": str(exc)}
    predicted = (details or {}).get("predicted_spans")
    if predicted:
        checks["predicted_spans"] = [[float(a), float(b)] for a, b in predicted]
    return checks
