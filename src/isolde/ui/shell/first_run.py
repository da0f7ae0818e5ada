"""The first-run guide: three steps shown above the timeline when the editor starts on the
bundled sample, until the user dismisses it for good.

Only a start with no file (FileCommands.start(None) opening the sample) offers it, and only while
the settings say it was never dismissed; "Got it", the close button or Esc (with the focus in
the guide) dismiss it and record that, so it does not return by itself, on this start or the
next; Help → Show the guide brings it back on whatever is open. It is a band in the window, not
a dialog: nothing waits for it. Each step is ticked when the user has done it (an exclude span
exists; a take arrived; target and residual were both heard). The keys it names are read from
the window's actions, so they stay true if a shortcut changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from isolde.core.project import Project
from isolde.core.settings import SettingsError, load_settings, update_settings
from isolde.core.state import ProjectState
from isolde.ui.shell.editor_actions import native_text
from isolde.ui.shell.file_commands import FileCommands
from isolde.ui.shell.recent_files import RecentFiles, install_recent_files
from isolde.ui.timeline.timeline_widget import TimelineWidget

MARK, SEPARATE, LISTEN = range(3)
HEARD_BOTH = frozenset({"listen_target", "listen_residual"})


class GuideWindow(Protocol):
    """What the guide uses of the main window."""

    project: Project | None
    actions_by_key: dict[str, QAction]
    timeline: TimelineWidget
    files: FileCommands  # the guide sets its `on_sample_start`

    def centralWidget(self) -> QWidget: ...

    def show_status(self, message: str) -> None: ...


def key_of(action: QAction) -> str:
    """The first key the action answers to, as this platform writes it."""
    shortcuts = action.shortcuts()
    return native_text(shortcuts[0]) if shortcuts else ""


def guide_steps(actions: dict[str, QAction]) -> tuple[str, str, str]:
    exclude = key_of(actions["tool_exclude"])
    separate = key_of(actions["separate"])
    target, residual = key_of(actions["listen_target"]), key_of(actions["listen_residual"])
    return (
        f"Choose Exclude ({exclude}) and drag over a stretch where only the noise is heard.",
        f"Press Separate ({separate}).",
        f"Listen to the target ({target}) and the residual ({residual}).",
    )


class FirstRunGuide(QFrame):
    """The band itself: a title, three steps that can be ticked, Got it and a close button."""

    dismissed = Signal()

    def __init__(self, steps: tuple[str, str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first-run-guide")
        self.setAccessibleName("First steps guide")
        self.setAccessibleDescription(" ".join(f"{n}. {s}" for n, s in enumerate(steps, 1)))
        # Palette roles, not colours: legible in every theme.
        self.setStyleSheet(
            "#first-run-guide { background: palette(alternate-base); "
            "border: 1px solid palette(highlight); border-radius: 6px; }"
        )
        title = QLabel("Try Isolde on this sample")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.steps = steps
        self.step_labels = [QLabel() for _ in steps]
        self.done = [False] * len(steps)
        self.got_it = QPushButton("Got it")
        self.got_it.setAccessibleName("Got it: hide this guide (Help menu: Show the guide)")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName("Close the guide")
        self.close_button.setToolTip("Close the guide (Help → Show the guide brings it back)")
        self.got_it.clicked.connect(self.dismissed.emit)
        self.close_button.clicked.connect(self.dismissed.emit)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(title)
        for label in self.step_labels:
            label.setWordWrap(True)
            text.addWidget(label)
        buttons = QVBoxLayout()
        buttons.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        buttons.addStretch(1)
        buttons.addWidget(self.got_it)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addLayout(text, 1)
        layout.addLayout(buttons)
        for step in range(len(steps)):
            self.set_done(step, False)

    def set_done(self, step: int, done: bool) -> None:
        self.done[step] = done
        mark = "✓" if done else f"{step + 1}."
        label = self.step_labels[step]
        label.setText(f"{mark} {self.steps[step]}")
        label.setAccessibleName(f"Step {step + 1}{' (done)' if done else ''}: {self.steps[step]}")
        label.setEnabled(not done)  # done steps read dimmer, the next one stands out

    def event(self, event: QEvent) -> bool:
        # Esc stops playback everywhere else; with the focus in the guide it closes the guide.
        if event.type() == QEvent.Type.ShortcutOverride and _is_escape(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.dismissed.emit()
            return
        super().keyPressEvent(event)


def _is_escape(event: QEvent) -> bool:
    return isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape


class FirstRun(QObject):
    """Offers the guide on a start with the sample, ticks its steps, remembers its dismissal."""

    def __init__(self, window: GuideWindow) -> None:
        super().__init__(window.centralWidget())
        self.window = window
        self.guide = FirstRunGuide(guide_steps(window.actions_by_key))
        self.guide.hide()
        self.guide.dismissed.connect(self.dismiss)
        layout = window.centralWidget().layout()
        assert layout is not None
        layout.insertWidget(1, self.guide)  # under the message banner, above the timeline
        self.offered = False
        self._heard: set[str] = set()
        self._unsubscribe: Callable[[], None] | None = None
        window.timeline.document_changed.connect(self._document_changed)
        for key in HEARD_BOTH:
            window.actions_by_key[key].triggered.connect(lambda _c=False, k=key: self._heard_key(k))
        window.actions_by_key["show_guide"].triggered.connect(lambda _c=False: self.show_again())

    def offer(self) -> None:
        """Show the guide once a document is open, unless it was dismissed before."""
        if load_settings().guide_dismissed:
            return
        self._show()

    def show_again(self) -> None:
        """Help → Show the guide: back above the timeline, now or when a file opens, its steps
        ticked from the project as it stands; dismissing it hides it again."""
        self._show()
        if self.guide.isVisible():
            self.guide.got_it.setFocus()  # asked for from the menu: Esc or Enter puts it away

    def _show(self) -> None:
        self.offered = True
        self._document_changed(self.window.project is not None)

    def dismiss(self) -> None:
        self.offered = False
        had_focus = self.guide.isAncestorOf(QApplication.focusWidget())
        self.guide.hide()
        if had_focus:  # the focus must not vanish with the guide
            self.window.timeline.plot_widget.setFocus()
        try:
            update_settings(guide_dismissed=True)
        except SettingsError as exc:
            self.window.show_status(f"The guide is hidden, but could not be remembered: {exc}")

    def _document_changed(self, open_: bool) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        project = self.window.project
        shown = self.offered and open_ and project is not None
        self.guide.setVisible(shown)
        if shown and project is not None:
            self._unsubscribe = project.subscribe(lambda state, _reason: self._tick(state))
            self._tick(project.state)

    def _tick(self, state: ProjectState) -> None:
        self.guide.set_done(MARK, any(not span.include for span in state.spans))
        self.guide.set_done(SEPARATE, bool(state.takes))

    def _heard_key(self, key: str) -> None:
        self._heard.add(key)
        self.guide.set_done(LISTEN, self._heard >= HEARD_BOTH)


def install_recent_and_guide(window: GuideWindow) -> tuple[RecentFiles, FirstRun]:
    """File → Open Recent and the first-run guide, wired into the main window; the guide is
    offered when the app starts on the sample (FileCommands.on_sample_start)."""
    recent = install_recent_files(window)  # type: ignore[arg-type]
    first_run = FirstRun(window)
    window.files.on_sample_start = first_run.offer
    return recent, first_run
