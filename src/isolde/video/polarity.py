"""Which colour a mask video uses for the target: one setting per provider, in one table.

A mask video is black and white. Engines disagree on which of the two marks the object that makes
the sound, so the polarity is looked up here by provider name and nowhere else:

- fal (`fal-ai/sam-audio/visual-separate`): **black = target, white = background**. fal's own
  page for the endpoint says "The mask video should be a binary mask where the target object is
  black and the background is white" and, for `mask_video_url`, "Black=target, White=background"
  (../shared/seeds/001_*.txt; ../shared/PROVIDERS.md).

The table lives in `isolde.video` (below `isolde.providers`, which may not be imported from
here); a new engine that takes masks adds one line to `PROVIDER_POLARITY`.

`invert` flips which pixels count as the target before the colours are chosen (the "invert
mask" switch: mark the background instead of the object). `to_pixels` is the only place mask
values become 0/255 pixels.
"""

from __future__ import annotations

from enum import Enum

import numpy as np

from isolde.core.errors import InputError

BLACK, WHITE = 0, 255


class MaskPolarity(Enum):
    BLACK_IS_TARGET = "black_is_target"
    WHITE_IS_TARGET = "white_is_target"

    @property
    def target_value(self) -> int:
        return BLACK if self is MaskPolarity.BLACK_IS_TARGET else WHITE

    def describe(self) -> str:
        if self is MaskPolarity.BLACK_IS_TARGET:
            return "black = target, white = background"
        return "white = target, black = background"


PROVIDER_POLARITY: dict[str, MaskPolarity] = {
    "fal": MaskPolarity.BLACK_IS_TARGET,
}
DEFAULT_PROVIDER = "fal"


def polarity_for(provider: str) -> MaskPolarity:
    """The mask polarity `provider` expects; InputError for an engine that takes no masks."""
    found = PROVIDER_POLARITY.get(provider)
    if found is None:
        known = ", ".join(sorted(PROVIDER_POLARITY))
        raise InputError(f"provider {provider!r} takes no mask video (engines that do: {known})")
    return found


def to_pixels(
    mask: np.ndarray,
    polarity: MaskPolarity,
    invert: bool = False,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """A bool mask (True = the object) as uint8 pixels, exactly 0 or 255, in `polarity`.

    With `invert`, the pixels outside the mask are the target. `out` (uint8, same shape) is
    filled and returned instead of a new array, so a renderer can reuse one buffer.
    """
    bits = np.asarray(mask)
    if bits.dtype != bool:
        raise InputError(f"a mask must be an array of true/false pixels, got {bits.dtype}")
    # The target is `mask ^ invert`; white pixels are the target (white polarity) or the rest.
    white_is_mask = invert == (polarity.target_value == BLACK)
    if out is None:
        out = np.empty(bits.shape, np.uint8)
    elif out.shape != bits.shape or out.dtype != np.uint8:
        raise InputError(f"pixel buffer must be uint8 {bits.shape}, got {out.dtype} {out.shape}")
    if white_is_mask:
        np.multiply(bits, np.uint8(WHITE), out=out, casting="unsafe")
    else:
        np.multiply(~bits, np.uint8(WHITE), out=out, casting="unsafe")
    return out
