"""The main window: opens a file off the GUI thread and shows its waveform and marks."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QVBoxLayout, QWidget

from isolde.core.errors import IsoldeError
from isolde.core.progress import CancelToken
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.core.timecode import format_time
from isolde.resources import sample_path
from isolde.ui.document import LoadedDocument, load_document
from isolde.ui.waveform_view import WaveformView

AUTOSAVE_MS = 60_000
MEDIA_FILTER = (
    "Audio, video and projects (*.wav *.flac *.ogg *.opus *.mp3 *.aif *.aiff *.m4a *.aac "
    "*.mp4 *.mov *.mkv *.webm *.isolde);;All files (*)"
)


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Isolde")
        self.setObjectName("isolde-main")
        self.project: Project | None = None
        self.document: LoadedDocument | None = None
        self.last_error: str | None = None
        self._unsubscribe = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="isolde-open")
        self._pending: Future[LoadedDocument] | None = None
        self._pending_path: Path | None = None
        self._cancel = CancelToken()

        self.view = WaveformView()
        self.banner = QLabel()
        self.banner.setAccessibleName("Message")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet("padding: 6px; background: #5a2a2a; color: #fff;")
        self.banner.hide()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(body)
        self._build_menus()
        self.statusBar().showMessage("Open a recording or a video (Ctrl+O)")

        self._poll = QTimer(self, interval=30)
        self._poll.timeout.connect(self._check_pending)
        self._autosave = QTimer(self, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self._autosave_now)
        self._autosave.start()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open…", QKeySequence.StandardKey.Open, self._choose_file)
        self._action(file_menu, "Open &sample", None, self.open_sample)
        self._action(file_menu, "Save project &as…", QKeySequence.StandardKey.SaveAs, self._save_as)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self._action(
            edit_menu, "&Undo", QKeySequence.StandardKey.Undo, self._undo
        )
        self.redo_action = self._action(
            edit_menu, "&Redo", QKeySequence.StandardKey.Redo, self._redo
        )

    def _action(self, menu, text, shortcut, slot) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- opening ---------------------------------------------------------------------------
    def open_sample(self) -> None:
        path = sample_path()
        if not path.exists():
            self.show_error(f"The bundled sample is missing ({path}); open a file with Ctrl+O.")
            return
        self.open_path(path)

    def open_path(self, path: Path) -> None:
        if self._pending is not None:
            self._cancel.cancel()
        self._cancel = CancelToken()
        self._pending_path = path
        self._pending = self._executor.submit(load_document, path, self._cancel)
        self.statusBar().showMessage(f"Opening {path.name}…")
        self._poll.start()

    @property
    def loading(self) -> bool:
        return self._pending is not None

    def _check_pending(self) -> None:
        future = self._pending
        if future is None or not future.done():
            return
        self._poll.stop()
        self._pending = None
        path = self._pending_path
        try:
            document = future.result()
        except IsoldeError as exc:
            self.show_error(f"Could not open {path}: {exc}")
            return
        except Exception as exc:  # a bug must not take the window down with it
            self.show_error(f"Could not open {path}: unexpected {type(exc).__name__}: {exc}")
            return
        self._show_document(document)

    def _show_document(self, document: LoadedDocument) -> None:
        if self.document is not None:
            self.document.source.close()
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.document = document
        self.project = document.project
        self._unsubscribe = self.project.subscribe(self._on_state)
        info = document.source.info
        self.view.show_envelope(document.env_min, document.env_max, info.duration)
        self.view.show_marks(self.project.state)
        self.banner.hide()
        self.last_error = None
        name = Path(info.path).name
        self.setWindowTitle(f"{name} — Isolde")
        mono_note = "mono" if info.channels == 1 else f"{info.channels} ch"
        self.statusBar().showMessage(
            f"{name} · {info.format} {info.subtype} · {info.sample_rate} Hz · {mono_note} · "
            f"{format_time(info.duration)}"
        )
        self._update_undo()

    def _on_state(self, state: ProjectState, reason: str) -> None:
        self.view.show_marks(state)
        self._update_undo()

    def _update_undo(self) -> None:
        history = self.project.history if self.project else None
        self.undo_action.setEnabled(bool(history and history.can_undo))
        self.redo_action.setEnabled(bool(history and history.can_redo))

    def show_error(self, message: str) -> None:
        self.last_error = message
        self.banner.setText(message)
        self.banner.show()
        self.statusBar().showMessage("Error — see the message above the waveform")

    # -- actions ---------------------------------------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open", "", MEDIA_FILTER)
        if path:
            self.open_path(Path(path))

    def _save_as(self) -> None:
        if self.project is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save project", "", "Isolde project (*.isolde)")
        if not path:
            return
        try:
            self.project.save(Path(path))
        except IsoldeError as exc:
            self.show_error(str(exc))

    def _undo(self) -> None:
        if self.project is not None and self.project.history.can_undo:
            self.project.undo()

    def _redo(self) -> None:
        if self.project is not None and self.project.history.can_redo:
            self.project.redo()

    def _autosave_now(self) -> None:
        if self.project is not None and self.project.dirty:
            try:
                self.project.autosave()
            except (IsoldeError, OSError) as exc:
                self.statusBar().showMessage(f"Autosave failed: {exc}")

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self._cancel.cancel()
        self._autosave_now()
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.document is not None:
            self.document.source.close()
        super().closeEvent(event)
