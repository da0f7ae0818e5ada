"""Menus, the toolbar and the keyboard shortcuts list of the main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
)

from isolde.ui.shell.editor_actions import shortcuts_table

if TYPE_CHECKING:
    from isolde.ui.shell.main_window import MainWindow

MENUS = {
    "&View": (
        "zoom_in",
        "zoom_out",
        "zoom_fit",
        "zoom_selection",
        None,
        "pan_left",
        "pan_right",
        None,
        "combined",
        "spectrogram",
        "log_frequency",
    ),
    "&Marks": (
        "tool_include",
        "tool_exclude",
        "tool_inpaint",
        "snap",
        None,
        "set_in",
        "set_out",
        "add_mark",
        None,
        "next_mark",
        "previous_mark",
        "flip_mark",
        "edit_mark",
        "delete_mark",
    ),
    "&Play": (
        "play_pause",
        "play_mark",
        "loop_mark",
        "stop",
        None,
        "playhead_back",
        "playhead_forward",
        "playhead_start",
        "playhead_end",
        None,
        "frame_back",
        "frame_forward",
    ),
    "&Results": (
        "listen_original",
        "listen_target",
        "listen_residual",
        "listen_remix",
        "toggle_ab",
        None,
        "apply_remix",
        "apply_whole",
    ),
}
TOOLBAR = (
    "tool_include",
    "tool_exclude",
    "tool_inpaint",
    "snap",
    None,
    "play_pause",
    "stop",
    None,
    "zoom_fit",
    "zoom_selection",
    "spectrogram",
    "combined",
    None,
    "separate",
    "inpaint",
)
JOB_ACTIONS = ("cancel", "retry", "open_take", "logs", "copy_id")


def build_menus(w: MainWindow) -> None:
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    for action in (
        w.open_action,
        w.sample_action,
        None,
        w.save_action,
        w.save_as_action,
        w.actions_by_key["export"],
        w.actions_by_key["export_video"],
        None,
        w.quit_action,
    ):
        file_menu.addSeparator() if action is None else file_menu.addAction(action)
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addAction(w.undo_action)
    edit_menu.addAction(w.redo_action)
    for title, keys in MENUS.items():
        menu = bar.addMenu(title)
        for key in keys:
            menu.addSeparator() if key is None else menu.addAction(w.actions_by_key[key])
        if title == "&View":
            menu.addSeparator()
            menu.addAction(w.video.dock.toggleViewAction())
            menu.addAction(w.video.mask_tools.dock.toggleViewAction())
        elif title == "&Play":
            menu.addSeparator()
            menu.addMenu(w.results_docks.device_menu)
        elif title == "&Results":
            menu.addSeparator()
            menu.addAction(w.results_docks.takes_dock.toggleViewAction())
            menu.addAction(w.results_docks.remix_dock.toggleViewAction())
    jobs_menu = bar.addMenu("&Jobs")
    jobs_menu.addAction(w.actions_by_key["separate"])
    jobs_menu.addAction(w.actions_by_key["inpaint"])
    jobs_menu.addSeparator()
    for key in JOB_ACTIONS:
        jobs_menu.addAction(w.jobs.jobs_panel.job_actions[key])
    jobs_menu.addSeparator()
    jobs_menu.addAction(w.jobs.prompt_dock.toggleViewAction())
    jobs_menu.addAction(w.jobs.jobs_dock.toggleViewAction())
    help_menu = bar.addMenu("&Help")
    help_menu.addAction("&Keyboard shortcuts", lambda: ShortcutsDialog(w).exec())


def build_toolbar(w: MainWindow) -> QToolBar:
    bar = QToolBar("Tools", w)
    bar.setObjectName("tools-toolbar")
    bar.setAccessibleName("Tools")
    for key in TOOLBAR:
        bar.addSeparator() if key is None else bar.addAction(w.actions_by_key[key])
    w.addToolBar(bar)
    return bar


class ShortcutsDialog(QDialog):
    def __init__(self, parent: MainWindow) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcuts_table()
        table = QTableWidget(len(rows), 2, self)
        table.setAccessibleName("Keyboard shortcuts")
        table.setHorizontalHeaderLabels(["Keys", "Command"])
        for i, (keys, what) in enumerate(rows):
            table.setItem(i, 0, QTableWidgetItem(keys))
            table.setItem(i, 1, QTableWidgetItem(what))
        table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        self.resize(460, 560)
