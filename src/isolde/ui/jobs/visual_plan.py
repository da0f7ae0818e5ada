"""Separating by picture from the editor: which mask objects a request sends, and what its mask
video is rendered from.

Pure Python (no Qt): the plan names the objects (`MaskVideoSpec`); the submit flow gives each
job a mask file in its own take folder and records the spec beside it, and the job renders the
video on its worker before sending (`jobs.preparation`), so the recorded request stays valid
for a resume after a restart, or a retry.
"""

from __future__ import annotations

from isolde.core.masks import MaskObject
from isolde.core.state import ProjectState
from isolde.jobs.preparation import MaskVideoSpec
from isolde.providers.base import Provider, RequestKind


def chosen_masks(state: ProjectState) -> tuple[MaskObject, ...]:
    """The objects chosen for a request: "send" ticked and at least one keyframe painted."""
    return tuple(m for m in state.masks if m.send and m.keyframes)


def takes_pictures(state: ProjectState, provider: Provider) -> bool:
    """True when Separate sends the picture: a chosen mask, a video, an engine that takes it."""
    media = state.media
    return (
        media is not None
        and media.has_video
        and bool(chosen_masks(state))
        and RequestKind.VISUAL in provider.capabilities.kinds
    )


def mask_hint(state: ProjectState, provider: Provider) -> str:
    """One line about the chosen mask: what is sent, or why it is not."""
    chosen = chosen_masks(state)
    if not chosen or state.media is None or not state.media.has_video:
        return ""
    names = ", ".join(f"'{m.name}'" for m in chosen)
    if RequestKind.VISUAL not in provider.capabilities.kinds:
        return (
            f"{provider.title} cannot separate by picture: the mask ({names}) is not sent — "
            "choose fal to send it"
        )
    inverted = " (inverted)" if state.mask_invert else ""
    return f"Separate sends the video and the mask of {names}{inverted}"


def mask_spec(state: ProjectState, provider: Provider) -> MaskVideoSpec | None:
    """What the mask video of a visual Separate is rendered from; None when none is sent."""
    if not takes_pictures(state, provider):
        return None
    assert state.media is not None
    return MaskVideoSpec(state.media.path, chosen_masks(state), state.mask_invert, provider.name)
