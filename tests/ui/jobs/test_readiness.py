"""Separate and Inpaint are enabled only with something to send, with an engine-aware one-line
hint; each inpaint region has its own prompt; prompt examples follow the engine."""

from __future__ import annotations

import pytest
from job_helpers import choose_engine
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel

from isolde.providers.local import prompts
from isolde.providers.registry import get_provider
from isolde.ui.jobs.prompt_examples import examples_for
from isolde.ui.jobs.request_plan import plan_inpaint
from isolde.ui.marks.spans_table import Column

LOCAL_HINT = "Mark where the sound is absent (E) to separate"


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for env in ("FAL_KEY", "SEGMIND_API_KEY", "AUDIOLASSO_API_KEY"):
        monkeypatch.setenv(env, "test-key")


def _example_names(panel) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.objectName() for a in panel.examples.menu().actions() if a.objectName()]


def test_separate_waits_for_marks_on_the_offline_engine(job_window) -> None:  # type: ignore[no-untyped-def]
    panel, project, flow = job_window.jobs.prompt_panel, job_window.project, job_window.jobs.flow
    assert not panel.separate_button.isEnabled()
    assert panel.action_hint.text() == LOCAL_HINT
    assert panel.action_hint.isVisibleTo(panel)
    # Ctrl+Return reaches the flow anyway: one line in the status bar, no red paragraph
    assert flow.separate() == []
    assert "(empty)" not in panel.problem_text("prompt")
    assert all(panel.problem_text(g) == "" for g in ("prompt", "engine", "marks", "other"))
    assert LOCAL_HINT in job_window.statusBar().currentMessage()
    separate_action = job_window.actions_by_key["separate"]
    assert not separate_action.isEnabled()  # the menu and toolbar follow the button
    project.add_span(0.5, 1.0, include=False)
    assert panel.separate_button.isEnabled() and separate_action.isEnabled()
    assert LOCAL_HINT not in panel.action_hint.text()
    job_window.undo_action.trigger()
    assert not panel.separate_button.isEnabled()
    project.set_prompt("the speaker")  # a prompt the offline engine reads also does
    assert panel.separate_button.isEnabled()


@pytest.mark.parametrize(
    ("engine", "hint"),
    [
        ("fal", "Mark where the sound is (I) or type what to keep"),
        ("segmind", "Type what to keep to separate"),
        ("audiolasso", "Type what to keep to separate"),
    ],
)
def test_prompt_engines_ask_for_what_they_take(job_window, keys, engine: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    panel, project = job_window.jobs.prompt_panel, job_window.project
    choose_engine(job_window, engine)
    assert not panel.separate_button.isEnabled()
    assert panel.action_hint.text() == hint
    project.add_span(0.5, 1.0, include=False)  # an exclude span alone is not enough for these
    assert not panel.separate_button.isEnabled()
    project.set_prompt("the dog barking")
    assert panel.separate_button.isEnabled() and panel.action_hint.text() == ""


def test_inpaint_needs_a_region_and_an_engine_that_inpaints(job_window, keys) -> None:  # type: ignore[no-untyped-def]
    panel, project = job_window.jobs.prompt_panel, job_window.project
    assert not panel.inpaint_button.isEnabled()
    assert not job_window.actions_by_key["inpaint"].isEnabled()
    assert job_window.jobs.flow.inpaint() == []
    assert "inpaint tool (R)" in job_window.statusBar().currentMessage()
    project.add_region(1.0, 1.2)
    assert panel.inpaint_button.isEnabled() and job_window.actions_by_key["inpaint"].isEnabled()
    choose_engine(job_window, "segmind")
    assert not panel.inpaint_button.isEnabled()
    assert "does not inpaint" in panel.action_hint.text()


def test_a_region_never_borrows_the_separate_prompt(job_window, keys) -> None:  # type: ignore[no-untyped-def]
    panel, project = job_window.jobs.prompt_panel, job_window.project
    project.set_prompt("the speaker")
    region = project.add_region(1.0, 1.2)
    local = get_provider("local")
    (job,) = plan_inpaint(project.state, local).jobs
    assert job.request.prompt == "" and job.request.region.prompt == ""
    # an engine that needs the region's prompt says so beside the marks, not the Separate prompt
    choose_engine(job_window, "fal")
    assert "1 inpaint region has no prompt" in panel.action_hint.text()
    assert job_window.jobs.flow.inpaint() == []
    assert "needs a prompt" in panel.problem_text("marks")
    assert panel.problem_text("prompt") == ""
    # the region's prompt is typed in place in the marks list, one undo step
    model = job_window.spans_panel.model
    row = model.row_of(region)
    assert model.index(row, Column.PROMPT).data() == "(no prompt)"
    assert model.index(row, Column.PROMPT).flags() & Qt.ItemFlag.ItemIsEditable
    assert model.setData(
        model.index(row, Column.PROMPT), "quiet room tone", Qt.ItemDataRole.EditRole
    )
    (job,) = job_window.jobs.flow.plan("inpaint").jobs
    assert job.request.prompt == "quiet room tone"
    assert project.state.prompt == "the speaker"  # the Separate prompt is untouched
    assert panel.action_hint.text() == ""
    assert panel.problem_text("marks") == ""  # the fix clears the problem
    job_window.undo_action.trigger()
    assert project.state.regions[0].prompt == ""


def test_the_prompt_box_says_it_feeds_separate(job_window) -> None:  # type: ignore[no-untyped-def]
    panel = job_window.jobs.prompt_panel
    form = panel.findChild(QFormLayout)
    label = form.labelForField(form.itemAt(0, QFormLayout.ItemRole.FieldRole).layout())
    assert isinstance(label, QLabel) and label.text() == "Prompt for Separate"
    assert panel.prompt.accessibleName() == "Prompt for Separate"
    assert "own prompts" in panel.prompt.toolTip()


def test_offline_examples_are_only_what_it_can_do(job_window) -> None:  # type: ignore[no-untyped-def]
    panel = job_window.jobs.prompt_panel
    ex = examples_for(get_provider("local"))
    assert ex.good and not ex.weak and not ex.generate
    for prompt in ex.good:  # every example is one the offline engine follows by itself
        assert prompts.interpret(prompt, has_exclude_spans=False) is not None
    names = _example_names(panel)
    assert not any("dog" in n or "piano" in n for n in names)
    texts = [a.text() for a in panel.examples.menu().actions()]
    assert any("separates by marks" in t for t in texts)
    assert "sends nothing yet" in panel.marks_summary.text()
    assert "speech or hum" in panel.prompt.placeholderText()


def test_description_engines_get_sound_descriptions(job_window, keys) -> None:  # type: ignore[no-untyped-def]
    panel = job_window.jobs.prompt_panel
    choose_engine(job_window, "audiolasso")
    names = _example_names(panel)
    assert "example:extract the dog bark from the street recording" in names
    assert not any(n.startswith("region-example:") for n in names)  # it does not inpaint
    assert "Describe the sound" in panel.prompt.placeholderText()


def test_stable_audio_gets_generation_examples_for_the_selected_region(job_window, keys) -> None:  # type: ignore[no-untyped-def]
    panel, project = job_window.jobs.prompt_panel, job_window.project
    choose_engine(job_window, "fal")
    menu = panel.examples.menu()
    generation = [a for a in menu.actions() if a.objectName().startswith("region-example:")]
    assert generation and not any(a.isEnabled() for a in generation)  # no region yet
    region = project.add_region(1.0, 1.2)
    project.add_region(2.0, 2.2)
    job_window.edit_state.select(region)
    generation = [
        a for a in panel.examples.menu().actions() if a.objectName().startswith("region-example:")
    ]
    assert all(a.isEnabled() for a in generation)
    generation[0].trigger()
    prompt = generation[0].objectName().removeprefix("region-example:")
    assert project.state.regions[0].prompt == prompt
    assert project.state.regions[1].prompt == "" and project.state.prompt == ""
