"""From per-frame masks to an editable object (isolde.video.assist): fal's RLE, bitmaps, and the
choice of keyframes, checked against the editor's own interpolation (MaskTimeline)."""

from __future__ import annotations

import numpy as np
import pytest

from isolde.core.errors import Cancelled, InputError
from isolde.core.masks import MaskKeyframe, MaskObject
from isolde.core.progress import CancelToken
from isolde.video import assist
from isolde.video.mask_raster import encode_bitmap
from isolde.video.mask_timeline import MaskTimeline


def square(i: int, *, w: int = 64, h: int = 48, gone: range = range(0)) -> np.ndarray:
    mask = np.zeros((h, w), bool)
    if i not in gone:
        mask[10 + i // 3 : 22 + i // 3, 4 + i : 20 + i] = True  # moves steadily right and down
    return mask


def test_fal_rle_reads_as_documented() -> None:
    # 1-based "start length" pairs, row-major: pixels 1–3 and 6–7 of a 4×2 frame.
    mask = assist.decode_fal_rle("1 3 6 2", 4, 2)
    assert mask.tolist() == [[True, True, True, False], [False, True, True, False]]
    assert assist.encode_fal_rle(mask) == "1 3 6 2"
    assert not assist.decode_fal_rle("", 4, 2).any()
    rng = np.random.default_rng(5)
    noisy = rng.random((30, 41)) > 0.6
    assert np.array_equal(assist.decode_fal_rle(assist.encode_fal_rle(noisy), 41, 30), noisy)
    for bad in ("1 3 6", "0 2", "7 3"):
        with pytest.raises(ValueError):
            assist.decode_fal_rle(bad, 4, 2)
    with pytest.raises(InputError, match="frame 1 is unreadable"):
        list(assist.rle_masks(["1 1", "9 9"], 4, 2))


def test_local_bitmaps_match_the_shared_encoder() -> None:
    rng = np.random.default_rng(9)
    for _ in range(5):
        mask = np.zeros((40, 50), bool)
        mask[5:30, 7:44] = rng.random((25, 37)) > 0.5
        assert assist._encode_bitmap_here(mask) == encode_bitmap(mask)


def test_steady_motion_needs_two_keyframes_and_gaps_are_marked() -> None:
    moving = [assist.shrink(square(i)) for i in range(30)]
    assert assist.choose_keyframes(moving) == [0, 29]
    still = np.zeros((48, 64), bool)
    still[10:30, 10:30] = True
    blinking = [still if not 10 <= i < 20 else np.zeros_like(still) for i in range(30)]
    assert assist.choose_keyframes(blinking) == [0, 10, 20, 29]
    assert assist.choose_keyframes([]) == [] and assist.choose_keyframes([still]) == [0]


def test_the_fallback_rule_agrees_with_the_editor() -> None:
    a, b = square(0), square(24)
    b[30:40, 40:60] = True  # a second piece: the boxes differ in size too
    obj = MaskObject(
        "x",
        keyframes=(
            MaskKeyframe(0, (encode_bitmap(a),)),
            MaskKeyframe(10, (encode_bitmap(b),)),
        ),
    )
    timeline = MaskTimeline(64, 48)
    for i in range(1, 10):
        assert assist.iou(assist.predict(a, b, i / 10), timeline.mask_at(obj, i)) >= 0.9


def test_assist_object_from_plain_masks() -> None:
    gone = range(12, 16)
    masks = [square(i, gone=gone) for i in range(30)]
    obj = assist.assist_object(iter(masks), 64, 48, name="sq", color="#00b4ff")
    assert obj.name == "sq" and obj.color == "#00b4ff"
    assert obj.keyframe(12) is not None and obj.keyframe(12).empty
    timeline = MaskTimeline(64, 48)
    for i, want in enumerate(masks):
        assert assist.agreement(timeline.mask_at(obj, i), want) >= 0.9
    # Masks at another size are fitted; extra frames beyond the video are dropped.
    half = [m[::2, ::2] for m in masks]
    fitted = assist.assist_object(half, 64, 48, name="sq", frame_count=20)
    assert fitted.keyframe_frames[-1] == 19
    assert timeline.mask_at(fitted, 0).shape == (48, 64)
    with pytest.raises(InputError, match="found nothing for 'void'"):
        assist.assist_object([np.zeros((48, 64), bool)] * 3, 64, 48, name="void")
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        assist.assist_object(masks, 64, 48, name="sq", cancel=cancel)
