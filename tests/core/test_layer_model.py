"""The layers model (core/layers.py): split, merge, unsplit, mix settings, undo, the file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from core_helpers import make_media, make_take, saved_doc
from hypothesis import given, settings
from hypothesis import strategies as st_

from isolde.core import layers as lay
from isolde.core.errors import InputError, ProjectFileError
from isolde.core.project import Project
from isolde.core.projectfile import read_project_file
from isolde.core.state import ProjectState, remove_take


def base() -> ProjectState:
    return ProjectState(media=make_media())


def ids(layers: tuple[lay.Layer, ...]) -> list[str]:
    return [x.id for x in layers]


def three_layers() -> ProjectState:
    """source → voice | rest; rest → drums | other."""
    s = lay.split_layer(base(), lay.ROOT_ID, make_take("a"), names=("voice", "rest"))
    return lay.split_layer(s, "a.residual", make_take("b"), names=("drums", "other"))


def test_unsplit_project_has_the_source_as_its_only_leaf() -> None:
    s = base()
    assert lay.layer_tree(s) == ()
    assert lay.leaves(s) == (lay.root_layer(),)
    assert lay.leaf_gains(s) == ((lay.root_layer(), 1.0),)


def test_split_adds_the_take_and_two_children() -> None:
    s = lay.split_layer(base(), lay.ROOT_ID, make_take("a"))
    assert [t.id for t in s.takes] == ["a"] and s.active_take is None
    root, target, residual = lay.layer_tree(s)
    assert root.split_by == "a" and root.parts == ()
    assert (target.name, target.parent, target.parts) == (
        "dog barking",  # from the take's prompt
        lay.ROOT_ID,
        (lay.LayerPart("a", "target"),),
    )
    assert residual.name == "Without dog barking"
    assert residual.parts == (lay.LayerPart("a", "residual"),)


def test_tree_is_depth_first_and_leaves_in_tree_order() -> None:
    s = three_layers()
    assert ids(lay.layer_tree(s)) == ["source", "a.target", "a.residual", "b.target", "b.residual"]
    assert [x.name for x in lay.leaves(s)] == ["voice", "drums", "other"]
    assert lay.depth(s, "b.target") == 2


def test_split_refuses_a_split_layer_a_reused_take_and_a_take_without_residual() -> None:
    s = three_layers()
    with pytest.raises(InputError, match="already split"):
        lay.split_layer(s, "a.residual", make_take("c"))
    with pytest.raises(InputError, match="already splits"):
        lay.split_layer(s, "a.target", make_take("b"))
    inpaint = make_take("c", kind="inpaint", files={"inpainted": "/x/c.wav"})
    with pytest.raises(InputError, match="no target or residual"):
        lay.split_layer(s, "a.target", inpaint)
    with pytest.raises(InputError, match="no layer"):
        lay.split_layer(s, "nope", make_take("c"))


def test_rename_and_mix_settings() -> None:
    s = lay.rename_layer(three_layers(), "b.target", "Drums")
    s = lay.set_layer_mix(s, "b.target", gain_db=-6, solo=True, colour="#123abc")
    drums = lay.get_layer(s, "b.target")
    assert (drums.name, drums.gain_db, drums.solo, drums.colour) == ("Drums", -6.0, True, "#123abc")
    assert lay.layer_colour(s, drums) == "#123abc"
    assert lay.layer_colour(s, lay.get_layer(s, "a.target")) == lay.PALETTE[1]
    heard = {x.id: g for x, g in lay.leaf_gains(s)}
    assert heard == {"a.target": 0.0, "b.target": pytest.approx(10 ** (-6 / 20)), "b.residual": 0.0}
    s = lay.set_layer_mix(s, "b.target", mute=True)
    assert all(g == 0.0 for _, g in lay.leaf_gains(s))  # mute wins over solo
    for bad in ({"colour": "red"}, {"gain_db": float("nan")}, {"mute": 1}):
        with pytest.raises(InputError):
            lay.set_layer_mix(s, "b.target", **bad)
    with pytest.raises(InputError, match="needs a name"):
        lay.rename_layer(s, "b.target", "  ")


def test_merge_two_leaves_sums_their_parts() -> None:
    s = lay.merge_layers(three_layers(), "a.target", "b.target")
    assert [x.name for x in lay.leaves(s)] == ["voice", "other"]
    voice = lay.get_layer(s, "a.target")
    assert voice.parts == (lay.LayerPart("a", "target"), lay.LayerPart("b", "target"))
    # "rest" keeps its split with no children left: deleting it gives its audio back
    s = lay.merge_layers(s, "a.target", "b.residual")
    assert ids(lay.layer_tree(s)) == ["source", "a.target", "a.residual"]
    assert ids(lay.leaves(s)) == ["a.target"]
    back = lay.unsplit_layer(s, "a.residual")
    assert lay.get_layer(back, "a.target").parts == (lay.LayerPart("a", "target"),)
    assert ids(lay.leaves(back)) == ["a.target", "a.residual"]
    with pytest.raises(InputError, match="only leaves merge"):
        lay.merge_layers(three_layers(), "a.target", "a.residual")
    with pytest.raises(InputError, match="two different"):
        lay.merge_layers(three_layers(), "a.target", "a.target")


def test_unsplit_gives_back_audio_merged_in_and_out() -> None:
    s = three_layers()
    assert ids(lay.layer_tree(lay.unsplit_layer(s, "a.residual"))) == [
        "source",
        "a.target",
        "a.residual",
    ]
    assert lay.unsplit_layer(s, lay.ROOT_ID).layers == ()
    # drums merged out into voice: unsplitting "rest" takes them back from voice
    merged = lay.merge_layers(s, "a.target", "b.target")
    back = lay.unsplit_layer(merged, "a.residual")
    assert lay.get_layer(back, "a.target").parts == (lay.LayerPart("a", "target"),)
    assert lay.get_layer(back, "a.residual").parts == (lay.LayerPart("a", "residual"),)
    # voice merged in under rest: unsplitting rest keeps voice's audio in it
    merged = lay.merge_layers(s, "b.target", "a.target")
    back = lay.unsplit_layer(merged, "a.residual")
    assert ids(lay.leaves(back)) == ["a.residual"]
    assert set(lay.get_layer(back, "a.residual").parts) == {
        lay.LayerPart("a", "residual"),
        lay.LayerPart("a", "target"),
    }
    with pytest.raises(InputError, match="not split"):
        lay.unsplit_layer(s, "a.target")


def test_unsplit_refuses_when_its_audio_was_split_again_elsewhere() -> None:
    merged = lay.merge_layers(three_layers(), "a.target", "b.target")  # drums into voice
    split_again = lay.split_layer(merged, "a.target", make_take("c"))
    with pytest.raises(InputError, match="split again"):
        lay.unsplit_layer(split_again, "a.residual")


def test_a_take_in_the_layers_cannot_be_removed() -> None:
    with pytest.raises(InputError, match="makes up layers"):
        remove_take(three_layers(), "b")


def test_split_merge_unsplit_undo_through_the_project() -> None:
    project = Project(base())
    project.apply("Split", lambda s: lay.split_layer(s, lay.ROOT_ID, make_take("a")))
    project.apply("Split", lambda s: lay.split_layer(s, "a.residual", make_take("b")))
    after_splits = project.state
    project.apply("Merge", lambda s: lay.merge_layers(s, "a.target", "b.target"))
    project.apply("Delete split", lambda s: lay.unsplit_layer(s, lay.ROOT_ID))
    assert project.state.layers == ()
    assert project.undo()
    assert len(lay.leaves(project.state)) == 2
    assert project.undo()
    assert project.state == after_splits
    assert project.undo() and project.undo()
    assert project.state == base()
    assert project.redo() and project.redo() and project.state == after_splits


def test_layers_round_trip_through_the_project_file(tmp_path: Path) -> None:
    s = lay.set_layer_mix(three_layers(), "b.target", gain_db=-3.5, mute=True, colour="#00ff00")
    s = lay.merge_layers(s, "a.target", "b.residual")
    path, doc = saved_doc(tmp_path, s)
    assert doc["version"] == 4 and doc["layers"][0]["id"] == "source"
    assert read_project_file(path).state == s


def test_version_3_file_opens_unsplit_and_broken_layers_are_refused(tmp_path: Path) -> None:
    path, doc = saved_doc(tmp_path, three_layers())
    old = {k: v for k, v in doc.items() if k != "layers"} | {"version": 3}
    path.write_text(json.dumps(old))
    found = read_project_file(path)
    assert found.version == 3 and found.state.layers == ()
    bad = json.loads(json.dumps(doc))
    bad["layers"][3]["parts"] = [{"take": "a", "role": "target"}]  # the voice's part, twice
    path.write_text(json.dumps(bad))
    with pytest.raises(ProjectFileError, match="in two layers"):
        read_project_file(path)
    bad["layers"][3]["parts"] = [{"take": "zz", "role": "target"}]
    path.write_text(json.dumps(bad))
    with pytest.raises(ProjectFileError, match="take 'zz'"):
        read_project_file(path)


# -- the invariant, over random edits ------------------------------------------------------------

FRAMES = 64


def audio_of(parts: tuple[lay.LayerPart, ...], files: dict, source: np.ndarray) -> np.ndarray:
    return source if not parts else sum((files[p.take, p.role] for p in parts), np.zeros(FRAMES))


@settings(max_examples=150, deadline=None)
@given(st_.lists(st_.tuples(st_.sampled_from("smu"), st_.integers(0, 50), st_.integers(0, 50))))
def test_leaves_always_sum_to_the_source(steps: list[tuple[str, int, int]]) -> None:
    """Each take's target is some share of its layer's audio and residual = input − target (as
    engines' takes are); whatever is split, merged and unsplit, the leaves add up to the source."""
    rng = np.random.default_rng(len(steps))
    source = rng.standard_normal(FRAMES)
    files: dict[tuple[str, str], np.ndarray] = {}
    s, n = base(), 0
    for op, i, j in steps:
        tree = lay.layer_tree(s) or (lay.root_layer(),)
        leaf_list = lay.leaves(s)
        if op == "s":
            layer = leaf_list[i % len(leaf_list)]
            n += 1
            take = make_take(f"t{n}")
            heard = audio_of(layer.parts, files, source)
            files[take.id, "target"] = heard * rng.uniform(0, 1, FRAMES)
            files[take.id, "residual"] = heard - files[take.id, "target"]
            s = lay.split_layer(s, layer.id, take)
        elif op == "m" and len(leaf_list) >= 2:
            a, b = leaf_list[i % len(leaf_list)], leaf_list[j % len(leaf_list)]
            if a.id != b.id:
                s = lay.merge_layers(s, a.id, b.id)
        elif op == "u":
            split = [x for x in tree if not x.is_leaf]
            if split:
                try:
                    s = lay.unsplit_layer(s, split[i % len(split)].id)
                except InputError as e:
                    assert "split again" in str(e)
        lay.check_layers(s)
        total = sum((audio_of(x.parts, files, source) for x in lay.leaves(s)), np.zeros(FRAMES))
        np.testing.assert_allclose(total, source, atol=1e-9)
