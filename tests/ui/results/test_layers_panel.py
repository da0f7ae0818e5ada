"""The Layers panel: a three-layer project listed, drawn as lanes and heard at its gains; rename,
merge and delete-split through the panel, each one undo step; Split running the request on a
layer's audio with the offline engine; stems exported from the panel; and a screenshot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from job_helpers import stop_jobs
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QColorDialog, QDoubleSpinBox
from take_helpers import (
    play_settled,
    pull_heard,
    results_window,
    separation_take,
    stereo_wav,
)
from window_helpers import screenshot_dir

from isolde.audio.pull_backend import PullBackend
from isolde.core.layers import ROOT_ID, get_layer, leaves, split_layer
from isolde.ui.results.layers_model import AUDIO, GAIN, MUTE, NAME, SOLO
from isolde.ui.timeline.layer_lanes import layer_lane


@pytest.fixture(scope="module")
def peeled(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The scene, its first split (0–1 s excluded) and a split of that residual (3.4–4 s)."""
    folder = tmp_path_factory.mktemp("layers")
    source = stereo_wav(folder / "scene.wav")
    first = separation_take(source, folder / "first")
    second = separation_take(Path(first.files["residual"]), folder / "second", exclude=(3.4, 4.0))
    return {"source": source, "first": first, "second": second}


def three_layers(qtbot, peeled, backend: PullBackend | None = None):  # type: ignore[no-untyped-def]
    window = results_window(qtbot, peeled["source"], backend)
    project = window.project
    project.apply("Split", lambda s: split_layer(s, ROOT_ID, peeled["first"], ("Whistle", "Rest")))
    rest = next(x for x in leaves(project.state) if x.name == "Rest")
    second = peeled["second"]
    project.apply("Split", lambda s: split_layer(s, rest.id, second, ("Hum", "Hiss")))
    wait_layer_lanes(qtbot, window, 3)
    return window


def wait_layer_lanes(qtbot, window, count: int) -> None:  # type: ignore[no-untyped-def]
    view = window.layers.view
    qtbot.waitUntil(
        lambda: not view.loading and len(window.timeline.layer_lanes.specs) == count,
        timeout=10_000,
    )


def row_of(panel, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(i for i, x in enumerate(panel.model.rows) if x.name == name)


def read(path: str) -> np.ndarray:
    return sf.read(path, dtype="float32", always_2d=True)[0]


def test_three_layers_are_listed_drawn_and_heard_at_their_gains(qtbot, peeled) -> None:  # type: ignore[no-untyped-def]
    backend = PullBackend()
    window = three_layers(qtbot, peeled, backend)
    panel = window.layers.panel
    model = panel.model
    names = [model.data(model.index(r, NAME), Qt.ItemDataRole.EditRole) for r in range(5)]
    assert names == ["Source", "Whistle", "Rest", "Hum", "Hiss"]
    assert model.rowCount() == 5
    # Split layers are not heard: no mute box on them; leaves have one.
    rest, hum = row_of(panel, "Rest"), row_of(panel, "Hum")
    assert model.data(model.index(rest, MUTE), Qt.ItemDataRole.CheckStateRole) is None
    assert model.data(model.index(hum, MUTE), Qt.ItemDataRole.CheckStateRole) is not None
    assert [s.label for s in window.timeline.layer_lanes.specs] == ["Whistle", "Hum", "Hiss"]

    panel.set_gain(row_of(panel, "Whistle"), -6.0)
    panel.toggle_cell(row_of(panel, "Hiss"), MUTE)
    state = window.project.state
    by_name = {x.name: x for x in leaves(state)}
    assert by_name["Whistle"].gain_db == -6.0 and by_name["Hiss"].mute
    # Changing how a layer sounds makes the layers heard (as the remix gains do).
    assert window.layers.view.heard and panel.hear_button.isChecked()
    player = window.transport.player
    lanes = player.lanes
    assert lanes["original"].mute and not lanes["original"].solo
    assert lanes[layer_lane(by_name["Whistle"].id)].gain_db == -6.0
    assert lanes[layer_lane(by_name["Hiss"].id)].mute

    play_settled(window, backend, 1.5)
    start, got = pull_heard(window, backend)
    takes = {t.id: t for t in state.takes}
    whistle = read(takes[peeled["first"].id].files["target"])
    hum_audio = read(takes[peeled["second"].id].files["target"])
    span = slice(start, start + len(got))
    want = 10 ** (-6 / 20) * whistle[span] + hum_audio[span]  # the hiss is muted
    np.testing.assert_allclose(got, want, atol=1e-5)

    # Solo one layer: only it is heard; a key 1–4 goes back to the take lanes.
    panel.toggle_cell(hum, SOLO)
    hum_lane = layer_lane(by_name["Hum"].id)
    assert player.lanes[hum_lane].solo
    assert window.timeline.layer_lanes.heard == {hum_lane}
    window.results.listen("original")
    assert not window.layers.view.heard and not panel.hear_button.isChecked()
    assert not player.lanes["original"].mute and player.lanes[hum_lane].mute
    window.transport.stop()


def test_rename_merge_and_delete_split_are_each_one_undo_step(qtbot, peeled) -> None:  # type: ignore[no-untyped-def]
    window = three_layers(qtbot, peeled)
    panel, project = window.layers.panel, window.project
    model = panel.model
    assert model.setData(model.index(row_of(panel, "Hum"), NAME), "  Mains   hum ")
    assert "Mains hum" in [x.name for x in leaves(project.state)]
    assert project.history.undo_label == "Rename layer"
    assert [s.label for s in window.timeline.layer_lanes.specs] == ["Whistle", "Mains hum", "Hiss"]

    panel.select_ids(
        [model.rows[row_of(panel, "Mains hum")].id, model.rows[row_of(panel, "Hiss")].id]
    )
    assert panel.merge_button.isEnabled() and not panel.split_button.isEnabled()
    panel.merge_button.click()
    assert [x.name for x in leaves(project.state)] == ["Whistle", "Mains hum"]
    wait_layer_lanes(qtbot, window, 2)
    merged = next(x for x in leaves(project.state) if x.name == "Mains hum")
    assert len(merged.parts) == 2
    # The merged lane plays (and draws) the sum of its two parts: here, the first residual.
    source = window.layers.view.media.sources[merged.id]
    residual = read(peeled["first"].files["residual"])
    np.testing.assert_allclose(source.read(), residual[: source.frames], atol=1e-6)
    project.undo()
    assert [x.name for x in leaves(project.state)] == ["Whistle", "Mains hum", "Hiss"]
    wait_layer_lanes(qtbot, window, 3)

    panel.select_ids(["source"])
    assert panel.unsplit_button.isEnabled() and not panel.merge_button.isEnabled()
    rest_id = model.rows[row_of(panel, "Rest")].id
    panel.select_ids([rest_id])
    panel.unsplit_button.click()
    assert [x.name for x in leaves(project.state)] == ["Whistle", "Rest"]
    assert project.history.undo_label == "Delete split"
    wait_layer_lanes(qtbot, window, 2)
    project.undo()
    wait_layer_lanes(qtbot, window, 3)
    panel.select_ids(["source"])
    panel.unsplit_button.click()
    assert project.state.layers == () and model.rowCount() == 1
    wait_layer_lanes(qtbot, window, 0)
    assert "Split" in model.data(model.index(0, AUDIO)) and not panel.hear_button.isEnabled()
    project.undo()
    assert len(leaves(project.state)) == 3


def test_split_runs_the_request_on_the_layer_audio(qtbot, peeled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = three_layers(qtbot, peeled)
    try:
        project, panel = window.project, window.layers.panel
        project.add_span(0.0, 1.0, include=False)
        project.set_provider("local")
        hiss = next(x for x in leaves(project.state) if x.name == "Hiss")
        panel.select_ids([hiss.id])
        assert panel.split_button.isEnabled()
        sent: list = []
        panel.splitter.split_done.connect(sent.append)
        panel.split_button.click()
        (job_id,) = panel.splitter.pending
        record = window.jobs.session.get(job_id)
        assert record.request["media_path"] == peeled["second"].files["residual"]
        qtbot.waitUntil(lambda: sent == [hiss.id], timeout=60_000)
        assert "Split “Hiss” in two" in window.statusBar().currentMessage()
        assert window.layers.dock.isVisible()  # raised to show the new layers
        state = project.state
        assert not get_layer(state, hiss.id).is_leaf
        assert len(leaves(state)) == 4
        wait_layer_lanes(qtbot, window, 4)
        # The four leaves still add up to the source.
        takes = {t.id: t for t in state.takes}
        total = sum(read(takes[p.take].files[p.role]) for x in leaves(state) for p in x.parts)
        source = read(str(peeled["source"]))
        np.testing.assert_allclose(total[: len(source)], source, atol=1e-6)
        project.undo()
        assert len(leaves(project.state)) == 3
    finally:
        stop_jobs(window)


def test_export_stems_from_the_panel(qtbot, peeled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = three_layers(qtbot, peeled)
    panel = window.layers.panel
    finished: list = []
    panel.stems.finished.connect(finished.append)
    panel.export_stems(tmp_path / "stems")
    assert not panel.export_button.isEnabled()
    qtbot.waitUntil(lambda: bool(finished), timeout=30_000)
    assert finished[0] is not None, window.statusBar().currentMessage()
    manifest = json.loads((tmp_path / "stems" / "stems.json").read_text())
    assert [s["name"] for s in manifest["stems"]] == ["Whistle", "Hum", "Hiss"]
    frames = sf.info(str(peeled["source"])).frames
    for stem in manifest["stems"]:
        assert sf.info(str(tmp_path / "stems" / stem["file"])).frames == frames
    assert "Exported 3 stems" in window.statusBar().currentMessage()
    assert panel.export_button.isEnabled()


def test_screenshot_of_a_three_layer_project(qtbot, peeled) -> None:  # type: ignore[no-untyped-def]
    window = three_layers(qtbot, peeled)
    window.resize(1280, 800)
    window.layers.dock.raise_()
    panel = window.layers.panel
    panel.set_gain(row_of(panel, "Whistle"), -3.0)
    panel.toggle_cell(row_of(panel, "Hiss"), MUTE)
    window.resizeDocks([window.layers.dock], [230], Qt.Orientation.Vertical)
    panel.select_ids([panel.model.rows[row_of(panel, "Hum")].id])
    qtbot.waitUntil(lambda: window.timeline.layer_lanes.complete, timeout=10_000)
    qtbot.wait(200)
    path = screenshot_dir() / "layers-three-layer-project.png"
    assert window.grab().save(str(path))
    assert panel.model.data(panel.model.index(row_of(panel, "Whistle"), GAIN)) == "-3.0"
    assert window.statusBar().currentMessage() == "Hearing the layers: Whistle + Hum"


def test_gain_editor_and_colour_dialog(qtbot, peeled, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = three_layers(qtbot, peeled)
    panel, project = window.layers.panel, window.project
    table, model = panel.table, panel.model
    hum = row_of(panel, "Hum")
    # The gain cell edits in a dB spin box bounded to −60…+24 dB.
    table.setFocus()
    table.setCurrentIndex(model.index(hum, GAIN))
    table.edit(model.index(hum, GAIN))
    box = table.findChild(QDoubleSpinBox)
    assert box is not None and (box.minimum(), box.maximum()) == (-60.0, 24.0)
    box.setValue(-12.5)
    QTest.keyClick(box, Qt.Key.Key_Return)  # the view commits it on its next turn
    qtbot.waitUntil(lambda: leaves(project.state)[1].gain_db == -12.5, timeout=2_000)
    assert project.history.undo_label == "Layer gain"
    assert "Hum -12.5 dB" in [s.label for s in window.timeline.layer_lanes.specs]
    # The colour comes from a colour dialog; the lane takes it.
    monkeypatch.setattr(QColorDialog, "getColor", lambda *_a, **_k: QColor("#123456"))
    panel.select_ids([model.rows[hum].id])
    panel.colour_button.click()
    assert next(x for x in leaves(project.state) if x.name == "Hum").colour == "#123456"
    spec = next(s for s in window.timeline.layer_lanes.specs if s.label.startswith("Hum"))
    assert spec.colour.name() == "#123456"
    project.undo()
    assert next(x for x in leaves(project.state) if x.name == "Hum").colour == ""


def test_first_split_of_the_source_from_the_panel(qtbot, peeled) -> None:  # type: ignore[no-untyped-def]
    window = results_window(qtbot, peeled["source"])
    try:
        project, panel = window.project, window.layers.panel
        assert [x.name for x in panel.model.rows] == ["Source"]
        project.add_span(0.0, 1.0, include=False)
        project.set_provider("local")
        panel.select_ids([ROOT_ID])
        assert panel.split_button.isEnabled() and not panel.hear_button.isEnabled()
        done: list = []
        panel.splitter.split_done.connect(done.append)
        panel.split_button.click()
        (job_id,) = panel.splitter.pending
        assert window.jobs.session.get(job_id).request["media_path"] == str(peeled["source"])
        qtbot.waitUntil(lambda: done == [ROOT_ID], timeout=60_000)
        state = project.state
        assert [x.name for x in panel.model.rows] == ["Source", "Target", "Rest"]
        wait_layer_lanes(qtbot, window, 2)
        assert panel.hear_button.isEnabled()
        parts = [p for x in leaves(state) for p in x.parts]
        takes = {t.id: t for t in state.takes}
        total = sum(read(takes[p.take].files[p.role]) for p in parts)
        source = read(str(peeled["source"]))
        np.testing.assert_allclose(total[: len(source)], source, atol=1e-6)
    finally:
        stop_jobs(window)
