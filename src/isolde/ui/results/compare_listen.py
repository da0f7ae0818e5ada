"""Which lanes sound while the user auditions a comparison's tries (no Qt, no audio).

Each try's take plays as its own lanes, "c1.target", "c1.residual", "c2.target", ... beside the
take lanes, all from the same position on the one stream. Choosing a try (Alt+1…Alt+4) or a part
(1–4: original, target, residual, remix) only changes gain and solo per lane, which the player
ramps (~10 ms): the switch is heard at once and without a click, and the tries stay in sync.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from isolde.audio.mixer import LaneSettings
from isolde.ui.results.listen_mix import ORIGINAL, Listening, heard_lanes, lane_gain_db, role_of

PREFIX = "c"


def try_prefix(index: int) -> str:
    """Lane prefix of the index-th try (0-based): "c1.", "c2.", ..."""
    return f"{PREFIX}{index + 1}."


def is_try_lane(name: str) -> bool:
    head, dot, _ = name.partition(".")
    return bool(dot) and head.startswith(PREFIX) and head[len(PREFIX) :].isdigit()


def try_heard(listening: Listening, index: int, lanes: Iterable[str]) -> set[str]:
    """The lanes that sound for try `index` in the current mode (the original stays itself)."""
    prefix = try_prefix(index)
    names = list(lanes)
    own = [n.removeprefix(prefix) for n in names if n.startswith(prefix)]
    present = own + ([ORIGINAL] if ORIGINAL in names else [])
    heard = heard_lanes(replace(listening, side="a"), present)
    return {h if h == ORIGINAL else prefix + h for h in heard}


def try_settings(listening: Listening, index: int, lanes: Iterable[str]) -> dict[str, LaneSettings]:
    """Settings for every lane: only the chosen try's lanes (or the original) are soloed; the
    remix gains and the user's mutes apply to each try alike."""
    names = list(lanes)
    heard = try_heard(listening, index, names)
    out = {}
    for name in names:
        role = role_of(name.partition(".")[2] if is_try_lane(name) else name)
        out[name] = LaneSettings(
            gain_db=lane_gain_db(listening, role),
            mute=role in listening.muted,
            solo=name in heard,
        )
    return out


def describe_try(listening: Listening, index: int, name: str, count: int) -> str:
    """`Hearing try 2 of 4 (fal:reranking_candidates=4): target`."""
    part = "the original" if listening.mode == ORIGINAL else listening.mode
    return f"Hearing try {index + 1} of {count} ({name}): {part}"
