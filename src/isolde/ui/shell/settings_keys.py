"""Settings → Keys: one row per cloud provider — where its key comes from, a masked preview,
Store / Remove in the OS keyring, and Test key (one cheap call, off the GUI thread).

Keys live only in the keyring or the environment (`providers.net.keys`); this page never
writes one anywhere else, never shows a stored key in full, and on a computer without a
keyring it says so and shows the environment-variable route instead.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from isolde.core.redact import Secret
from isolde.providers.net import keys
from isolde.providers.net.key_check import PROBES, KeyCheck, check_key

MASK = "••••••••"
POLL_MS = 50  # how often a running key test is looked at
Checker = Callable[[str, Secret], KeyCheck]


def masked(value: str) -> str:
    """Dots and, for a key long enough that it gives little away, its last 4 characters."""
    return MASK + value[-4:] if len(value) >= 12 else MASK


def source_text(status: keys.KeyStatus) -> str:
    if status.source == "environment":
        return f"From the environment ({status.env_var})"
    if status.source == "keyring":
        return f"Stored in the OS keyring ({status.keyring})"
    return "Not set"


def keyring_note(backend: str | None) -> str:
    if backend is None:
        return (
            "This computer has no OS keyring, so Isolde cannot store keys here — and it never "
            "writes keys to a file. Set them in the environment before starting Isolde, for "
            "example in ~/.profile:\n"
            + "\n".join(f"    export {probe.key_env}=…" for probe in PROBES.values())
        )
    return (
        f"Keys are kept in the OS keyring ({backend}), never in a file. A key set in the "
        "environment is used first. Store and Remove act at once."
    )


class KeyRow(QGroupBox):
    """One provider's key: source, preview, a field for a new one, Store, Remove, Test key."""

    def __init__(self, provider_id: str, start_test: Callable[[KeyRow], None]) -> None:
        probe = PROBES[provider_id]
        super().__init__(f"{probe.title} ({probe.key_env})")
        self.provider_id, self.env_var, self.title = provider_id, probe.key_env, probe.title
        self.setAccessibleName(f"{probe.title} key")
        self._start_test = start_test
        self.source = QLabel()
        self.source.setAccessibleName(f"Where the {probe.title} key comes from")
        self.preview = QLabel()
        self.preview.setAccessibleName(f"{probe.title} key, masked")
        self.entry = QLineEdit()
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setPlaceholderText(f"Paste a new {probe.title} key")
        self.entry.setAccessibleName(f"New {probe.title} key")
        self.entry.returnPressed.connect(self.store)
        self.store_button = QPushButton("Store")
        self.store_button.setAccessibleName(f"Store the {probe.title} key in the keyring")
        self.store_button.clicked.connect(self.store)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove the {probe.title} key from the keyring")
        self.remove_button.clicked.connect(self.remove)
        self.test_button = QPushButton("Test key")
        self.test_button.setAccessibleName(f"Test the {probe.title} key")
        self.test_button.setToolTip("One cheap authenticated call (not billed)")
        self.test_button.clicked.connect(lambda: self._start_test(self))
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName(f"{probe.title} key result")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        grid = QGridLayout(self)
        grid.addWidget(self.source, 0, 0, 1, 2)
        grid.addWidget(self.preview, 0, 2, 1, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.entry, 1, 0)
        grid.addWidget(self.store_button, 1, 1)
        grid.addWidget(self.remove_button, 1, 2)
        grid.addWidget(self.test_button, 1, 3)
        grid.addWidget(self.result, 2, 0, 1, 4)
        grid.setColumnStretch(0, 1)
        self.refresh()

    def refresh(self) -> None:
        status = keys.key_status(self.env_var)
        self.source.setText(source_text(status))
        key = keys.get_key(self.env_var)
        self.preview.setText(masked(key.reveal()) if key is not None else "")
        has_keyring = status.keyring is not None
        for widget in (self.entry, self.store_button):
            widget.setEnabled(has_keyring)
        self.remove_button.setEnabled(has_keyring and status.source is not None)

    def say(self, text: str) -> None:
        self.result.setText(text)

    def store(self) -> None:
        text = self.entry.text().strip()
        if not text:
            self.say(f"Paste the {self.title} key into the field first.")
            return
        try:
            keys.set_key(self.env_var, text)
        except keys.KeyStoreError as exc:
            self.say(str(exc))
            return
        finally:
            self.entry.clear()
        self.refresh()
        note = f"Stored in the OS keyring ({keys.keyring_name()})."
        if keys.key_source(self.env_var) == "environment":
            note += f" {self.env_var} in the environment is still used first while it is set."
        self.say(note)

    def remove(self) -> None:
        from_env = keys.key_source(self.env_var) == "environment"
        try:
            removed = keys.delete_key(self.env_var)
        except keys.KeyStoreError as exc:
            self.say(str(exc))
            return
        self.refresh()
        if from_env:
            copy = " The copy stored in the keyring was removed." if removed else ""
            self.say(
                f"The key in use comes from the environment variable {self.env_var}, which "
                f"Isolde cannot remove: unset it where it is set (e.g. ~/.profile).{copy}"
            )
        else:
            self.say("Removed from the OS keyring." if removed else "No key was stored.")

    def key_to_test(self) -> Secret | None:
        """The key typed in the field, else the one in use."""
        typed = self.entry.text().strip()
        return Secret(typed) if typed else keys.get_key(self.env_var)


class KeysPage(QWidget):
    """The rows, and the key tests running beside the GUI thread (results polled back)."""

    def __init__(self, checker: Checker = check_key, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Provider keys")
        self.checker = checker
        self._executor = ThreadPoolExecutor(max_workers=3, thread_name_prefix="isolde-keytest")
        self._running: dict[str, tuple[KeyRow, Future[KeyCheck]]] = {}
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._collect)
        self.note = QLabel(keyring_note(keys.keyring_name()))
        self.note.setWordWrap(True)
        self.note.setAccessibleName("About key storage")
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        self.rows = {pid: KeyRow(pid, self.test) for pid in PROBES}
        for row in self.rows.values():
            layout.addWidget(row)
        layout.addStretch(1)

    @property
    def testing(self) -> bool:
        return bool(self._running)

    def test(self, row: KeyRow) -> None:
        if row.provider_id in self._running:
            return
        key = row.key_to_test()
        if key is None:
            row.say(f"No key to test: paste one above or set {row.env_var}.")
            return
        row.say(f"Testing the key with {row.title}…")
        row.test_button.setEnabled(False)
        future = self._executor.submit(self.checker, row.provider_id, key)
        self._running[row.provider_id] = (row, future)
        self._poll.start()

    def _collect(self) -> None:
        for pid, (row, future) in list(self._running.items()):
            if not future.done():
                continue
            del self._running[pid]
            row.test_button.setEnabled(True)
            try:
                result = future.result()
            except Exception as exc:  # a bug in a check must not leave the row "testing"
                result = KeyCheck(None, f"the test failed unexpectedly ({type(exc).__name__})")
            mark = {True: "✓ ", False: "✗ ", None: "⚠ "}[result.ok]
            row.say(mark + result.message)
        if not self._running:
            self._poll.stop()

    def shutdown(self) -> None:
        """Stop polling; a test still running finishes on its own (it has a short timeout)."""
        self._poll.stop()
        self._running.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)
