"""Edit → Settings…: keys in a (temporary-file) keyring, the environment route, Test key against
the fake cloud, and the General settings saved, applied at once and on the next window."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from file_keyring import NAME, FileKeyring, keyring_set_to
from keyring.backends import fail
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from window_helpers import open_in_window, save_screenshot, shown_window

from fakecloud.testing import start_cloud
from isolde.core.redact import Secret
from isolde.core.settings import AppSettings, load_settings, save_settings, settings_path
from isolde.providers.net.key_check import check_key
from isolde.ui.common.theme import apply_theme, current_theme, theme_palette
from isolde.ui.jobs.request_plan import LARGE_AUDIO_S, LARGE_COST_USD, confirm_limits
from isolde.ui.shell.settings_dialog import SettingsDialog
from isolde.ui.shell.settings_dialog import audio_device as dialog_devices

KEY_ENVS = ("FAL_KEY", "SEGMIND_API_KEY", "AUDIOLASSO_API_KEY")
STORED = "sk-live-0123456789abcdef3f9a"  # a key the dialog stores: never shown in full
DESK = [{"index": 3, "name": "Desk", "hostapi": "JACK", "channels": 2, "default": False}]


@pytest.fixture(autouse=True)
def _no_keys_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_ENVS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[FileKeyring]:
    with keyring_set_to(FileKeyring(tmp_path / "keyring.json")) as backend:
        yield backend  # type: ignore[misc]


@pytest.fixture
def no_keyring() -> Iterator[None]:
    with keyring_set_to(fail.Keyring()):
        yield


@pytest.fixture
def window(qtbot):  # type: ignore[no-untyped-def]
    return shown_window(qtbot)


def open_dialog(qtbot, window) -> SettingsDialog:  # type: ignore[no-untyped-def]
    window.actions_by_key["settings"].trigger()
    dialog = window.settings.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def all_text(widget: QWidget) -> str:
    """Every label's and field's text under `widget`, as a screen reader could reach it."""
    parts = [w.text() for w in widget.findChildren(QLabel)]
    parts += [w.text() + w.displayText() for w in widget.findChildren(QLineEdit)]
    return "\n".join(parts)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_settings_is_in_the_edit_menu_with_ctrl_comma_even_without_a_file(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    action = window.actions_by_key["settings"]
    assert QKeySequence("Ctrl+,") in action.shortcuts()
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert action in edit.actions()
    assert action.isEnabled() and window.document is None
    dialog = open_dialog(qtbot, window)
    assert dialog.isVisible()  # open(), not exec(): the trigger returned with it showing
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["&General", "&Keys"]
    assert window.settings.open() is dialog  # a second call raises the same dialog
    dialog.reject()
    qtbot.waitUntil(lambda: window.settings.dialog is None)


def test_a_stored_key_shows_its_source_masked_and_is_removed(qtbot, window, file_keyring) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window)
    row = dialog.keys.rows["fal"]
    assert row.source.text() == "Not set" and row.preview.text() == ""
    assert not row.remove_button.isEnabled()
    assert NAME in dialog.keys.note.text()
    assert row.entry.echoMode() == QLineEdit.EchoMode.Password
    row.entry.setText(STORED)
    qtbot.mouseClick(row.store_button, Qt.MouseButton.LeftButton)
    assert json.loads(file_keyring.path.read_text()) == {"isolde/FAL_KEY": STORED}
    assert row.source.text() == f"Stored in the OS keyring ({NAME})"
    assert row.preview.text() == "••••••••3f9a"
    assert row.entry.text() == ""  # the field does not keep it
    assert STORED not in all_text(dialog)
    assert dialog.keys.rows["segmind"].source.text() == "Not set"
    dialog.accept()  # OK: the settings file is written, and holds no key
    assert settings_path().exists() and STORED not in settings_path().read_text()
    for var in ("ISOLDE_CONFIG_DIR", "ISOLDE_DATA_DIR", "ISOLDE_LOG_DIR", "XDG_CONFIG_HOME"):
        for path in Path(os.environ[var]).rglob("*"):  # only the keyring's own file holds it
            assert not path.is_file() or STORED.encode() not in path.read_bytes(), path
    dialog = open_dialog(qtbot, window)  # a new dialog reads the keyring afresh
    row = dialog.keys.rows["fal"]
    assert row.preview.text() == "••••••••3f9a" and row.remove_button.isEnabled()
    qtbot.mouseClick(row.remove_button, Qt.MouseButton.LeftButton)
    assert json.loads(file_keyring.path.read_text()) == {}
    assert row.source.text() == "Not set" and row.preview.text() == ""
    assert row.result.text() == "Removed from the OS keyring."
    dialog.reject()


def test_an_environment_key_is_shown_as_such_and_cannot_be_removed_here(  # type: ignore[no-untyped-def]
    qtbot, window, file_keyring, monkeypatch
) -> None:
    monkeypatch.setenv("SEGMIND_API_KEY", "env-key-abcdefgh9z9z")
    dialog = open_dialog(qtbot, window)
    row = dialog.keys.rows["segmind"]
    assert row.source.text() == "From the environment (SEGMIND_API_KEY)"
    assert row.preview.text() == "••••••••9z9z"
    qtbot.mouseClick(row.remove_button, Qt.MouseButton.LeftButton)
    assert "cannot remove" in row.result.text() and "SEGMIND_API_KEY" in row.result.text()
    assert row.source.text() == "From the environment (SEGMIND_API_KEY)"
    assert "env-key-abcdefgh9z9z" not in all_text(dialog)
    dialog.reject()


def test_without_a_keyring_the_page_offers_the_environment_route(qtbot, window, no_keyring) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window)
    note = dialog.keys.note.text()
    assert "no OS keyring" in note and "never writes keys to a file" in note
    assert "export FAL_KEY=" in note and "export AUDIOLASSO_API_KEY=" in note
    for row in dialog.keys.rows.values():
        assert not row.entry.isEnabled() and not row.store_button.isEnabled()
        assert not row.remove_button.isEnabled()
        assert row.test_button.isEnabled()  # an environment key can still be tested
    fal = dialog.keys.rows["fal"]
    qtbot.mouseClick(fal.test_button, Qt.MouseButton.LeftButton)
    assert fal.result.text() == "No key to test: paste one above or set FAL_KEY."
    dialog.reject()


def test_key_tests_run_off_the_gui_thread_and_report_in_words(  # type: ignore[no-untyped-def]
    qtbot, window, file_keyring, monkeypatch
) -> None:
    cloud = start_cloud(monkeypatch)  # its keys are in the environment: the keys in use
    threads: list[str] = []

    def checker(provider: str, key: Secret):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return check_key(provider, key)

    try:
        dialog = open_dialog(qtbot, window)
        page = dialog.keys
        page.checker = checker  # the real check, with the thread it runs on recorded

        def run(provider: str) -> str:
            row = page.rows[provider]
            qtbot.mouseClick(row.test_button, Qt.MouseButton.LeftButton)
            assert not row.test_button.isEnabled()  # while it runs
            qtbot.waitUntil(lambda: not page.testing, timeout=15_000)
            assert row.test_button.isEnabled()
            return row.result.text()

        assert run("fal") == "✓ fal.ai accepted the key"
        assert run("segmind") == "✓ Segmind accepted the key"
        assert run("audiolasso") == "✓ AudioLasso accepted the key"
        bad = "bad-key-sentinel-5150aa"
        page.rows["fal"].entry.setText(bad)  # a typed key is tested before it is stored
        text = run("fal")
        assert text == "✗ fal.ai refused the key (401): check it was copied whole"
        assert bad not in "\n".join(label.text() for label in dialog.findChildren(QLabel))
        monkeypatch.setenv("ISOLDE_AUDIOLASSO_URL", f"http://127.0.0.1:{closed_port()}")
        text = run("audiolasso")
        assert text.startswith("⚠ could not reach AudioLasso: ") and "check the connection" in text
        assert threads and all(name.startswith("isolde-keytest") for name in threads)
        assert threading.main_thread().name not in threads
        dialog.reject()
    finally:
        cloud.stop()


def test_general_settings_are_saved_and_applied_at_once(  # type: ignore[no-untyped-def]
    qtbot, window, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(dialog_devices, "output_devices", lambda: DESK)
    chosen: list[object] = []
    monkeypatch.setattr(window.transport.player, "set_device", chosen.append)
    exports = tmp_path / "exports"
    exports.mkdir()
    dialog = open_dialog(qtbot, window)
    general = dialog.general
    assert general.folder.text() == "" and general.engine.currentData() == "local"
    dialog.ask_folder = lambda parent, start: exports
    qtbot.mouseClick(general.choose_folder, Qt.MouseButton.LeftButton)
    general.engine.setCurrentIndex(general.engine.findData("segmind"))
    general.device.setCurrentIndex(general.device.findData("Desk"))
    general.snap.setChecked(True)
    general.cost.setValue(2.5)
    general.minutes.setValue(20)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert not dialog.isVisible()
    saved = load_settings()
    assert (saved.default_engine, saved.output_folder) == ("segmind", str(exports.resolve()))
    assert (saved.output_device, saved.snap) == ("Desk", True)
    assert (saved.confirm_cost_usd, saved.confirm_audio_s) == (2.5, 1200.0)
    assert window.edit_state.snap and window.actions_by_key["snap"].isChecked()
    assert chosen == [3] and window.transport.device == 3
    assert confirm_limits() == (2.5, 1200.0)
    assert window.statusBar().currentMessage() == "Settings saved"
    # A recording opened now starts on the default engine; exports are proposed in the folder.
    wav = tmp_path / "voice.wav"
    sf.write(wav, np.zeros((4800, 1), np.float32), 48000)
    window.open_path(wav)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.project.state.provider == "segmind"
    assert window.jobs.prompt_panel.engine.currentData() == "segmind"
    export = window.results_docks.open_export()
    assert Path(export.path.text()).parent == exports.resolve()
    export.reject()


def test_the_thresholds_are_read_when_a_job_is_about_to_be_sent(qtbot, job_window) -> None:  # type: ignore[no-untyped-def]
    flow = job_window.jobs.flow
    asked: list[str] = []
    flow.confirm = lambda title, text: asked.append(title) or False
    job_window.project.add_span(0.0, 1.0, include=False)
    plan = flow.plan("separate")
    assert not plan.large  # 3 s of audio, offline: nothing to ask by default
    save_settings(AppSettings(confirm_audio_s=2.0))  # as the dialog's OK would
    assert plan.large  # the same plan asks now
    assert flow.separate() == [] and asked == ["Separate — a large job"]
    assert job_window.jobs.session.records() == []


def test_cancel_changes_nothing(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    save_settings(AppSettings(recent_files=("/somewhere/a.wav",)))
    before = settings_path().read_text()
    dialog = open_dialog(qtbot, window)
    dialog.general.snap.setChecked(True)
    dialog.general.cost.setValue(9)
    dialog.general.theme.setCurrentIndex(dialog.general.theme.findData("light"))
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert settings_path().read_text() == before
    assert not window.edit_state.snap and not window.actions_by_key["snap"].isChecked()
    assert confirm_limits() == (LARGE_COST_USD, LARGE_AUDIO_S)  # the constants are the defaults


def test_a_missing_output_folder_is_refused_and_the_dialog_stays(qtbot, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window)
    dialog.tabs.setCurrentWidget(dialog.keys)
    dialog.general.folder.setText(str(tmp_path / "gone"))
    dialog.accept()
    assert dialog.isVisible() and dialog.tabs.currentWidget() is dialog.general
    assert dialog.general.error.isVisible() and "does not exist" in dialog.general.error.text()
    assert not settings_path().exists()
    dialog.reject()


def test_a_new_window_starts_with_the_saved_settings(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    save_settings(AppSettings(snap=True, output_device="Desk", default_engine="fal"))
    monkeypatch.setattr(dialog_devices, "output_devices", lambda: DESK)
    set_devices: list[object] = []
    from isolde.audio.playback import Player

    monkeypatch.setattr(Player, "set_device", lambda self, device: set_devices.append(device))
    wav = tmp_path / "tone.wav"
    sf.write(wav, np.zeros((4800, 1), np.float32), 48000)
    window = open_in_window(qtbot, wav, (1280, 800))
    assert window.edit_state.snap and window.actions_by_key["snap"].isChecked()
    assert set_devices == [3] and window.transport.device == 3
    assert window.project.state.provider == "fal"
    monkeypatch.setattr(dialog_devices, "output_devices", lambda: [])  # unplugged
    other = shown_window(qtbot)
    assert other.transport.device is None
    assert "“Desk” is not connected" in other.statusBar().currentMessage()


@pytest.fixture
def restore_theme() -> Iterator[QApplication]:
    """The application's look put back afterwards: a theme must not leak into other tests."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    palette, style = app.palette(), app.style().name()
    # Windows of earlier tests, closed with deleteLater, go now: a theme repaints every widget.
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    yield app
    apply_theme(app, "dark")
    app.setPalette(palette)
    app.setStyle(style)


def test_the_theme_applies_at_once_on_ok(qtbot, window, restore_theme) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, window)
    theme = dialog.general.theme
    theme.setCurrentIndex(theme.findData("high-contrast"))
    dialog.accept()
    assert current_theme().name == "high-contrast"
    role = QPalette.ColorRole.Window
    assert restore_theme.palette().color(role) == theme_palette("high-contrast").color(role)


def test_screenshots_of_both_pages(qtbot, window, file_keyring, monkeypatch, restore_theme) -> None:  # type: ignore[no-untyped-def]
    apply_theme(restore_theme, "dark")  # the editor's look when it runs
    monkeypatch.setenv("SEGMIND_API_KEY", "env-key-abcdefgh9z9z")
    dialog = open_dialog(qtbot, window)
    row = dialog.keys.rows["fal"]
    row.entry.setText(STORED)
    row.store()
    row.say("✓ fal.ai accepted the key")
    save_screenshot(dialog, "settings-general.png")
    dialog.tabs.setCurrentWidget(dialog.keys)
    qtbot.waitUntil(lambda: dialog.keys.isVisible())
    save_screenshot(dialog, "settings-keys.png")
    dialog.reject()
