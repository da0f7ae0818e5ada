"""Video masks in the .isolde file (format 3): round trip, migration from 2, damaged fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from core_helpers import full_state, saved_doc
from hypothesis import given, settings
from hypothesis import strategies as st_

from isolde.core.errors import ProjectFileError
from isolde.core.masks import MaskKeyframe, MaskObject, MaskShape, TrackBox
from isolde.core.project import Project
from isolde.core.projectfile import CURRENT_VERSION, dumps_state, loads_state
from isolde.core.state import ProjectState


def masked_state(folder: Path) -> ProjectState:
    shapes = (
        MaskShape("rect", ((10.5, 20.0), (60.0, 80.25))),
        MaskShape("ellipse", ((5.0, 5.0), (30.0, 15.0))),
        MaskShape("polygon", ((0.0, 0.0), (40.0, 0.0), (20.0, 30.0))),
        MaskShape("stroke", ((1.0, 1.0), (2.0, 3.0), (8.0, 9.0)), size=6.5, erase=True),
        MaskShape("bitmap", box=(3, 4, 3, 2), rle="1 2 1 1 1"),
    )
    dog = MaskObject(
        "dog",
        id="m1",
        color="#00b4ff",
        keyframes=(MaskKeyframe(0, shapes), MaskKeyframe(40, (), origin="assist")),
        track=(TrackBox(1, 10.0, 20.0, 50.0, 60.0, anchor=0), TrackBox(2, 11.5, 21, 50, 60, 0)),
        refine=True,
        send=False,
    )
    cat = MaskObject("cat", id="m2")
    return ProjectState(**{**full_state(folder).__dict__, "masks": (dog, cat), "mask_invert": True})


def test_masks_round_trip_through_the_file(tmp_path: Path) -> None:
    state = masked_state(tmp_path)
    path, doc = saved_doc(tmp_path, state)
    assert doc["version"] == CURRENT_VERSION == 4
    assert doc["mask_invert"] is True
    saved = doc["masks"][0]
    assert saved["track"][0] == [1, 10.0, 20.0, 50.0, 60.0, 0]
    assert saved["keyframes"][1] == {"frame": 40, "shapes": [], "origin": "assist"}
    assert saved["keyframes"][0]["shapes"][4] == {
        "kind": "bitmap",
        "box": [3, 4, 3, 2],
        "rle": "1 2 1 1 1",
    }
    assert Project.load(path).state == state


def test_a_format_2_project_opens_with_no_masks_and_saves_as_3(tmp_path: Path) -> None:
    path, doc = saved_doc(tmp_path, full_state(tmp_path))
    doc["version"] = 2
    del doc["masks"], doc["mask_invert"]
    old_text = json.dumps(doc)
    path.write_text(old_text)
    project = Project.load(path)
    assert project.state.masks == () and project.state.mask_invert is False
    assert project.state == full_state(tmp_path)
    project.add_mask("dog")
    project.save()
    assert json.loads(path.read_text())["version"] == CURRENT_VERSION
    assert (tmp_path / "project.isolde.v2.bak").read_text() == old_text


def mutated(doc: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """A copy of `doc` with the field at `dotted` ("masks.0.name") set (or deleted: KeyError)."""
    doc = json.loads(json.dumps(doc))
    *parents, last = dotted.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is KeyError:
        del node[key]
    else:
        node[key] = value
    return doc


SHAPES = "masks.0.keyframes.0.shapes"


@pytest.mark.parametrize(
    ("dotted", "value", "expected"),
    [
        ("masks", KeyError, "masks is missing"),
        ("masks", {"a": 1}, "masks must be a list, got an object"),
        ("mask_invert", "yes", "mask_invert must be true or false, got text 'yes'"),
        ("masks.0", 7, r"masks\[0\] must be an object, got 7"),
        ("masks.0.name", 3, r"masks\[0\].name must be text, got 3"),
        ("masks.0.name", "", r"masks\[0\]: a masked object needs a name"),
        ("masks.0.id", "", r"masks\[0\].id must not be empty"),
        ("masks.1.id", "m1", r"masks\[1\].id 'm1' is used by an earlier entry"),
        ("masks.0.color", "blue", r"masks\[0\]: mask 'dog': colour must be '#rrggbb'"),
        ("masks.0.send", 1, r"masks\[0\].send must be true or false, got 1"),
        ("masks.0.keyframes", KeyError, r"masks\[0\].keyframes is missing"),
        ("masks.0.keyframes.0.frame", "0", r"keyframes\[0\].frame must be a whole number"),
        ("masks.0.keyframes.0.frame", -2, r"keyframes\[0\]: a mask keyframe needs a frame"),
        ("masks.0.keyframes.1.frame", 0, r"masks\[0\]: mask 'dog': two keyframes on the same"),
        ("masks.0.keyframes.1.origin", "ai", r"keyframes\[1\]: mask keyframe origin must be"),
        (f"{SHAPES}.0.kind", "blob", r"shapes\[0\]: mask shape kind must be one of"),
        (f"{SHAPES}.0.points", [[1, 2]], r"shapes\[0\]: rect mask shape: needs exactly two"),
        (f"{SHAPES}.0.points.1", [1], r"shapes\[0\].points\[1\] must be \[x, y\], got \[1\]"),
        (f"{SHAPES}.0.points.1", [1, "2"], r"points\[1\] must be \[x, y\], got \[1, \"2\"\]"),
        (f"{SHAPES}.3.size", -1, r"shapes\[3\]: stroke mask shape: brush size must be"),
        (f"{SHAPES}.3.erase", "y", r"shapes\[3\].erase must be true or false"),
        (f"{SHAPES}.4.box", [3, 4, 3], r"shapes\[4\].box must be \[x, y, w, h\] whole numbers"),
        (f"{SHAPES}.4.box", [3, 4, 3.5, 2], r"shapes\[4\].box must be"),
        (f"{SHAPES}.4.rle", "1 2 1", r"shapes\[4\]: bitmap mask shape: rle must be whole"),
        (f"{SHAPES}.4.rle", 5, r"shapes\[4\].rle must be text, got 5"),
        ("masks.0.track.0", [1, 2, 3], r"track\[0\] must be \[frame, x, y, w, h, anchor frame\]"),
        ("masks.0.track.0", [1.5, 0, 0, 4, 4, 0], r"track\[0\] must be \[frame, x, y,"),
        ("masks.0.track.1", [2, 0, 0, 0, 4, 0], r"track\[1\]: tracked box on frame 2: x, y, w, h"),
        ("masks.0.track.1.0", 1, r"masks\[0\]: mask 'dog': two tracked boxes on the same frame"),
    ],
)
def test_a_damaged_masks_field_is_a_clear_error(
    tmp_path: Path, dotted: str, value: Any, expected: str
) -> None:
    path, doc = saved_doc(tmp_path, masked_state(tmp_path))
    text = json.dumps(mutated(doc, dotted, value))
    path.write_text(text)
    with pytest.raises(ProjectFileError, match=expected) as info:
        Project.load(path)
    assert "damaged or was edited by hand" in str(info.value)
    assert path.read_text() == text  # reading never writes


# -- any mask survives the file -----------------------------------------------------------------

coords = st_.floats(-50, 2000, allow_nan=False).map(lambda v: round(v, 3))
points = st_.tuples(coords, coords)


@st_.composite
def shapes(draw: st_.DrawFn) -> MaskShape:
    kind = draw(st_.sampled_from(["rect", "ellipse", "polygon", "stroke", "bitmap"]))
    erase = draw(st_.booleans())
    if kind in ("rect", "ellipse"):
        return MaskShape(kind, (draw(points), draw(points)), erase=erase)
    if kind == "polygon":
        return MaskShape(kind, tuple(draw(st_.lists(points, min_size=3, max_size=6))), erase=erase)
    if kind == "stroke":
        path = tuple(draw(st_.lists(points, min_size=1, max_size=6)))
        return MaskShape(kind, path, size=draw(st_.floats(0.5, 80)), erase=erase)
    w, h = draw(st_.integers(0, 6)), draw(st_.integers(0, 6))
    runs = draw(st_.lists(st_.integers(0, 5), max_size=8))
    total = sum(runs)
    runs.append(w * h - total if total <= w * h else 0)
    if sum(runs) != w * h:
        runs = [w * h]
    box = (draw(st_.integers(-5, 100)), draw(st_.integers(-5, 100)), w, h)
    return MaskShape(kind, box=box, rle=" ".join(map(str, runs)), erase=erase)


@st_.composite
def mask_objects(draw: st_.DrawFn) -> MaskObject:
    key_frames = draw(st_.lists(st_.integers(0, 500), unique=True, max_size=4))
    keyframes = tuple(
        MaskKeyframe(
            f,
            tuple(draw(st_.lists(shapes(), max_size=3))),
            draw(st_.sampled_from(["drawn", "assist"])),
        )
        for f in key_frames
    )
    box_frames = draw(st_.lists(st_.integers(0, 500), unique=True, max_size=4))
    track = tuple(
        TrackBox(
            f,
            draw(coords),
            draw(coords),
            draw(st_.floats(0.5, 300)),
            draw(st_.floats(0.5, 300)),
            draw(st_.integers(0, 500)),
        )
        for f in box_frames
    )
    return MaskObject(
        draw(st_.text(min_size=1, max_size=8).filter(str.strip)),
        color=draw(st_.sampled_from(["#000000", "#AbCdEf"])),
        keyframes=keyframes,
        track=track,
        refine=draw(st_.booleans()),
        send=draw(st_.booleans()),
    )


@settings(max_examples=60, deadline=None)
@given(st_.lists(mask_objects(), max_size=3), st_.booleans())
def test_any_masks_survive_dumps_and_loads(masks: list[MaskObject], invert: bool) -> None:
    state = ProjectState(masks=tuple(masks), mask_invert=invert)
    if len({m.id for m in masks}) != len(masks):
        return
    assert loads_state(dumps_state(state, None), "/tmp/x.isolde") == state
