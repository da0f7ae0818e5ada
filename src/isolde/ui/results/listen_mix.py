"""What the user is listening to, turned into gain, mute and solo for each playback lane.

Pure Python (no Qt, no audio): the results controller keeps one `Listening` value and hands the
player the settings computed here. Switching what is heard only changes these settings, so the
player's ramps make every switch click-free and no stream is restarted.

Lanes are named by role: "original", "target", "residual", "inpainted" for the active take (A)
and the same with a "b." prefix for the take it is compared with (B). The "original" lane is the
main lane: once edits are applied it plays the recording as edited, and is called "Edited".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from isolde.audio.mixer import LaneSettings

ORIGINAL, TARGET, RESIDUAL, REMIX = "original", "target", "residual", "remix"
MODES = (ORIGINAL, TARGET, RESIDUAL, REMIX)
INPAINTED = "inpainted"
B_PREFIX = "b."
SILENT_DB = float("-inf")


def role_of(lane: str) -> str:
    return lane.removeprefix(B_PREFIX)


@dataclass(frozen=True)
class Listening:
    mode: str = ORIGINAL
    side: str = "a"  # "a": the active take; "b": the take it is compared with
    target_gain_db: float = 0.0
    residual_gain_db: float | None = None  # None: silent (the remix default isolates)
    muted: frozenset[str] = field(default_factory=frozenset)  # roles the user muted
    last_result: str = TARGET  # what B goes back to from the original

    def with_mode(self, mode: str) -> Listening:
        if mode not in MODES:
            raise ValueError(f"unknown listening mode {mode!r}")
        last = mode if mode != ORIGINAL else self.last_result
        return replace(self, mode=mode, last_result=last)

    def toggled(self, can_compare: bool) -> Listening:
        """B: take A ↔ take B when comparing (same mode), else original ↔ the last result."""
        if can_compare:
            mode = self.last_result if self.mode == ORIGINAL else self.mode
            return replace(self.with_mode(mode), side="b" if self.side == "a" else "a")
        if self.mode == ORIGINAL:
            return self.with_mode(self.last_result)
        return self.with_mode(ORIGINAL)

    def with_mute(self, role: str, muted: bool) -> Listening:
        roles = set(self.muted)
        roles.discard(role)
        if muted:
            roles.add(role)
        return replace(self, muted=frozenset(roles))


def heard_lanes(listening: Listening, lanes: Iterable[str]) -> set[str]:
    """The lanes the current mode solos. Falls back to take A when B is not loaded, and to the
    original when no take is: the user always hears something."""
    present = set(lanes)
    if listening.mode == ORIGINAL:
        return {ORIGINAL} & present
    for prefix in (B_PREFIX, "") if listening.side == "b" else ("",):
        if prefix + INPAINTED in present:
            return {prefix + INPAINTED}  # an inpaint take has one result whatever the mode
        wanted = {
            TARGET: {TARGET},
            RESIDUAL: {RESIDUAL},
            REMIX: {TARGET, RESIDUAL},
        }[listening.mode]
        found = {prefix + role for role in wanted} & present
        if found:
            return found
    return {ORIGINAL} & present


def lane_gain_db(listening: Listening, lane: str) -> float:
    """Stems play at unity when heard alone, at the remix gains in the remix."""
    role = role_of(lane)
    if listening.mode != REMIX:
        return 0.0
    if role == TARGET:
        return listening.target_gain_db
    if role == RESIDUAL:
        gain = listening.residual_gain_db
        return SILENT_DB if gain is None else gain
    return 0.0


def lane_settings(listening: Listening, lanes: Iterable[str]) -> dict[str, LaneSettings]:
    names = list(lanes)
    heard = heard_lanes(listening, names)
    return {
        name: LaneSettings(
            gain_db=lane_gain_db(listening, name),
            mute=role_of(name) in listening.muted,
            solo=name in heard,
        )
        for name in names
    }


def main_lane_label(edited: bool) -> str:
    """What the main lane is called: the document as edited, or the recording as it is."""
    return "Edited" if edited else "Original"


def describe(listening: Listening, lanes: Iterable[str], *, edited: bool = False) -> str:
    """A short status line: what is heard now (`edited`: edits are applied to the main lane)."""
    names = list(lanes)
    heard = [name for name in names if name in heard_lanes(listening, names)]
    if not heard:
        return "Nothing to hear"
    if heard == [ORIGINAL]:
        return "Hearing the edited recording" if edited else "Hearing the original"
    side = "take B" if any(h.startswith(B_PREFIX) for h in heard) else "take A"
    roles = " + ".join(role_of(h) for h in heard)
    return f"Hearing {side}: {roles}"
