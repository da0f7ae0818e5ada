"""The main window's keyboard and screen-reader wiring: the timeline's spoken state, job
results announced, the Tab order: through the prompt panel (engine → prompt → options →
Separate, kept when the options form is rebuilt for another engine), and out of every table,
and the keys of a button Tab reached."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QGridLayout, QScrollArea, QWidget

from isolde.ui.common.announce import announce
from isolde.ui.shell.button_keys import ButtonKeys
from isolde.ui.timeline.timeline_access import TimelineAccess

if TYPE_CHECKING:
    from isolde.ui.jobs.prompt_panel import PromptPanel
    from isolde.ui.shell.main_window import MainWindow


def prompt_chain(panel: PromptPanel) -> list[QWidget]:
    """The prompt panel's controls in Tab order: what to send to, what to say, how, then send."""
    fields: list[QWidget] = []
    grid = panel.options.layout()
    if isinstance(grid, QGridLayout):
        for row in range(grid.rowCount()):
            for column in range(grid.columnCount()):
                item = grid.itemAtPosition(row, column)
                widget = item.widget() if item is not None else None
                if widget is not None and _tabbable(widget) and widget not in fields:
                    fields.append(widget)
    return [
        panel.engine,
        panel.prompt,
        panel.examples,
        panel.only_selection,
        *fields,
        panel.separate_button,
        panel.inpaint_button,
        panel.compare_button,
    ]


def _tabbable(widget: QWidget) -> bool:
    return not widget.isHidden() and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


class PromptTabOrder(QObject):
    """Sets the prompt panel's Tab order, and again whenever the options form gets new fields
    (they are made after the buttons, so Qt's default order would put them last)."""

    def __init__(self, panel: PromptPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self._later = QTimer(self, singleShot=True, interval=0)
        self._later.timeout.connect(self.apply)
        panel.options.installEventFilter(self)
        self.apply()

    def apply(self) -> None:
        chain = prompt_chain(self.panel)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildAdded:
            self._later.start()  # once, after the whole form is built
        return False


def keep_tab_moving(window: QWidget) -> None:
    """Tab leaves every table (arrow keys move inside it, as in the marks and jobs lists), and
    skips scroll areas, whose fields take the focus themselves."""
    for view in window.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)
    for area in window.findChildren(QScrollArea):
        if not isinstance(area, QAbstractItemView):
            area.setFocusPolicy(Qt.FocusPolicy.NoFocus)


class WindowAccess:
    def __init__(self, window: MainWindow) -> None:
        self.timeline = TimelineAccess(window.timeline, lambda: window.transport.playing)
        window.transport.playing_changed.connect(
            lambda playing: None if playing else self.timeline.stopped()
        )
        window.jobs.flow.completed.connect(lambda text: announce(window, text))
        self.prompt_order = PromptTabOrder(window.jobs.prompt_panel)
        keep_tab_moving(window)
        self.button_keys = ButtonKeys(window)  # Space and Return press a button Tab reached

    def close(self) -> None:
        self.timeline.close()


def install_accessibility(window: MainWindow) -> WindowAccess:
    """Wire the window's spoken state, announcements and Tab order."""
    return WindowAccess(window)
