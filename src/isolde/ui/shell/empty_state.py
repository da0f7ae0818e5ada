"""What the window shows with no file open: a short message, Open and Open sample buttons, and a
drop target; meanwhile every command that needs a file is disabled.

Dropping a file anywhere on the window opens it through the window's normal open path, so an
unsaved project is asked about first. Disabling goes through action groups, not the actions
themselves: an action another panel disabled for its own reason (Separate without marks…)
stays disabled when a file opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDragEnterEvent, QDropEvent, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from isolde.audio.file_checks import MEDIA_EXTENSIONS
from isolde.core.projectfile import SUFFIX as PROJECT_SUFFIX
from isolde.core.recovery import AUTOSAVE_SUFFIX
from isolde.ui.common.theme import relative_font, theme_signals, timeline_colours
from isolde.ui.timeline.timeline_widget import TimelineWidget

# Settings that mean something before a file is open stay enabled, and the commands that may
# sit in the window's table (editor_actions) and work without a file.
WITHOUT_FILE = frozenset(
    {"combined", "spectrogram", "log_frequency", "snap"}
    | {"open", "open_sample", "quit", "shortcuts", "settings", "reset_layout", "show_guide"}
)
FILE_ACTION_ATTRIBUTES = ("save_action", "save_as_action", "undo_action", "redo_action")
COLUMN_WIDTH = 440  # px: the message and buttons, centred


def openable(path: Path) -> bool:
    """A file the window can open: audio, video, a project or an autosave."""
    name = path.name.lower()
    return (
        path.suffix.lower() in MEDIA_EXTENSIONS
        or name.endswith(PROJECT_SUFFIX)
        or name.endswith(AUTOSAVE_SUFFIX)
    )


def dropped_file(urls: Iterable[QUrl]) -> Path | None:
    """The first local file among `urls` that the window can open."""
    for url in urls:
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if openable(path):
                return path
    return None


class Window(Protocol):
    """What the empty state uses of the main window."""

    actions_by_key: dict[str, QAction]
    timeline: TimelineWidget

    def centralWidget(self) -> QWidget: ...

    def open_path(self, path: Path) -> bool: ...

    def open_sample(self) -> None: ...

    def show_status(self, message: str) -> None: ...


IDLE_TITLE = "No recording open"
IDLE_HINT = "Open a recording or a video to mark, separate and repair it."
OPENING_HINT = "Reading the file; the waveform appears in a moment."


class EmptyState(QWidget):
    open_requested = Signal()
    sample_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("No file open")
        self.setObjectName("empty-state")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.set_hover(False)
        theme_signals().changed.connect(self._theme_changed)
        self.title = title = QLabel(IDLE_TITLE)
        relative_font(title, 1.6, weight=QFont.Weight.DemiBold)  # follows the system font size
        self.hint = hint = QLabel(IDLE_HINT)
        self.drop = drop = QLabel("Or drop an audio, video or .isolde file here.")
        self.open_button = QPushButton("Open a recording or video…")
        self.open_button.setAccessibleName("Open a recording or video")
        self.open_button.setDefault(True)
        self.sample_button = QPushButton("Open sample")
        self.sample_button.setAccessibleName("Open the sample recording")
        self.open_button.clicked.connect(self.open_requested.emit)
        self.sample_button.clicked.connect(self.sample_requested.emit)
        column = QWidget()  # a fixed-width column, so the wrapped hint is never squeezed
        column.setFixedWidth(COLUMN_WIDTH)
        inner = QVBoxLayout(column)
        for label in (title, hint, drop):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            inner.addWidget(label)
        inner.addSpacing(12)
        for button in (self.open_button, self.sample_button):
            inner.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def set_opening(self, name: str | None) -> None:
        """While a file loads (at launch, the sample or the file asked for) say so, rather
        than "No recording open"; None: back to the offer to open one."""
        self.title.setText(f"Opening {name}…" if name else IDLE_TITLE)
        self.hint.setText(OPENING_HINT if name else IDLE_HINT)
        self.setAccessibleName(f"Opening {name}" if name else "No file open")
        for widget in (self.drop, self.open_button, self.sample_button):
            widget.setVisible(not name)

    def set_hover(self, on: bool) -> None:
        """A file the window can open is being dragged over it: light up the drop target."""
        self._hover = on
        colours, palette = timeline_colours(), QApplication.palette()  # the theme's, live
        border = colours.playhead if on else palette.color(QPalette.ColorRole.Mid)
        text = palette.color(QPalette.ColorRole.Text)
        sheet = (
            f"#empty-state {{ background: {palette.color(QPalette.ColorRole.Base).name()}; "
            f"border: 2px dashed {border.name()}; border-radius: 8px; }} "
            f"QLabel {{ color: {text.name()}; }}"
        )
        if sheet != self.styleSheet():  # a new sheet re-polishes every child: only on change
            self.setStyleSheet(sheet)

    def _theme_changed(self, _name: str) -> None:
        self.set_hover(self._hover)


class FileDrops(QObject):
    """Opens files dropped on the window (an event filter on it; children pass drops up)."""

    hover = Signal(bool)  # an openable file is being dragged over the window
    refused = Signal(str)  # why the files dragged in cannot be opened

    def __init__(self, window: QWidget, open_path: Callable[[Path], object]) -> None:
        super().__init__(window)
        self._open_path = open_path
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDropEvent)
            ok = dropped_file(event.mimeData().urls()) is not None
            if ok:
                event.acceptProposedAction()
            else:
                event.ignore()
                if kind == QEvent.Type.DragEnter:  # once, not on every move
                    self._refuse(event.mimeData().urls())
            self.hover.emit(ok)
            return True
        if kind == QEvent.Type.DragLeave:
            self.hover.emit(False)
            return False
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            self.hover.emit(False)
            path = dropped_file(event.mimeData().urls())
            if path is None:
                event.ignore()
                return True
            event.acceptProposedAction()
            self._open_path(path)
            return True
        return False

    def _refuse(self, urls: Iterable[QUrl]) -> None:
        names = [Path(url.toLocalFile()).name for url in urls if url.isLocalFile()]
        if names:  # text or links from elsewhere are simply not taken
            more = f" (and {len(names) - 1} more)" if len(names) > 1 else ""
            self.refused.emit(
                f"Isolde cannot open {names[0]}{more}: drop an audio or video file, "
                "or an .isolde project"
            )


class FileNeeded:
    """Enables the commands that need a file only while one is open."""

    def __init__(self, owner: QObject, actions: Iterable[QAction]) -> None:
        self.groups: list[QActionGroup] = []
        own = QActionGroup(owner)
        own.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
        for action in actions:
            group = action.actionGroup()  # the tools already share an exclusive group
            if group is None:
                own.addAction(action)
            elif group not in self.groups:
                self.groups.append(group)
        self.groups.append(own)

    def set_file_open(self, open_: bool) -> None:
        for group in self.groups:
            group.setEnabled(open_)


class EmptyStateWiring:
    def __init__(self, window: Window) -> None:
        self.window = window
        self.widget = EmptyState()
        self.widget.open_requested.connect(self._choose_file)
        self.widget.sample_requested.connect(window.open_sample)
        layout = window.centralWidget().layout()
        assert layout is not None
        layout.addWidget(self.widget, 1)
        self.drops = FileDrops(window, window.open_path)  # type: ignore[arg-type]
        self.drops.hover.connect(self.widget.set_hover)
        self.drops.refused.connect(window.show_status)
        self.file_needed = FileNeeded(window, _file_actions(window))  # type: ignore[arg-type]
        window.timeline.document_changed.connect(self.show_document)
        self.show_document(False)

    def opening(self, name: str | None) -> None:
        self.widget.set_opening(name)

    def show_document(self, open_: bool) -> None:
        self.widget.set_opening(None)
        self.widget.setVisible(not open_)
        self.window.timeline.setVisible(open_)
        self.file_needed.set_file_open(open_)

    def _choose_file(self) -> None:
        # The window's Open action: the same dialog, folder and checks as Ctrl+O.
        action = getattr(self.window, "open_action", None) or self.window.actions_by_key.get("open")
        if action is not None:
            action.trigger()


def _file_actions(window: Window) -> list[QAction]:
    actions = [a for key, a in window.actions_by_key.items() if key not in WITHOUT_FILE]
    for name in FILE_ACTION_ATTRIBUTES:
        action = getattr(window, name, None)
        if action is not None and action not in actions:
            actions.append(action)
    return actions


def install_empty_state(window: Window) -> EmptyStateWiring:
    """Put the empty state in the window's central area and wire drops and action states."""
    return EmptyStateWiring(window)
