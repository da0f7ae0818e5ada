"""A masked object on any frame: keyframes, tracked boxes, interpolation and the hold rules."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from isolde.core.errors import InputError
from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape, TrackBox
from isolde.video import mask_timeline
from isolde.video.mask_raster import bounding_box, rasterize
from isolde.video.mask_timeline import MaskTimeline

W, H = 320, 240


def rect(x0: float, y0: float, x1: float, y1: float) -> MaskShape:
    return MaskShape("rect", ((x0, y0), (x1, y1)))


def ellipse(x0: float, y0: float, x1: float, y1: float) -> MaskShape:
    return MaskShape("ellipse", ((x0, y0), (x1, y1)))


def obj(
    *keyframes: tuple[int, tuple[MaskShape, ...]], track: tuple[TrackBox, ...] = (), **extra: bool
) -> MaskObject:
    return MaskObject(
        "dog", keyframes=tuple(MaskKeyframe(f, s) for f, s in keyframes), track=track, **extra
    )


def drawn(*shapes: MaskShape) -> np.ndarray:
    return rasterize(shapes, W, H)


def differing(a: np.ndarray, b: np.ndarray) -> int:
    return int((a ^ b).sum())


# -- keyframes and interpolation ----------------------------------------------------------------


def test_a_keyframe_shows_its_own_shapes() -> None:
    shapes = (rect(10, 10, 50, 40), MaskShape("stroke", ((20.0, 20.0),), size=6, erase=True))
    mask = MaskTimeline(W, H).mask_at(obj((7, shapes)), 7)
    assert mask.dtype == bool and mask.shape == (H, W)
    assert np.array_equal(mask, drawn(*shapes))


@pytest.mark.parametrize("frame", [1, 3, 5, 7, 9])
def test_between_two_rects_the_mask_is_the_interpolated_rect(frame: int) -> None:
    a, b = (10, 10, 50, 40), (100, 60, 180, 120)
    t = frame / 10
    expected = tuple((1 - t) * p + t * q for p, q in zip(a, b, strict=True))
    mask = MaskTimeline(W, H).mask_at(obj((0, (rect(*a),)), (10, (rect(*b),))), frame)
    box = bounding_box(mask)
    assert box is not None
    x, y, w, h = box
    for got, want in zip((x, y, x + w, y + h), expected, strict=True):
        assert abs(got - want) <= 1
    assert mask[y : y + h, x : x + w].all()  # a solid rect, no holes or ragged edges


def test_a_moving_ellipse_is_carried_along_its_path() -> None:
    start, end = (20, 30, 80, 70), (140, 110, 200, 150)
    timeline = MaskTimeline(W, H)
    moving = obj((0, (ellipse(*start),)), (8, (ellipse(*end),)))
    for frame in range(1, 8):
        t = frame / 8
        between = ellipse(*((1 - t) * p + t * q for p, q in zip(start, end, strict=True)))
        assert differing(timeline.mask_at(moving, frame), drawn(between)) <= 2 * 60  # 1 px edge


def test_a_shape_morphs_through_shapes_in_between() -> None:
    square, disc = (rect(60, 60, 140, 140),), (ellipse(60, 60, 140, 140),)
    timeline = MaskTimeline(W, H)
    morph = obj((0, square), (10, disc))
    areas = [int(timeline.mask_at(morph, f).sum()) for f in range(11)]
    assert areas == sorted(areas, reverse=True)  # the corners melt away step by step
    assert areas[0] == 80 * 80 and abs(areas[10] - np.pi * 40 * 40) < 2 * np.pi * 40
    assert areas[0] > areas[5] > areas[10]


@settings(max_examples=40, deadline=None)
@given(
    st_.sampled_from(["rect", "ellipse"]),
    st_.sampled_from(["rect", "ellipse"]),
    st_.integers(1, 9),
    st_.integers(0, 40),
    st_.integers(0, 40),
)
def test_in_the_same_box_the_blend_lies_between_intersection_and_union(
    kind_a: str, kind_b: str, frame: int, inset_x: int, inset_y: int
) -> None:
    # Two shapes with the same bounding box: no alignment moves them, so every pixel both mark
    # stays marked and no pixel neither marks appears.
    box = ((100.0, 50.0), (220.0, 170.0))
    a = MaskShape(kind_a, box)
    inner = ((100.0, 50.0 + inset_y), (220.0, 170.0 - inset_y))
    cross = rect(100 + inset_x, 50, 220 - inset_x, 170)
    b_shapes = (MaskShape(kind_b, inner), cross)
    mask = MaskTimeline(W, H).mask_at(obj((0, (a,)), (10, b_shapes)), frame)
    first, second = drawn(a), drawn(*b_shapes)
    assert not (first & second & ~mask).any()
    assert not (mask & ~(first | second)).any()


def test_before_the_first_and_after_the_last_keyframe_the_nearest_holds() -> None:
    first, last = (rect(10, 10, 30, 30),), (rect(200, 100, 260, 160),)
    timeline = MaskTimeline(W, H)
    held = obj((20, first), (40, last))
    for frame in (0, 5, 19):
        assert np.array_equal(timeline.mask_at(held, frame), drawn(*first))
    for frame in (41, 500):
        assert np.array_equal(timeline.mask_at(held, frame), drawn(*last))
    assert not timeline.mask_at(obj(), 3).any()  # no keyframes: nothing


def test_an_empty_neighbour_holds_the_earlier_keyframe_until_the_next() -> None:
    shape = (rect(10, 10, 30, 30),)
    timeline = MaskTimeline(W, H)
    vanishing = obj((0, shape), (10, ()), (20, shape))
    for frame in range(1, 10):
        assert np.array_equal(timeline.mask_at(vanishing, frame), drawn(*shape))
    for frame in range(11, 20):  # the empty keyframe holds: the object is gone until 20
        assert not timeline.mask_at(vanishing, frame).any()
    assert np.array_equal(timeline.mask_at(vanishing, 20), drawn(*shape))
    erased = obj((0, shape), (10, (*shape, rect(0, 0, W, H))), (20, shape))  # all-add: not empty
    assert timeline.mask_at(erased, 15).any()
    rubbed = obj((0, shape), (10, (*shape, MaskShape("rect", ((0, 0), (W, H)), erase=True))))
    assert np.array_equal(timeline.mask_at(rubbed, 5), drawn(*shape))  # erased to nothing


def test_a_tiny_keyframe_grows_into_a_big_one_as_sharp_rects() -> None:
    # A 4×4 keyframe's field is measured on a fine grid, so its corners stay square when it is
    # stretched 50-fold on the way to the big one.
    a, b = (10, 10, 14, 14), (100, 40, 300, 220)
    growing = obj((0, (rect(*a),)), (10, (rect(*b),)))
    timeline = MaskTimeline(W, H)
    for frame in (2, 5, 8):
        t = frame / 10
        expected = tuple((1 - t) * p + t * q for p, q in zip(a, b, strict=True))
        mask = timeline.mask_at(growing, frame)
        box = bounding_box(mask)
        assert box is not None
        x, y, w, h = box
        for got, want in zip((x, y, x + w, y + h), expected, strict=True):
            assert abs(got - want) <= 1
        assert mask[y : y + h, x : x + w].all()


def test_big_shapes_on_a_big_frame_are_interpolated_to_the_pixel() -> None:
    # 1080p and boxes bigger than the blend grid: fields shrunk, blends scaled back up.
    width, height = 1920, 1080
    a, b = (100, 100, 500, 400), (900, 500, 1800, 1000)
    timeline = MaskTimeline(width, height)
    moving = obj((0, (ellipse(*a),)), (10, (ellipse(*b),)))
    for frame in (1, 5, 9):
        t = frame / 10
        x0, y0, x1, y1 = ((1 - t) * p + t * q for p, q in zip(a, b, strict=True))
        want = rasterize((ellipse(x0, y0, x1, y1),), width, height)
        perimeter = np.pi * ((x1 - x0) + (y1 - y0))  # an ellipse's, roughly
        assert differing(timeline.mask_at(moving, frame), want) <= perimeter / 2
    square, disc = rect(200, 100, 1700, 1000), ellipse(200, 100, 1700, 1000)
    mask = timeline.mask_at(obj((0, (square,)), (10, (disc,))), 5)
    inner = rasterize((disc,), width, height)
    outer = rasterize((square,), width, height)
    area = int(mask.sum())
    assert inner.sum() < area < outer.sum()
    assert not (inner & ~mask).any() and not (mask & ~outer).any()


def test_distance_fields_are_worked_out_once_per_keyframe(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = mask_timeline.distance_field

    def counting(bits, box, aspect):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(bits, box, aspect)

    monkeypatch.setattr(mask_timeline, "distance_field", counting)
    timeline = MaskTimeline(W, H)
    square, disc = (rect(60, 60, 140, 140),), (ellipse(60, 60, 140, 140),)
    morph = obj((0, square), (10, disc), (20, square))
    first = [timeline.mask_at(morph, f) for f in range(21)]
    assert len(calls) == 2  # one box shape everywhere: one field per keyframe value
    assert all(np.array_equal(timeline.mask_at(morph, f), m) for f, m in enumerate(first))
    assert len(calls) == 2


def test_the_cache_stays_within_its_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    limit = 4 << 20  # a few distance fields
    monkeypatch.setattr(mask_timeline, "CACHE_BYTES", limit)
    keyframes = [(10 * i, (rect(5 + i, 5, 60 + 7 * i, 50 + 3 * i),)) for i in range(12)]
    walking = obj(*keyframes)
    fresh = [MaskTimeline(W, H).mask_at(walking, f) for f in range(111)]  # nothing evicted
    gc.collect()
    tracemalloc.start()
    try:
        timeline = MaskTimeline(W, H)
        for frame in range(111):
            assert np.array_equal(timeline.mask_at(walking, frame), fresh[frame])
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held <= limit + (1 << 20)  # the cache, and little else, is kept
    assert timeline.mask_at(walking, 5).any()


# -- tracked boxes ------------------------------------------------------------------------------


def test_a_tracked_box_carries_the_anchor_shape_scaled_onto_it() -> None:
    track = (TrackBox(5, 100.0, 50.0, 80.0, 60.0, anchor=0),)
    tracked = obj((0, (rect(10, 10, 50, 40),)), (20, (rect(0, 0, 5, 5),)), track=track)
    timeline = MaskTimeline(W, H)
    assert np.array_equal(timeline.mask_at(tracked, 5), drawn(rect(100, 50, 180, 110)))
    round_one = obj((0, (ellipse(10, 10, 50, 40),)), track=track)
    assert differing(timeline.mask_at(round_one, 5), drawn(ellipse(100, 50, 180, 110))) <= 2 * 80


def test_the_box_on_the_anchor_frame_is_where_the_shape_is_taken_from() -> None:
    # The tracker started from a box larger than the shape: the shape keeps its place in it.
    track = (TrackBox(0, 0.0, 0.0, 60.0, 60.0, anchor=0), TrackBox(4, 100, 100, 120, 120, 0))
    tracked = obj((0, (rect(10, 10, 30, 30),)), track=track)
    mask = MaskTimeline(W, H).mask_at(tracked, 4)
    assert bounding_box(mask) == (120, 120, 40, 40)


def test_keyframes_win_over_boxes_and_boxes_without_their_anchor_are_ignored() -> None:
    track = (TrackBox(3, 100, 100, 50, 50, anchor=0), TrackBox(6, 100, 100, 50, 50, anchor=9))
    shape = (rect(10, 10, 30, 30),)
    timeline = MaskTimeline(W, H)
    both = obj((0, shape), (3, (rect(0, 0, 8, 8),)), track=track)
    assert np.array_equal(timeline.mask_at(both, 3), drawn(rect(0, 0, 8, 8)))
    orphan = obj((0, shape), track=track)  # frame 6's anchor (9) was deleted
    assert np.array_equal(timeline.mask_at(orphan, 6), drawn(*shape))
    empty_anchor = obj((0, ()), track=track[:1])
    assert not timeline.mask_at(empty_anchor, 3).any()


def test_a_box_partly_outside_the_frame_is_clipped() -> None:
    track = (TrackBox(2, W - 20.0, H - 10.0, 40.0, 40.0, anchor=0),)
    mask = MaskTimeline(W, H).mask_at(obj((0, (rect(0, 0, 10, 10),)), track=track), 2)
    assert bounding_box(mask) == (W - 20, H - 10, 20, 10)


def test_refine_cuts_the_shape_to_the_picture_inside_the_box() -> None:
    pytest.importorskip("isolde.video.refine")
    image = np.full((H, W, 3), 30, np.uint8)
    yy, xx = np.mgrid[0:H, 0:W]
    disc = (xx - 160) ** 2 + (yy - 120) ** 2 <= 35**2
    image[disc] = (230, 200, 40)
    track = (TrackBox(3, 115.0, 75.0, 90.0, 90.0, anchor=0),)
    box_only = obj((0, (rect(0, 0, 90, 90),)), track=track, refine=True)
    timeline = MaskTimeline(W, H)
    prior = timeline.mask_at(box_only, 3)  # no picture: no refinement
    assert np.array_equal(prior, drawn(rect(115, 75, 205, 165)))
    refined = timeline.mask_at(box_only, 3, image)
    assert differing(refined, disc) < differing(prior, disc) / 2
    assert np.array_equal(timeline.mask_at(box_only, 3, image), refined)  # cached, same answer
    with pytest.raises(InputError, match="must be 320×240 RGB"):
        timeline.mask_at(box_only, 3, image[:100])


# -- several objects, the cache, bad input ------------------------------------------------------


def test_combined_is_the_union_of_the_objects_that_are_sent() -> None:
    dog = obj((0, (rect(10, 10, 30, 30),)))
    cat = MaskObject("cat", keyframes=(MaskKeyframe(0, (rect(50, 50, 70, 70),)),))
    bird = MaskObject("bird", keyframes=(MaskKeyframe(0, (rect(90, 10, 99, 19),)),), send=False)
    timeline = MaskTimeline(W, H)
    union = timeline.combined([dog, cat, bird], 4)
    assert np.array_equal(union, drawn(rect(10, 10, 30, 30), rect(50, 50, 70, 70)))
    everything = timeline.combined([dog, cat, bird], 4, only_sent=False)
    assert everything[15, 95] and not union[15, 95]
    assert not timeline.combined([], 4).any()


def test_keyframe_rasters_are_drawn_once_and_callers_get_their_own_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = mask_timeline.rasterize

    def counting(shapes, width, height):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(shapes, width, height)

    monkeypatch.setattr(mask_timeline, "rasterize", counting)
    timeline = MaskTimeline(W, H)
    moving = obj((0, (rect(10, 10, 30, 30),)), (10, (rect(100, 100, 140, 140),)))
    masks = [timeline.mask_at(moving, f) for f in range(0, 31)]
    assert len(calls) == 2
    masks[0][:] = False  # scribbling on an answer must not change the next one
    assert np.array_equal(timeline.mask_at(moving, 0), drawn(rect(10, 10, 30, 30)))
    assert np.array_equal(timeline.keyframe_mask(moving.keyframes[1]), masks[10])
    assert len(calls) == 2


def test_bad_frames_and_sizes_are_refused() -> None:
    with pytest.raises(InputError, match="frame width"):
        MaskTimeline(0, 10)
    timeline = MaskTimeline(W, H)
    for frame in (-1, 2.5, True):
        with pytest.raises(InputError, match="whole number ≥ 0"):
            timeline.mask_at(obj(), frame)  # type: ignore[arg-type]
