"""A provider's options as a form, built from its declared `OptionSpec`s.

One editor per option (spin box, combo box, check box or text field), with the option's help as
a tooltip, its default shown, a reset button when it differs, and a slot under it for a
validation problem. The form keeps no values: it shows the ones it is given and reports edits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from isolde.providers.options import OptionSpec
from isolde.ui.common.theme import mark_error, relative_font

ENGINE_DEFAULT = "engine default"
BIG = 2_000_000_000
Section = tuple[str, Sequence[OptionSpec]]


# A unit written as the name's last word ("reduction_db") is shown as a unit: "Reduction (dB)".
UNIT_WORDS = {"db": "dB", "hz": "Hz", "khz": "kHz", "ms": "ms", "s": "s"}


def option_title(spec: OptionSpec) -> str:
    """The label for an option's name: words, capitalized, with a trailing unit in brackets."""
    words = spec.name.split("_")
    unit = UNIT_WORDS.get(words[-1].lower()) if len(words) > 1 else None
    title = " ".join(words[:-1] if unit else words).capitalize()
    return f"{title} ({unit})" if unit else title


def shown_default(spec: OptionSpec) -> str:
    if spec.default is None:
        return "the engine's own"
    if isinstance(spec.default, bool):
        return "on" if spec.default else "off"
    return f"{spec.default:g}" if isinstance(spec.default, float) else str(spec.default)


class _Editor:
    """A widget showing one option's value; `get` is None for "leave it to the engine"."""

    def __init__(self, spec: OptionSpec, widget: QWidget) -> None:
        self.spec = spec
        self.widget = widget
        widget.setAccessibleName(option_title(spec))
        widget.setToolTip(f"{spec.help} (default: {shown_default(spec)})")

    def get(self) -> Any:
        raise NotImplementedError

    def set(self, value: Any) -> None:
        raise NotImplementedError

    def on_change(self, fn: Callable[[], None]) -> None:
        raise NotImplementedError


class _Check(_Editor):
    def __init__(self, spec: OptionSpec) -> None:
        self.box = QCheckBox()
        super().__init__(spec, self.box)

    def get(self) -> Any:
        return self.box.isChecked()

    def set(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def on_change(self, fn: Callable[[], None]) -> None:
        self.box.toggled.connect(lambda _on: fn())


class _Choice(_Editor):
    def __init__(self, spec: OptionSpec) -> None:
        self.combo = QComboBox()
        super().__init__(spec, self.combo)
        choices: list[tuple[str, Any]] = [(str(c), c) for c in spec.choices]
        if spec.type is bool:
            choices = [("on", True), ("off", False)]
        if spec.default is None:
            choices.insert(0, (ENGINE_DEFAULT, None))
        self.values = [v for _, v in choices]
        for text, value in choices:
            self.combo.addItem(text)
            tip = spec.help_for(value)  # what the choice does, under the pointer in the list
            if tip:
                self.combo.setItemData(self.combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        if spec.choice_help:
            self.combo.currentIndexChanged.connect(self._describe)
            self._describe(self.combo.currentIndex())

    def _describe(self, index: int) -> None:
        """The closed box says what its current choice does (tooltip and screen readers)."""
        value = self.values[max(index, 0)]
        text = f"{self.combo.itemText(max(index, 0))}: {self.spec.help_for(value)}"
        self.combo.setToolTip(f"{text} (default: {shown_default(self.spec)})")
        self.combo.setAccessibleDescription(text)

    def get(self) -> Any:
        return self.values[max(self.combo.currentIndex(), 0)]

    def set(self, value: Any) -> None:
        # `is` first: True == 1 must not pick a 1 choice for a bool, nor None match 0
        index = next((i for i, v in enumerate(self.values) if v is value), None)
        if index is None:
            index = next((i for i, v in enumerate(self.values) if v == value), 0)
        self.combo.setCurrentIndex(index)

    def on_change(self, fn: Callable[[], None]) -> None:
        self.combo.currentIndexChanged.connect(lambda _i: fn())


class _Number(_Editor):
    """A spin box; an option left to the engine shows "engine default" one step below the
    minimum (Qt's special value)."""

    def __init__(self, spec: OptionSpec) -> None:
        is_int = spec.type is int
        box: QSpinBox | QDoubleSpinBox = QSpinBox() if is_int else QDoubleSpinBox()
        low: float = spec.minimum if spec.minimum is not None else -BIG
        high: float = spec.maximum if spec.maximum is not None else BIG
        if is_int:
            low, high = int(low), int(high)
        step = 1 if is_int or high - low >= 50 else 0.1
        if isinstance(box, QDoubleSpinBox):
            box.setDecimals(2)
        box.setSingleStep(step)
        self.unset_value = low - step if spec.default is None else None
        box.setRange(low if self.unset_value is None else self.unset_value, high)  # type: ignore[arg-type]
        if self.unset_value is not None:
            box.setSpecialValueText(ENGINE_DEFAULT)
        box.setKeyboardTracking(False)  # typed digits count once, on Enter or leaving the box
        box.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.box = box
        super().__init__(spec, box)

    def get(self) -> Any:
        value = self.box.value()
        if self.unset_value is not None and value <= self.unset_value:
            return None
        return int(value) if self.spec.type is int else round(float(value), 6)

    def set(self, value: Any) -> None:
        self.box.setValue(self.unset_value if value is None else value)  # type: ignore[arg-type]

    def on_change(self, fn: Callable[[], None]) -> None:
        self.box.valueChanged.connect(lambda _v: fn())


class _Text(_Editor):
    def __init__(self, spec: OptionSpec) -> None:
        self.edit = QLineEdit()
        if spec.default is None:
            self.edit.setPlaceholderText(ENGINE_DEFAULT)
        super().__init__(spec, self.edit)

    def get(self) -> Any:
        text = self.edit.text().strip()
        return None if not text and self.spec.default is None else text

    def set(self, value: Any) -> None:
        if self.edit.text() != ("" if value is None else str(value)):
            self.edit.setText("" if value is None else str(value))

    def on_change(self, fn: Callable[[], None]) -> None:
        self.edit.editingFinished.connect(fn)


def make_editor(spec: OptionSpec) -> _Editor:
    if spec.choices or (spec.type is bool and spec.default is None):
        return _Choice(spec)
    if spec.type is bool:
        return _Check(spec)
    if spec.type in (int, float):
        return _Number(spec)
    return _Text(spec)


class OptionsForm(QWidget):
    edited = Signal(str, object)  # option name, new value (None: leave it to the engine)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Engine options")
        self.editors: dict[str, _Editor] = {}
        self.problem_labels: dict[str, QLabel] = {}
        self.reset_buttons: dict[str, QToolButton] = {}
        self._layout_key: tuple = ()
        self._setting = False
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(1, 1)

    def build(self, provider_name: str, sections: Sequence[Section]) -> bool:
        """Lay out these sections; returns False (and keeps the widgets) if nothing changed."""
        key = (provider_name, tuple((t, tuple(s.name for s in specs)) for t, specs in sections))
        if key == self._layout_key:
            return False
        self._layout_key = key
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # deleteLater waits for the event loop; hide it now
                widget.deleteLater()
        self.editors.clear()
        self.problem_labels.clear()
        self.reset_buttons.clear()
        row = 0
        for title, specs in sections:
            if not specs:
                continue
            header = QLabel(title)
            relative_font(header, weight=QFont.Weight.Bold)  # follows the app font's size
            self._grid.addWidget(header, row, 0, 1, 3)
            row += 1
            for spec in specs:
                row = self._add_row(spec, row)
        if not self.editors:
            self._grid.addWidget(QLabel("This engine has no options."), 0, 0, 1, 3)
        return True

    def _add_row(self, spec: OptionSpec, row: int) -> int:
        editor = make_editor(spec)
        label = QLabel(option_title(spec))
        label.setBuddy(editor.widget)
        label.setToolTip(editor.widget.toolTip())
        reset = QToolButton()
        reset.setText("↺")
        reset.setAccessibleName(f"Reset {option_title(spec)} to its default")
        reset.setToolTip(f"Back to the default ({shown_default(spec)})")
        reset.clicked.connect(lambda _c=False, s=spec: self.edited.emit(s.name, s.default))
        problem = QLabel()
        problem.setObjectName(f"problem:option {spec.name}")
        problem.setWordWrap(True)
        mark_error(problem)
        problem.hide()
        editor.on_change(lambda s=spec, e=editor: self._changed(s, e))
        self._grid.addWidget(label, row, 0)
        self._grid.addWidget(editor.widget, row, 1)
        self._grid.addWidget(reset, row, 2)
        self._grid.addWidget(problem, row + 1, 0, 1, 3)
        self.editors[spec.name] = editor
        self.problem_labels[spec.name] = problem
        self.reset_buttons[spec.name] = reset
        return row + 2

    def _changed(self, spec: OptionSpec, editor: _Editor) -> None:
        if not self._setting:
            self.edited.emit(spec.name, editor.get())

    def set_values(self, options: Mapping[str, Any]) -> None:
        """Show stored values (defaults where none is stored) without reporting them as edits."""
        self._setting = True
        try:
            for name, editor in self.editors.items():
                value = options.get(name, editor.spec.default)
                editor.set(value)
                self.reset_buttons[name].setVisible(name in options)
        finally:
            self._setting = False

    def show_problems(self, problems: Mapping[str, str]) -> dict[str, str]:
        """Put each "option NAME" problem under its editor; returns the ones not shown here."""
        rest = dict(problems)
        for name, label in self.problem_labels.items():
            message = rest.pop(f"option {name}", None)
            label.setText(message or "")
            label.setVisible(bool(message))
        return rest
