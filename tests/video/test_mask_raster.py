"""Mask shapes to pixels: each shape, erasers in order, clipping, and the bitmap code."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st_
from hypothesis.extra import numpy as hnp

from isolde.core.errors import InputError
from isolde.core.masks import MaskShape
from isolde.video.mask_raster import bounding_box, decode_bitmap, encode_bitmap, rasterize

W, H = 64, 48


def rect(x0: float, y0: float, x1: float, y1: float, erase: bool = False) -> MaskShape:
    return MaskShape("rect", ((x0, y0), (x1, y1)), erase=erase)


def centres(width: int = W, height: int = H) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:height, 0:width]
    return xs + 0.5, ys + 0.5


# -- shapes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "corners",
    [((10, 10), (50, 40)), ((50, 40), (10, 10)), ((10, 40), (50, 10)), ((50, 10), (10, 40))],
)
def test_rect_covers_the_pixels_between_its_corners_in_any_order(corners) -> None:  # type: ignore[no-untyped-def]
    mask = rasterize([MaskShape("rect", corners)], W, H)
    expected = np.zeros((H, W), bool)
    expected[10:40, 10:50] = True
    assert mask.dtype == bool and mask.shape == (H, W)
    assert np.array_equal(mask, expected)


def test_rect_with_fractional_corners_takes_pixels_whose_centre_is_inside() -> None:
    mask = rasterize([rect(2.4, 3.6, 5.5, 6.51)], W, H)
    assert bounding_box(mask) == (2, 4, 3, 3)  # columns 2..4 (centre 5.5 is not < 5.5), rows 4..6
    assert not rasterize([rect(3.6, 3.6, 4.4, 4.4)], W, H).any()  # misses every centre


def test_shapes_are_clipped_to_the_frame() -> None:
    assert np.array_equal(rasterize([rect(-100, -100, 1e9, 1e9)], W, H), np.ones((H, W), bool))
    assert not rasterize([rect(-30, -30, -1, -1), rect(W + 1, 0, W + 9, H)], W, H).any()
    edge = rasterize([MaskShape("ellipse", ((W - 10, -10), (W + 10, 10)))], W, H)
    assert bounding_box(edge) == (W - 10, 0, 10, 10)
    stroke = rasterize([MaskShape("stroke", ((-5.0, 5.0), (W + 5.0, 5.0)), size=4)], W, H)
    assert bounding_box(stroke) == (0, 3, W, 4)
    far = MaskShape("polygon", ((-1e12, -1e12), (1e12, -1e12), (0, 1e12)))
    assert rasterize([far], W, H).all()


def test_ellipse_fills_its_box_by_the_centre_rule() -> None:
    mask = rasterize([MaskShape("ellipse", ((10, 8), (50, 38)))], W, H)
    x, y = centres()
    expected = ((x - 30) / 20) ** 2 + ((y - 23) / 15) ** 2 <= 1
    assert np.array_equal(mask, expected)
    assert bounding_box(mask) == (10, 8, 40, 30)
    assert abs(mask.sum() - math.pi * 20 * 15) < 2 * math.pi * 20  # within a pixel of the edge
    inner = mask[8:38, 10:50]
    assert np.array_equal(inner, inner[::-1]) and np.array_equal(inner, inner[:, ::-1])
    assert not rasterize([MaskShape("ellipse", ((10, 8), (10, 38)))], W, H).any()  # no area


def test_polygon_square_equals_the_rect_and_a_triangle_has_its_area() -> None:
    square = MaskShape("polygon", ((10, 10), (50, 10), (50, 40), (10, 40)))
    assert np.array_equal(rasterize([square], W, H), rasterize([rect(10, 10, 50, 40)], W, H))
    triangle = rasterize([MaskShape("polygon", ((0, 0), (40, 0), (0, 40)))], W, H)
    assert triangle.sum() == 39 * 40 // 2  # rows 0..38 hold 39, 38, ... 1 pixels
    x, y = centres()
    assert np.array_equal(triangle, (x + y < 40))


def test_polygon_uses_the_even_odd_rule() -> None:
    # A pentagram: its centre pentagon is crossed twice, so even-odd leaves it empty.
    star = [
        (32 + 22 * math.sin(a), 24 - 22 * math.cos(a))
        for a in (i * 4 * math.pi / 5 for i in range(5))
    ]
    mask = rasterize([MaskShape("polygon", tuple(star))], W, H)
    assert not mask[24, 32]  # the hole
    assert mask[5, 32]  # a point of the star
    bowtie = rasterize([MaskShape("polygon", ((0, 0), (20, 20), (20, 0), (0, 20)))], W, H)
    assert bowtie[10, 2] and bowtie[10, 17] and not bowtie[2, 10] and not bowtie[17, 10]


@settings(max_examples=60, deadline=None)
@given(
    st_.lists(st_.tuples(st_.integers(-10, 74), st_.integers(-10, 58)), min_size=3, max_size=8),
    st_.integers(0, 7),
    st_.booleans(),
)
@example(vertices=[(0, 0), (-3, 0), (74, 33)], shift=0, backwards=True)  # rounding, found once
def test_polygon_does_not_depend_on_where_its_outline_starts_or_its_direction(
    vertices: list[tuple[int, int]], shift: int, backwards: bool
) -> None:
    shift %= len(vertices)
    other = vertices[shift:] + vertices[:shift]
    if backwards:
        other = other[::-1]
    a = rasterize([MaskShape("polygon", tuple(vertices))], W, H)
    b = rasterize([MaskShape("polygon", tuple(other))], W, H)
    assert np.array_equal(a, b)


def test_a_brush_dot_is_a_disc_of_the_brush_size() -> None:
    mask = rasterize([MaskShape("stroke", ((30.0, 20.0),), size=16)], W, H)
    x, y = centres()
    assert np.array_equal(mask, (x - 30) ** 2 + (y - 20) ** 2 <= 64)
    assert bounding_box(mask) == (22, 12, 16, 16)
    one = rasterize([MaskShape("stroke", ((10.5, 10.5),), size=1)], W, H)
    assert bounding_box(one) == (10, 10, 1, 1) and one.sum() == 1


def test_a_brush_path_has_round_ends_and_joins() -> None:
    path = ((10.0, 10.0), (40.0, 10.0), (40.0, 35.0))
    mask = rasterize([MaskShape("stroke", path, size=8)], W, H)
    x, y = centres()

    def within(px: float, py: float, qx: float, qy: float) -> np.ndarray:
        dx, dy = qx - px, qy - py
        t = np.clip(((x - px) * dx + (y - py) * dy) / (dx * dx + dy * dy), 0, 1)
        return (x - px - t * dx) ** 2 + (y - py - t * dy) ** 2 <= 16

    assert np.array_equal(mask, within(*path[0], *path[1]) | within(*path[1], *path[2]))
    assert bounding_box(mask) == (6, 6, 38, 33)  # 4 px past each end: round caps
    assert mask[7, 7] and not mask[6, 6]  # the cap is round, not square


def test_erasers_remove_only_what_came_before_them() -> None:
    base = rect(10, 10, 50, 40)
    rubber = MaskShape("stroke", ((0.0, 25.0), (64.0, 25.0)), size=6, erase=True)
    cut = rasterize([base, rubber], W, H)
    assert cut[12, 20] and not cut[25, 20] and cut.sum() < rasterize([base], W, H).sum()
    # A rubber first erases nothing; a shape after the rubber paints over it again.
    assert np.array_equal(rasterize([rubber, base], W, H), rasterize([base], W, H))
    again = rasterize([base, rubber, rect(15, 20, 20, 30)], W, H)
    assert again[25, 17] and not again[25, 30]
    for kind, points in (("ellipse", ((0, 0), (64, 48))), ("polygon", ((0, 0), (64, 0), (0, 48)))):
        assert not rasterize([base, MaskShape(kind, points, erase=True)], W, H)[20, 20]


def test_a_bitmap_shape_adds_and_erases_its_on_pixels() -> None:
    blob = np.zeros((H, W), bool)
    blob[5:9, 3:7] = True
    blob[6, 4] = False
    shape = encode_bitmap(blob)
    assert np.array_equal(rasterize([shape], W, H), blob)
    rubber = MaskShape("bitmap", box=shape.box, rle=shape.rle, erase=True)
    full = rasterize([rect(0, 0, W, H), rubber], W, H)
    assert np.array_equal(full, ~blob)


def test_bad_frames_and_non_bitmaps_are_refused() -> None:
    with pytest.raises(InputError, match="frame width of at least 1 pixel"):
        rasterize([], 0, 10)
    with pytest.raises(InputError, match="frame height"):
        rasterize([], 10, True)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="not a bitmap"):
        decode_bitmap(rect(0, 0, 1, 1), W, H)
    with pytest.raises(InputError, match="2-D"):
        encode_bitmap(np.zeros((2, 2, 3), bool))


# -- bitmap run lengths -------------------------------------------------------------------------


def test_run_lengths_start_with_off_in_a_tight_box() -> None:
    mask = np.zeros((5, 7), bool)
    mask[1, 2:4] = True
    mask[2, 3] = True
    shape = encode_bitmap(mask)
    assert shape.kind == "bitmap" and shape.box == (2, 1, 2, 2)
    assert shape.rle == "0 2 1 1"  # first pixel on: an empty off run first
    mask[1, 2] = False
    assert encode_bitmap(mask).box == (3, 1, 1, 2) and encode_bitmap(mask).rle == "0 2"


@pytest.mark.parametrize(("width", "height"), [(1, 1), (7, 3), (33, 17), (160, 90)])
def test_empty_and_full_masks_round_trip(width: int, height: int) -> None:
    empty = encode_bitmap(np.zeros((height, width), bool))
    assert empty.box == (0, 0, 0, 0) and empty.rle == ""
    assert not decode_bitmap(empty, width, height).any()
    full = encode_bitmap(np.ones((height, width), bool))
    assert full.box == (0, 0, width, height) and full.rle == f"0 {width * height}"
    assert decode_bitmap(full, width, height).all()


def test_a_bitmap_partly_outside_a_smaller_frame_is_clipped() -> None:
    mask = np.zeros((40, 40), bool)
    mask[20:40, 20:40] = True
    shape = encode_bitmap(mask)
    small = decode_bitmap(shape, 30, 25)
    assert small.shape == (25, 30) and bounding_box(small) == (20, 20, 10, 5)
    moved = MaskShape("bitmap", box=(-10, -10, 20, 20), rle=shape.rle)
    assert bounding_box(decode_bitmap(moved, 30, 25)) == (0, 0, 10, 10)


masks = st_.tuples(st_.integers(1, 41), st_.integers(1, 23)).flatmap(
    lambda size: hnp.arrays(bool, (size[1], size[0]))
)


@settings(max_examples=200, deadline=None)
@given(masks)
def test_any_mask_survives_encode_and_decode_exactly(mask: np.ndarray) -> None:
    height, width = mask.shape
    shape = encode_bitmap(mask)
    assert np.array_equal(decode_bitmap(shape, width, height), mask)
    assert np.array_equal(rasterize([shape], width, height), mask)
    again = MaskShape.from_json(shape.to_json())  # through the project file's form
    assert again == shape
    if mask.any():
        runs = [int(r) for r in shape.rle.split()]
        assert sum(runs) == shape.box[2] * shape.box[3]  # type: ignore[index]
        assert all(r > 0 for r in runs[1:])  # only the first run may be empty
