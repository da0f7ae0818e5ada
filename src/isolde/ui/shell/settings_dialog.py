"""Edit → Settings…: the General page (engine, output folder, device, snapping, theme,
confirmation thresholds) and the Keys page (settings_keys.py).

OK saves the General values with `save_settings` (read afresh first, so the recent files and
layout saved meanwhile are kept) and emits `saved`; Cancel changes nothing. Keys are stored or
removed at once by their own buttons, never through the settings file. The dialog is shown
with `open()` (never `exec()`), and its one question — which folder — is the attribute
`ask_folder`, so tests drive it without a blocking dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from isolde.audio import device as audio_device
from isolde.core.settings import AppSettings, SettingsError, load_settings, save_settings
from isolde.providers.net.key_check import check_key
from isolde.providers.registry import DEFAULT_PROVIDER, get_provider, provider_names
from isolde.ui.common.theme import mark_error
from isolde.ui.shell.settings_keys import Checker, KeysPage

THEME_TEXT = {"dark": "Dark", "light": "Light", "high-contrast": "High contrast"}
AskFolder = Callable[[QWidget, Path], Path | None]


def ask_folder(parent: QWidget, start: Path) -> Path | None:
    chosen = QFileDialog.getExistingDirectory(parent, "Output folder for exports", str(start))
    return Path(chosen) if chosen else None


def engine_title(name: str) -> str:
    try:
        return get_provider(name).title
    except Exception:  # an engine that cannot even describe itself is still listed by name
        return name


class GeneralPage(QWidget):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("General settings")
        self.engine = QComboBox()
        self.engine.setAccessibleName("Default engine")
        for name in provider_names():
            self.engine.addItem(engine_title(name), name)
        self._choose(self.engine, settings.default_engine, DEFAULT_PROVIDER)
        self.engine.setToolTip("The engine a newly opened recording starts on")

        self.folder = QLineEdit(settings.output_folder)
        self.folder.setAccessibleName("Output folder for exports")
        self.folder.setPlaceholderText("Beside the source file")
        self.folder.setClearButtonEnabled(True)
        self.choose_folder = QPushButton("Choose…")
        self.choose_folder.setAccessibleName("Choose the output folder")
        folder_row = QWidget()  # a widget, not a layout: the form's label needs a buddy
        row_layout = QHBoxLayout(folder_row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.folder, 1)
        row_layout.addWidget(self.choose_folder)

        self.device = QComboBox()
        self.device.setAccessibleName("Audio output device")
        self.device.addItem("System default", "")
        for info in audio_device.output_devices():
            self.device.addItem(f"{info['name']} ({info['hostapi']})", str(info["name"]))
        if settings.output_device and self.device.findData(settings.output_device) < 0:
            self.device.addItem(f"{settings.output_device} (not connected)", settings.output_device)
        self._choose(self.device, settings.output_device, "")

        self.snap = QCheckBox("Snap marks to SAM Audio's 40 ms grid")
        self.snap.setChecked(settings.snap)
        self.theme = QComboBox()
        self.theme.setAccessibleName("Theme")
        for name, text in THEME_TEXT.items():
            self.theme.addItem(text, name)
        self._choose(self.theme, settings.theme, "dark")

        self.cost = QDoubleSpinBox()
        self.cost.setAccessibleName("Ask before jobs costing more than, in dollars")
        self.cost.setRange(0.0, 10_000.0)
        self.cost.setDecimals(2)
        self.cost.setSingleStep(0.5)
        self.cost.setPrefix("$ ")
        self.cost.setValue(settings.confirm_cost_usd)
        self.minutes = QDoubleSpinBox()
        self.minutes.setAccessibleName("Ask before sending more audio than, in minutes")
        self.minutes.setRange(0.0, 24 * 60.0)
        self.minutes.setDecimals(1)
        self.minutes.setSuffix(" min")
        self.minutes.setValue(settings.confirm_audio_s / 60.0)

        form = QFormLayout(self)
        form.addRow("Default &engine", self.engine)
        form.addRow("&Output folder", folder_row)
        label = form.labelForField(folder_row)
        if isinstance(label, QLabel):
            label.setBuddy(self.folder)
        form.addRow("Audio &device", self.device)
        form.addRow("", self.snap)
        form.addRow("&Theme", self.theme)
        form.addRow(_heading("Ask before sending a job that…"))
        form.addRow("is expected to &cost more than", self.cost)
        form.addRow("or sends more &audio than", self.minutes)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Settings problem")
        mark_error(self.error)  # a red legible in every theme
        self.error.hide()
        form.addRow(self.error)

    @staticmethod
    def _choose(combo: QComboBox, value: str, fallback: str) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(index if index >= 0 else max(0, combo.findData(fallback)))

    def values(self) -> dict[str, Any]:
        """The AppSettings fields this page edits; raises ValueError for a folder that is not."""
        folder = self.folder.text().strip()
        if folder:
            path = Path(folder).expanduser()
            if not path.is_dir():
                raise ValueError(f"The output folder {folder} does not exist: choose another.")
            folder = str(path.resolve())
        return {
            "default_engine": str(self.engine.currentData()),
            "output_folder": folder,
            "output_device": str(self.device.currentData()),
            "snap": self.snap.isChecked(),
            "theme": str(self.theme.currentData()),
            "confirm_cost_usd": round(self.cost.value(), 2),
            "confirm_audio_s": round(self.minutes.value() * 60.0, 1),
        }


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setAccessibleName(text)
    return label


class SettingsDialog(QDialog):
    saved = Signal(object, object)  # (AppSettings before, AppSettings after) once OK saved

    def __init__(self, parent: QWidget | None = None, checker: Checker = check_key) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — Isolde")
        self.setObjectName("settings-dialog")
        self.setAccessibleName("Settings")
        self.ask_folder: AskFolder = ask_folder
        self.general = GeneralPage(load_settings())
        self.general.choose_folder.clicked.connect(self._choose_folder)
        self.keys = KeysPage(checker)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings pages")
        self.tabs.addTab(self.general, "&General")
        self.tabs.addTab(self.keys, "&Keys")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.finished.connect(lambda _code: self.keys.shutdown())
        self.resize(640, 520)

    def _choose_folder(self) -> None:
        current = Path(self.general.folder.text().strip() or Path.home()).expanduser()
        chosen = self.ask_folder(self, current if current.is_dir() else Path.home())
        if chosen is not None:
            self.general.folder.setText(str(chosen))

    def accept(self) -> None:
        general = self.general
        try:
            values = general.values()
            before = load_settings()
            after = replace(before, **values)
            save_settings(after)
        except (ValueError, SettingsError) as exc:
            general.error.setText(str(exc))
            general.error.show()
            self.tabs.setCurrentWidget(general)
            return
        general.error.hide()
        self.saved.emit(before, after)
        super().accept()

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        # Enter in a key field stores the key; it must not also press OK.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.keys.isAncestorOf(
            self.focusWidget()
        ):
            return
        super().keyPressEvent(event)
