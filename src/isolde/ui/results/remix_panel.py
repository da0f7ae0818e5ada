"""The remix panel: what is heard (original / target / residual / remix, A/B), the remix gains
with dB readouts, per-lane mute, and Apply. It shows the results controller and sends it
commands; the gains are heard live, as lane gains on the playing stream."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from isolde.core.edits import RESIDUAL_GAIN_RANGE, TARGET_GAIN_RANGE
from isolde.ui.results.apply_range import chosen_range
from isolde.ui.results.edits_panel import EditsPanel
from isolde.ui.results.listen_mix import MODES, ORIGINAL, RESIDUAL, TARGET, describe
from isolde.ui.results.results import Results
from isolde.ui.results.take_info import take_line

STEPS_PER_DB = 2  # sliders move in 0.5 dB steps
# The residual slider's leftmost stop, one step below −60 dB, is "silent"; −60 … +6 dB follow.
RESIDUAL_SILENT = round(RESIDUAL_GAIN_RANGE[0] * STEPS_PER_DB) - 1
SLIDER_KEYS = (
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
)
LISTEN_TEXT = {
    "original": "1 Original",
    "target": "2 Target",
    "residual": "3 Residual",
    "remix": "4 Remix",
}


def db_text(db: float | None) -> str:
    return "silent" if db is None else f"{db:+.1f} dB"


def target_to_step(db: float) -> int:
    """The target slider's position for a gain in dB (clamped to the range)."""
    lo, hi = TARGET_GAIN_RANGE
    return round(min(max(db, lo), hi) * STEPS_PER_DB)


def step_to_target(step: int) -> float:
    return step / STEPS_PER_DB


def residual_to_step(db: float | None) -> int:
    """The residual slider's position: `RESIDUAL_SILENT` for silent (None), else the gain in
    steps, clamped to −60 … +6 dB."""
    if db is None:
        return RESIDUAL_SILENT
    lo, hi = RESIDUAL_GAIN_RANGE
    return round(min(max(db, lo), hi) * STEPS_PER_DB)


def step_to_residual(step: int) -> float | None:
    """The residual gain a slider position stands for: None (silent) at the leftmost stop."""
    return None if step <= RESIDUAL_SILENT else step / STEPS_PER_DB


class RemixPanel(QWidget):
    def __init__(self, results: Results, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.setAccessibleName("Remix panel")
        edit_state = results.edit_state

        self.listen_buttons: dict[str, QPushButton] = {}
        self._group = QButtonGroup(self)
        listen_row = QHBoxLayout()
        for mode in MODES:
            button = QPushButton(LISTEN_TEXT[mode], self)
            button.setCheckable(True)
            button.setAccessibleName(f"Hear {mode}")
            button.setToolTip(f"Hear the {mode} (key {LISTEN_TEXT[mode][0]})")
            button.clicked.connect(lambda _c=False, m=mode: results.listen(m))
            self._group.addButton(button)
            self.listen_buttons[mode] = button
            listen_row.addWidget(button)
        self.ab_button = QPushButton("B  A/B", self)
        self.ab_button.setAccessibleName("Toggle A/B")
        self.ab_button.setToolTip("Take A ↔ take B when comparing, else original ↔ take (B)")
        self.ab_button.clicked.connect(results.toggle_ab)
        listen_row.addWidget(self.ab_button)
        self.hearing = QLabel(self)
        self.hearing.setAccessibleName("What is heard")

        target_lo, target_hi = TARGET_GAIN_RANGE
        self.target_slider = self._slider(
            "Target gain", target_to_step(target_lo), target_to_step(target_hi)
        )
        self.residual_slider = self._slider(
            "Residual gain", residual_to_step(None), residual_to_step(RESIDUAL_GAIN_RANGE[1])
        )
        self.target_readout, self.residual_readout = QLabel(self), QLabel(self)
        self.target_readout.setAccessibleName("Target gain in dB")
        self.residual_readout.setAccessibleName("Residual gain in dB")
        for readout in (self.target_readout, self.residual_readout):
            readout.setMinimumWidth(64)
            readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.mutes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        rows = (
            (TARGET, "Target", self.target_slider, self.target_readout),
            (RESIDUAL, "Residual", self.residual_slider, self.residual_readout),
            (ORIGINAL, "Original", None, None),
        )
        for row, (role, text, slider, readout) in enumerate(rows):
            grid.addWidget(QLabel(text, self), row, 0)
            if slider is not None:
                grid.addWidget(slider, row, 1)
                grid.addWidget(readout, row, 2)
            mute = QCheckBox("Mute", self)
            mute.setAccessibleName(f"Mute {text.lower()}")
            mute.toggled.connect(lambda on, r=role: results.set_muted(r, on))
            grid.addWidget(mute, row, 3)
            self.mutes[role] = mute
        grid.setColumnStretch(1, 1)
        self.target_slider.valueChanged.connect(self._gains_moved)
        self.residual_slider.valueChanged.connect(self._gains_moved)

        self.apply_range_button = QPushButton("Apply to selection", self)
        self.apply_range_button.setAccessibleName("Apply to the selected range")
        self.apply_range_button.setToolTip(
            "Write the remix into the project over the selected mark or the in/out range (A)"
        )
        self.apply_range_button.clicked.connect(lambda: results.apply(whole=False))
        self.apply_whole_button = QPushButton("Apply to whole file", self)
        self.apply_whole_button.setAccessibleName("Apply to the whole file")
        self.apply_whole_button.setToolTip("Write the remix into the project, whole file (Shift+A)")
        self.apply_whole_button.clicked.connect(lambda: results.apply(whole=True))
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.apply_range_button)
        apply_row.addWidget(self.apply_whole_button)
        apply_row.addStretch(1)
        self.range_label = QLabel(self)
        self.range_label.setAccessibleName("Range Apply uses")
        self.range_label.setWordWrap(True)
        self.take_label = QLabel(self)
        self.take_label.setAccessibleName("Active take")
        self.take_label.setWordWrap(True)
        self.edits_panel = EditsPanel(results, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.take_label)
        layout.addLayout(listen_row)
        layout.addWidget(self.hearing)
        layout.addLayout(grid)
        layout.addLayout(apply_row)
        layout.addWidget(self.range_label)
        layout.addWidget(self.edits_panel, 1)

        results.changed.connect(self.refresh)
        results.marks_changed.connect(self.refresh)
        edit_state.selection_changed.connect(lambda _id: self.refresh())
        edit_state.in_out_changed.connect(self.refresh)
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A focused slider keeps its arrow, Home and End keys (they also move the view and the
        # playhead window-wide), so the gains can be set from the keyboard.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in SLIDER_KEYS
        ):
            event.accept()
            return True
        return super().eventFilter(watched, event)

    def _slider(self, name: str, lo_step: int, hi_step: int) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal, self)
        slider.setAccessibleName(name)
        slider.setRange(lo_step, hi_step)
        slider.setSingleStep(1)
        slider.setPageStep(6 * STEPS_PER_DB)
        slider.setTickInterval(6 * STEPS_PER_DB)
        slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        slider.installEventFilter(self)
        return slider

    # -- gains ----------------------------------------------------------------------------
    def gains(self) -> tuple[float, float | None]:
        target, residual = self.target_slider.value(), self.residual_slider.value()
        return step_to_target(target), step_to_residual(residual)

    def set_gains(self, target_db: float, residual_db: float | None) -> None:
        """Move the sliders as a user would (the controller hears about it)."""
        self.target_slider.setValue(target_to_step(target_db))
        self.residual_slider.setValue(residual_to_step(residual_db))

    def _gains_moved(self, _value: int) -> None:
        target, residual = self.gains()
        self.results.set_gains(target, residual)

    # -- showing the controller -------------------------------------------------------------
    def refresh(self) -> None:
        results, listening = self.results, self.results.listening
        take = results.take("a")
        inpaint = take is not None and take.kind == "inpaint"
        has_take = take is not None
        self.take_label.setText(
            f"Take A: {take_line(take)}" if take else "No take yet: run a job (Ctrl+Return)"
        )
        take_b = results.take("b")
        if take_b is not None:
            self.take_label.setText(f"{self.take_label.text()}\nTake B: {take_line(take_b)}")
        self.listen_buttons[TARGET].setText("2 Repaired" if inpaint else LISTEN_TEXT[TARGET])
        for mode, button in self.listen_buttons.items():
            button.setEnabled(mode == ORIGINAL or (has_take and not (inpaint and mode != TARGET)))
            button.setChecked(mode == listening.mode)
        self.ab_button.setEnabled(has_take)
        self.hearing.setText(describe(listening, results.lane_names))
        for slider in (self.target_slider, self.residual_slider):
            slider.setEnabled(has_take and not inpaint)
            slider.blockSignals(True)
        self.target_slider.setValue(target_to_step(listening.target_gain_db))
        residual = listening.residual_gain_db
        self.residual_slider.setValue(residual_to_step(residual))
        for slider in (self.target_slider, self.residual_slider):
            slider.blockSignals(False)
        self.target_readout.setText(db_text(listening.target_gain_db))
        self.residual_readout.setText(db_text(residual))
        for role, box in self.mutes.items():
            box.blockSignals(True)
            box.setChecked(role in listening.muted)
            box.blockSignals(False)
        self._refresh_apply(has_take, inpaint)

    def _refresh_apply(self, has_take: bool, inpaint: bool) -> None:
        project = self.results.project
        edit_state = self.results.edit_state
        rng = (
            chosen_range(project.state, edit_state.selected, edit_state.in_out_range())
            if project
            else None
        )
        self.apply_range_button.setEnabled(has_take and (rng is not None or inpaint))
        self.apply_whole_button.setEnabled(has_take and not inpaint)
        self.apply_range_button.setText(
            "Apply over its region" if inpaint else "Apply to selection"
        )
        if not has_take:
            self.range_label.setText("")
        elif inpaint:
            self.range_label.setText("The repaired audio replaces its region, crossfaded.")
        elif rng is None:
            self.range_label.setText("Select a mark or set in/out ([ ]) to apply to a range.")
        else:
            self.range_label.setText(f"Selection: {rng.start:.3f}–{rng.end:.3f} s ({rng.what})")
