"""The saved settings put to work: on a new window and again after the Settings dialog's OK.

What is applied here: snapping (the Snap action, so its tick and the edit state agree), the
output device (by name: device indices change between runs) and, after OK, the theme. The
other settings are read where they are used, at that moment: the default engine when a
recording is opened (`default_engine`, called by document.py), the output folder when an export
suggests its path (ui/common/folders.py `export_folder`), the confirmation thresholds when a
job is about to be sent (ui/jobs/request_plan.py `confirm_limits`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from isolde.audio import device as audio_device
from isolde.core.settings import AppSettings, load_settings
from isolde.providers.registry import DEFAULT_PROVIDER, provider_names

if TYPE_CHECKING:
    from isolde.ui.shell.main_window import MainWindow
    from isolde.ui.shell.settings_dialog import SettingsDialog


def default_engine() -> str:
    """The engine a newly opened recording starts on (an unknown name reads as the default)."""
    name = load_settings().default_engine
    return name if name in provider_names() else DEFAULT_PROVIDER


class SettingsWiring:
    """Edit → Settings… for one window: at most one dialog open, applied on OK."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dialog: SettingsDialog | None = None

    def open(self) -> SettingsDialog:
        """Show the dialog (a second call raises the one already open)."""
        from isolde.ui.shell.settings_dialog import SettingsDialog

        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = SettingsDialog(self.window)
        dialog.saved.connect(lambda before, after: applied(self.window, before, after))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.dialog = dialog
        dialog.open()  # window-modal but not blocking: tests drive it directly
        return dialog

    def _forget(self, dialog: SettingsDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()


def install_settings(window: MainWindow) -> SettingsWiring:
    """Edit → Settings… opens the dialog; the saved settings apply to this new window."""
    wiring = SettingsWiring(window)
    window.actions_by_key["settings"].triggered.connect(lambda _c=False: wiring.open())
    apply_settings(window, load_settings())
    return wiring


def applied(window: MainWindow, before: AppSettings, after: AppSettings) -> None:
    """After OK: apply what changed, and say so."""
    apply_settings(window, after, before)
    window.show_status("Settings saved")


def apply_settings(
    window: MainWindow, settings: AppSettings, before: AppSettings | None = None
) -> None:
    """Apply `settings` to `window`; with `before` (after OK) only what changed, so a Snap the
    user toggled with G, or a device picked from the Play menu, is not reset for nothing."""
    snap = window.actions_by_key["snap"]
    if (before is None or before.snap != settings.snap) and snap.isChecked() != settings.snap:
        snap.setChecked(settings.snap)  # toggles edit_state.set_snap through the action
    device_before = "" if before is None else before.output_device  # a new window: default
    if settings.output_device != device_before:
        _set_device(window, settings.output_device)
    if before is not None and before.theme != settings.theme:
        from isolde.ui.common.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)


def _set_device(window: MainWindow, name: str) -> None:
    """Play through the device called `name` ("" = the system default) when it is present."""
    if not name:
        window.transport.set_device(None)
        return
    index = next(
        (int(d["index"]) for d in audio_device.output_devices() if d["name"] == name), None
    )
    if index is None:
        window.show_status(f"Output device “{name}” is not connected: playing through the default")
        return
    if window.transport.device != index:
        window.transport.set_device(index)
