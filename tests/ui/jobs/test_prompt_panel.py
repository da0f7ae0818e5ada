"""The prompt panel: undoable prompt typing, the engine choice, options from capabilities,
validation problems beside their field, the key message, estimates and the mono note."""

from __future__ import annotations

import pytest
from job_helpers import choose_engine
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from isolde.providers.options import OptionSpec
from isolde.ui.jobs.options_form import option_title


@pytest.fixture
def fal_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAL_KEY", "test-key")


def test_typing_a_prompt_is_one_undo_step_and_ctrl_z_undoes_it(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    panel, project = job_window.jobs.prompt_panel, job_window.project
    panel.prompt.setFocus()
    qtbot.keyClicks(panel.prompt, "dog bark")
    assert project.state.prompt == "dog bark"
    assert project.history.labels[0] == ["Edit prompt"]  # one step for the whole burst
    panel.prompt.editingFinished.emit()  # the burst ends (focus leaves, or a pause)
    qtbot.keyClicks(panel.prompt, "s")
    assert project.history.labels[0] == ["Edit prompt", "Edit prompt"]
    # Ctrl+Z in the field goes to the project's history, not the field's own
    qtbot.keyClick(panel.prompt, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.state.prompt == "dog bark" and panel.prompt.text() == "dog bark"
    job_window.undo_action.trigger()
    assert project.state.prompt == "" and panel.prompt.text() == ""
    job_window.redo_action.trigger()
    assert panel.prompt.text() == "dog bark"


def test_an_example_prompt_can_be_inserted(job_window) -> None:  # type: ignore[no-untyped-def]
    panel = job_window.jobs.prompt_panel
    choose_engine(job_window, "fal")
    menu = panel.examples.menu()
    prompt = "extract the dog bark from the street recording"
    good = [a for a in menu.actions() if a.objectName() == f"example:{prompt}"]
    weak = [a for a in menu.actions() if "clean this" in a.text()]
    assert weak and not weak[0].isEnabled() and "vague" in weak[0].text()
    good[0].trigger()
    assert job_window.project.state.prompt == prompt
    assert "make better" in panel.prompt.toolTip()


def test_choosing_an_engine_rebuilds_the_options_from_its_capabilities(job_window) -> None:  # type: ignore[no-untyped-def]
    panel, project = job_window.jobs.prompt_panel, job_window.project
    assert set(panel.options.editors) == {"reduction_db", "method"}
    choose_engine(job_window, "fal")
    assert project.state.provider == "fal"
    shown = set(panel.options.editors)
    # text separation at hand: SAM options and predict_spans; no span-only or inpaint options
    assert {"reranking_candidates", "acceleration", "predict_spans", "output_format"} <= shown
    assert not shown & {"trim_to_span", "variant", "num_inference_steps"}
    project.add_span(0.5, 1.0, include=True)
    shown = set(panel.options.editors)
    assert "trim_to_span" in shown and "predict_spans" not in shown
    project.add_region(1.5, 1.7, prompt="room tone")
    assert {"variant", "num_inference_steps", "seed", "guidance_scale"} <= set(
        panel.options.editors
    )
    assert panel.engine_note.isVisibleTo(panel) and "mono" in panel.engine_note.text()
    assert "48 kHz" in panel.engine_note.text()
    choose_engine(job_window, "local")
    assert set(panel.options.editors) == {"reduction_db", "method"}
    assert not panel.engine_note.isVisibleTo(panel)
    job_window.undo_action.trigger()
    assert project.state.provider == "fal" and "variant" in panel.options.editors


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("reduction_db", "Reduction (dB)"),
        ("cutoff_hz", "Cutoff (Hz)"),
        ("fade_ms", "Fade (ms)"),
        ("max_chunk_duration", "Max chunk duration"),
        ("method", "Method"),
        ("db", "Db"),  # a lone word is a name, not a unit
    ],
)
def test_option_titles_show_a_trailing_unit_in_brackets(name: str, title: str) -> None:
    assert option_title(OptionSpec(name, float, 1.0, "help")) == title


def test_the_offline_engines_reduction_option_reads_in_db(job_window) -> None:  # type: ignore[no-untyped-def]
    form = job_window.jobs.prompt_panel.options
    editor = form.editors["reduction_db"].widget
    (label,) = [w for w in form.findChildren(QLabel) if w.buddy() is editor]
    assert label.text() == "Reduction (dB)"
    assert editor.accessibleName() == "Reduction (dB)"
    reset = form.reset_buttons["reduction_db"]
    assert reset.accessibleName() == "Reset Reduction (dB) to its default"


def test_each_method_choice_says_what_it_does(job_window) -> None:  # type: ignore[no-untyped-def]
    panel, project = job_window.jobs.prompt_panel, job_window.project
    combo = panel.options.editors["method"].combo
    tips = {combo.itemText(i): combo.itemData(i, Qt.ItemDataRole.ToolTipRole)
            for i in range(combo.count())}  # fmt: skip
    assert set(tips) == {"auto", "neural", "speech", "spectral", "hum"}
    assert "DeepFilterNet3" in tips["neural"] and "RNNoise" in tips["speech"]
    assert "mains hum" in tips["hum"] and len(set(tips.values())) == 5
    tip = combo.toolTip()
    assert tip.startswith("auto: listens first") and "(default: auto)" in tip
    combo.setCurrentIndex(combo.findText("spectral"))  # the closed box follows the choice
    assert combo.toolTip().startswith("spectral: span-guided")
    assert combo.accessibleDescription().startswith("spectral: ")
    assert dict(project.state.options) == {"method": "spectral"}


def test_choice_help_goes_with_the_choices() -> None:
    spec = OptionSpec("m", str, "a", "how", choices=("a", "b"), choice_help=("first", "second"))
    assert spec.help_for("b") == "second" and spec.help_for("z") == ""
    assert spec.to_json()["choice_help"] == {"a": "first", "b": "second"}
    with pytest.raises(ValueError, match="one help line per choice"):
        OptionSpec("m", str, "a", "how", choices=("a", "b"), choice_help=("first",))


def test_engine_list_says_kinds_and_keys(job_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("isolde.providers.net.keys._keyring", lambda: None)
    monkeypatch.delenv("FAL_KEY", raising=False)
    monkeypatch.setenv("SEGMIND_API_KEY", "k")
    panel = job_window.jobs.prompt_panel
    panel.refresh_engines()
    texts = {
        panel.engine.itemData(i): panel.engine.itemText(i) for i in range(panel.engine.count())
    }
    assert "no key needed" in texts["local"] and "spans" in texts["local"]
    assert "no key (FAL_KEY)" in texts["fal"] and "visual" in texts["fal"]
    assert "key set" in texts["segmind"] and "spans" not in texts["segmind"]


def test_option_edits_store_only_values_that_differ_from_the_default(job_window) -> None:  # type: ignore[no-untyped-def]
    panel, project = job_window.jobs.prompt_panel, job_window.project
    choose_engine(job_window, "fal")
    spin = panel.options.editors["reranking_candidates"].box
    spin.setValue(3)
    assert dict(project.state.options) == {"reranking_candidates": 3}
    assert panel.options.reset_buttons["reranking_candidates"].isVisibleTo(panel)
    combo = panel.options.editors["acceleration"].combo
    combo.setCurrentIndex(combo.findText("quality"))
    assert dict(project.state.options) == {"reranking_candidates": 3, "acceleration": "quality"}
    spin.setValue(1)  # back to the default: nothing stored
    assert dict(project.state.options) == {"acceleration": "quality"}
    panel.options.reset_buttons["acceleration"].click()
    assert dict(project.state.options) == {}
    job_window.undo_action.trigger()
    assert dict(project.state.options) == {"acceleration": "quality"}
    assert combo.currentText() == "quality"  # the form follows undo


def test_a_prompt_the_offline_engine_cannot_follow_is_refused_beside_the_prompt(job_window) -> None:  # type: ignore[no-untyped-def]
    panel, project, flow = job_window.jobs.prompt_panel, job_window.project, job_window.jobs.flow
    project.set_prompt("dog bark")
    assert flow.separate() == []
    assert "cannot follow the prompt 'dog bark'" in panel.problem_text("prompt")
    assert "exclude spans" in panel.problem_text("prompt")
    assert job_window.jobs.session.records() == []  # nothing was sent
    assert "nothing sent" in job_window.statusBar().currentMessage()
    project.add_span(0.0, 0.5, include=False)  # the fix clears the problem as it is made
    assert panel.problem_text("prompt") == ""


def test_an_option_problem_is_shown_beside_that_option(job_window, fal_key) -> None:  # type: ignore[no-untyped-def]
    panel, project, flow = job_window.jobs.prompt_panel, job_window.project, job_window.jobs.flow
    choose_engine(job_window, "fal")
    project.add_span(0.5, 1.5, include=True)
    project.set_provider("fal", {"reranking_candidates": 2, "output_format": "flac"})
    panel.separate_button.click()
    assert "give a prompt" in panel.problem_text("option reranking_candidates")
    assert "wav or mp3" in panel.problem_text("option output_format")
    assert panel.problem_text("prompt") == ""
    assert flow.session.records() == []


def test_span_and_region_problems_are_shown_beside_the_marks(job_window, fal_key) -> None:  # type: ignore[no-untyped-def]
    panel, project, flow = job_window.jobs.prompt_panel, job_window.project, job_window.jobs.flow
    choose_engine(job_window, "fal")
    project.add_span(0.5, 1.5, include=False)
    project.add_span(2.0, 2.5, include=True)
    project.set_provider("fal", {"trim_to_span": True})
    panel.only_selection.setEnabled(True)
    job_window.edit_state.set_in(0.2)
    job_window.edit_state.set_out(2.8)
    panel.only_selection.setChecked(True)
    flow.separate()
    assert "select the stretch instead" in panel.problem_text("option trim_to_span")
    project.add_region(1.5, 1.7)  # fal's Stable Audio needs the region's own prompt
    assert flow.inpaint() == []
    assert "needs a prompt" in panel.problem_text("marks")
    assert "Prompt cell" in panel.problem_text("marks")
    assert panel.problem_text("prompt") == ""  # not the Separate prompt's problem


def test_a_missing_key_is_explained_with_the_variable_and_the_keyring(
    qtbot, job_window, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("isolde.providers.net.keys._keyring", lambda: None)
    monkeypatch.delenv("FAL_KEY", raising=False)
    panel, project = job_window.jobs.prompt_panel, job_window.project
    choose_engine(job_window, "fal")  # selectable without a key
    project.set_prompt("extract the dog bark from the street recording")
    panel.prompt.setFocus()
    qtbot.keyClick(panel.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    message = panel.problem_text("engine")
    assert "FAL_KEY" in message and "keyring" in message
    assert job_window.jobs.session.records() == []


def test_estimate_shows_cost_time_and_the_price_source(job_window) -> None:  # type: ignore[no-untyped-def]
    panel, project = job_window.jobs.prompt_panel, job_window.project
    assert panel.estimate.text() == ""  # nothing to send yet
    project.add_span(0.5, 1.0, include=False)
    assert "free" in panel.estimate.text()
    choose_engine(job_window, "fal")
    project.set_prompt("isolate the lead vocal")
    assert "$0.05" in panel.estimate.text() and "about" in panel.estimate.text()
    project.set_provider("fal", {"reranking_candidates": 3})  # + 2 × $0.025 per 30 s
    assert "$0.10" in panel.estimate.text()
    assert "2026-11-21" in panel.price_note.text() and "fal" in panel.price_note.text()


def test_only_the_selection_toggle_follows_in_out(job_window) -> None:  # type: ignore[no-untyped-def]
    panel, edit = job_window.jobs.prompt_panel, job_window.edit_state
    assert not panel.only_selection.isEnabled()
    edit.set_in(1.0)
    edit.set_out(2.0)
    assert panel.only_selection.isEnabled() and "1.00–2.00" in panel.only_selection.text()
    panel.only_selection.setChecked(True)
    job_window.project.add_span(1.2, 1.5, include=False)
    plan = job_window.jobs.flow.plan("separate")
    assert plan.jobs[0].request.selection.start == 1.0
    QApplication.processEvents()
