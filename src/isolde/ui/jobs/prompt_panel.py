"""The prompt panel: what to send (prompt, engine, options) and the Separate / Inpaint buttons.

Everything shown comes from the project and goes back to it as undoable edits; problems found
before sending appear under the field they concern, and the expected cost and time sit beside
the buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.providers.registry import provider_names
from isolde.ui.common.edit_state import EditState
from isolde.ui.common.problem_slots import ProblemSlots, note_label
from isolde.ui.jobs.engine_choice import EngineCombo, engine_label, engine_notes, option_sections
from isolde.ui.jobs.options_form import OptionsForm
from isolde.ui.jobs.prompt_examples import examples_menu, examples_tooltip
from isolde.ui.jobs.readiness import (
    follows_descriptions,
    inpaint_hint,
    region_prompts_line,
    separate_hint,
)
from isolde.ui.jobs.request_plan import (
    INPAINT,
    SEPARATE,
    inpaint_text,
    marks_summary,
    separate_text,
)
from isolde.ui.jobs.submit_flow import SubmitFlow

TYPING_PAUSE_MS = 1500  # a pause this long ends one undo step of prompt typing
PROMPT_LABEL = "Prompt for Separate"
DESCRIBE_PLACEHOLDER = "Describe the sound to keep, e.g. isolate the lead vocal"
MARKS_PLACEHOLDER = "Optional: speech or hum"  # the engine works by marks
REGION_PROMPTS_TIP = (
    "Inpaint regions have their own prompts: type them in the Prompt column of the Marks list "
    "(or in the region's exact-times dialog)"
)
UNDO_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)


class PromptPanel(QWidget):
    # (Separate can be sent, Inpaint can be sent): for the window's actions of the same name
    sendable_changed = Signal(bool, bool)
    compare_requested = Signal()  # Compare…: the window opens the Compare dialog

    def __init__(
        self, flow: SubmitFlow, edit_state: EditState, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Prompt and engine")
        self.flow = flow
        self.edit_state = edit_state
        self.project: Project | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        box = self._unsubscribe
        self.destroyed.connect(lambda *_: [f() for f in box])

        self.prompt = QLineEdit()
        self.prompt.setAccessibleName(PROMPT_LABEL)
        self.prompt.setClearButtonEnabled(True)
        self.prompt.installEventFilter(self)
        self.examples = QToolButton()
        self.examples.setText("Examples")
        self.examples.setAccessibleName("Prompt examples")
        self.examples.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._examples_for: tuple[str, bool] | None = None  # (engine, region selected) shown
        self.engine = EngineCombo()
        self.engine.setAccessibleName("Engine")
        self.engine_note = note_label()
        self.marks_summary = QLabel()
        self.marks_summary.setWordWrap(True)
        self.only_selection = QCheckBox("Only the in/out range")
        self.only_selection.setAccessibleName("Only the in/out range")
        self.options = OptionsForm()
        self.separate_button = QPushButton("Separate")
        self.separate_button.setAccessibleName("Separate")
        self.separate_button.setToolTip("Send the marks and prompt to the engine (Ctrl+Return)")
        self.inpaint_button = QPushButton("Inpaint")
        self.inpaint_button.setAccessibleName("Inpaint")
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setToolTip("The same marks and prompt on several engines at once")
        self.compare_button.clicked.connect(self.compare_requested)
        self.estimate = QLabel()
        self.estimate.setAccessibleName("Estimate")
        self.estimate.setWordWrap(True)
        self.price_note = note_label()
        # Why a button is disabled (or what it will not do), one line each, under the buttons.
        self.action_hint = note_label()
        self.action_hint.setAccessibleName("Separate and Inpaint hint")
        self.problems = ProblemSlots()
        self._typing_pause = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._layout()

        self._typing_pause.timeout.connect(self._end_typing)
        self.prompt.textEdited.connect(self._prompt_edited)
        self.prompt.editingFinished.connect(self._end_typing)
        self.engine.activated.connect(self._engine_chosen)
        self.only_selection.toggled.connect(self._selection_toggled)
        self.options.edited.connect(self._option_edited)
        self.separate_button.clicked.connect(lambda: self.flow.separate())
        self.inpaint_button.clicked.connect(lambda: self.flow.inpaint())
        flow.problems_changed.connect(self.show_problems)
        flow.attempted.connect(self.refresh_engines)
        self.engine.opening.connect(self.refresh_engines)
        edit_state.in_out_changed.connect(self._refresh_plan)
        edit_state.selection_changed.connect(lambda _id: self._refresh_plan())
        edit_state.selection_changed.connect(lambda _id: self._show_examples())
        self.refresh_engines()
        self._refresh()

    def _layout(self) -> None:
        labels = self.problems.labels
        prompt_row = QHBoxLayout()
        prompt_row.addWidget(self.prompt, 1)
        prompt_row.addWidget(self.examples)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(PROMPT_LABEL, prompt_row)
        form.addRow(labels["prompt"])
        form.addRow("Engine", self.engine)
        for widget in (
            self.engine_note,
            labels["engine"],
            self.marks_summary,
            labels["marks"],
            self.only_selection,
            labels["selection"],
        ):
            form.addRow(widget)
        options_title = QLabel("Options")
        options_title.setStyleSheet("font-weight: bold; margin-top: 4px;")
        form.addRow(options_title)
        form.addRow(self.options)
        body = QWidget()
        body.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        buttons = QHBoxLayout()
        buttons.addWidget(self.separate_button)
        buttons.addWidget(self.inpaint_button)
        buttons.addWidget(self.compare_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(scroll, 1)  # scrolls rather than squeezing fields when space is short
        layout.addWidget(labels["other"])
        layout.addLayout(buttons)
        layout.addWidget(self.action_hint)
        layout.addWidget(self.estimate)
        layout.addWidget(self.price_note)

    # -- the project ----------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.project = project
        if project is not None:
            self._unsubscribe.append(project.subscribe(self._project_changed))
        self.refresh_engines()
        self._refresh()

    def refresh_engines(self) -> None:
        """Rewrite the engine list (key status can change while the app runs)."""
        self.engine.blockSignals(True)
        self.engine.clear()
        for name in provider_names():
            provider = self.flow.provider(name)
            self.engine.addItem(engine_label(provider), name)
            self.engine.setItemData(
                self.engine.count() - 1, provider.capabilities.notes, Qt.ItemDataRole.ToolTipRole
            )
        self.engine.blockSignals(False)
        self._show_engine()

    def _project_changed(self, state: ProjectState, reason: str) -> None:
        self._refresh()
        self.flow.revalidate()

    def _refresh(self) -> None:
        enabled = self.project is not None
        for widget in (
            self.prompt,
            self.engine,
            self.separate_button,
            self.inpaint_button,
            self.compare_button,
            self.examples,
        ):
            widget.setEnabled(enabled)
        self.action_hint.setVisible(enabled)
        if self.project is None:
            self.sendable_changed.emit(False, False)
            return
        state = self.project.state
        if self.prompt.text() != state.prompt:
            cursor = self.prompt.cursorPosition()
            self.prompt.setText(state.prompt)
            self.prompt.setCursorPosition(min(cursor, len(state.prompt)))
        self._show_engine()
        provider = self.flow.provider()
        self.options.build(provider.name, option_sections(provider, state))
        self.options.set_values(state.options)
        self._refresh_plan()

    def _show_engine(self) -> None:
        if self.project is None:
            return
        index = self.engine.findData(self.project.state.provider)
        if index >= 0 and index != self.engine.currentIndex():
            self.engine.setCurrentIndex(index)
        provider = self.flow.provider()
        self.engine.setToolTip(provider.capabilities.notes)
        self.engine_note.setText(engine_notes(provider))
        self.engine_note.setVisible(bool(engine_notes(provider)))
        note = provider.capabilities.price_note
        self.price_note.setText(f"Prices: {note}" if note else "")
        self.price_note.setVisible(bool(note))
        describes = follows_descriptions(provider)
        self.prompt.setPlaceholderText(DESCRIBE_PLACEHOLDER if describes else MARKS_PLACEHOLDER)
        self.prompt.setToolTip(f"{examples_tooltip(provider)}<br><br>{REGION_PROMPTS_TIP}")
        self._show_examples()

    def _selected_region(self) -> str | None:
        if self.project is None:
            return None
        selected = self.edit_state.selected
        regions = self.project.state.regions
        if any(r.id == selected for r in regions):
            return selected
        return regions[0].id if len(regions) == 1 else None

    def _show_examples(self) -> None:
        """The examples menu for this engine; region examples go to the selected region."""
        if self.project is None:
            return
        provider = self.flow.provider()
        shown = (provider.name, self._selected_region() is not None)
        if shown == self._examples_for:
            return
        self._examples_for = shown
        old = self.examples.menu()
        insert_region = self.insert_region_example if shown[1] else None
        self.examples.setMenu(examples_menu(self, provider, self.insert_example, insert_region))
        if old is not None:
            old.deleteLater()

    def _refresh_plan(self) -> None:
        """The marks line, the selection toggle, the buttons and the estimate."""
        if self.project is None:
            return
        state, provider = self.project.state, self.flow.provider()
        self.marks_summary.setText(marks_summary(state, provider))
        self.separate_button.setText(separate_text(state, provider))
        span = self.edit_state.in_out_range()
        self.only_selection.setEnabled(span is not None)
        self.only_selection.setText(
            f"Only the in/out range ({span[0]:.2f}–{span[1]:.2f} s)"
            if span
            else "Only the in/out range (set in and out with [ and ])"
        )
        separate_why = separate_hint(state, provider)
        inpaint_why = inpaint_hint(state, provider)
        self.separate_button.setEnabled(separate_why is None)
        self.inpaint_button.setEnabled(inpaint_why is None)
        self.compare_button.setEnabled(bool(state.spans or state.prompt.strip()))
        self.sendable_changed.emit(separate_why is None, inpaint_why is None)
        self.inpaint_button.setText(inpaint_text(state, self.edit_state.selected))
        self.inpaint_button.setToolTip(
            inpaint_why
            or "Regenerate the selected inpaint region, or every region as one job each "
            f"(Ctrl+Shift+Return). {REGION_PROMPTS_TIP}."
        )
        self.separate_button.setToolTip(
            separate_why or "Send the marks and prompt to the engine (Ctrl+Return)"
        )
        hints = [separate_why] if separate_why else []
        if inpaint_why and state.regions:
            hints.append(inpaint_why)  # without regions, no need to speak of Inpaint at all
        elif inpaint_why is None:
            hints.append(region_prompts_line(state, provider))
        self.action_hint.setText("\n".join(h for h in hints if h))
        self.action_hint.setVisible(bool(self.action_hint.text()))
        self._show_examples()
        lines = []  # estimates only for what can be sent
        if separate_why is None:
            lines.append(f"Separate: {self.flow.estimate_text(self.flow.plan(SEPARATE))}")
        if inpaint_why is None:
            lines.append(f"Inpaint: {self.flow.estimate_text(self.flow.plan(INPAINT))}")
        self.estimate.setText("\n".join(lines))

    # -- edits ----------------------------------------------------------------------------------
    def _prompt_edited(self, text: str) -> None:
        if self.project is not None:
            self.project.set_prompt(text, merge_key="prompt")
            self._typing_pause.start()

    def _end_typing(self) -> None:
        self._typing_pause.stop()
        if self.project is not None:
            self.project.close_merge()

    def insert_example(self, prompt: str) -> None:
        if self.project is not None:
            self._end_typing()
            self.project.set_prompt(prompt)

    def insert_region_example(self, prompt: str) -> None:
        region = self._selected_region()
        if self.project is not None and region is not None:
            self._end_typing()
            self.project.update_region(region, prompt=prompt)

    def _engine_chosen(self, index: int) -> None:
        name = self.engine.itemData(index)
        if self.project is not None and name and name != self.project.state.provider:
            # Options belong to one engine: a new engine starts from its defaults.
            self.project.set_provider(name, {})

    def _option_edited(self, name: str, value: Any) -> None:
        if self.project is None:
            return
        state = self.project.state
        spec = self.flow.provider().capabilities.option(name)
        options = dict(state.options)
        if spec is not None and value == spec.default:
            options.pop(name, None)  # only what differs from the default is stored
        else:
            options[name] = value
        numeric = spec is not None and spec.type in (int, float)
        self.project.set_provider(
            state.provider, options, merge_key=f"option:{name}" if numeric else None
        )

    def _selection_toggled(self, on: bool) -> None:
        self.flow.only_selection = on
        self._refresh_plan()
        self.flow.revalidate()

    # -- problems -------------------------------------------------------------------------------
    def show_problems(self, problems: dict[str, str]) -> None:
        self.problems.show(self.options.show_problems(problems))

    def problem_text(self, where: str) -> str:
        """What is shown under a field group ("prompt", "engine", ...) or "option NAME"."""
        if where.startswith("option "):
            label = self.options.problem_labels.get(where.removeprefix("option "))
            return label.text() if label is not None and not label.isHidden() else ""
        return self.problems.text(where)

    # -- keys -----------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The prompt field's own undo would fork from the project's history: let Ctrl+Z reach
        # the window's Undo, which undoes typing bursts like any other edit.
        if (
            watched is self.prompt
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and any(event.matches(k) for k in UNDO_KEYS)
        ):
            self._end_typing()
            event.ignore()
            return True
        return super().eventFilter(watched, event)
