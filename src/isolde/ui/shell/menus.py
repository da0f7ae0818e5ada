"""The menu bar and the toolbar of the main window, laid out from the editor commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from isolde.ui.shell.recent_files import recent_menu
from isolde.ui.shell.shortcuts_dialog import show_shortcuts

if TYPE_CHECKING:
    from isolde.ui.jobs.job_docks import JobDocks
    from isolde.ui.results.results_docks import ResultsDocks
    from isolde.ui.video.install import VideoDocks

# A command key, None for a separator, or "@name": the entries of `extras[name]` (dock toggles,
# submenus, per-job commands — things that are not editor commands).
MENUS: dict[str, tuple[str | None, ...]] = {
    "&File": (
        "open",
        "open_sample",
        "@recent",
        None,
        "save",
        "save_as",
        "export",
        "export_video",
        None,
        "quit",
    ),
    "&Edit": ("undo", "redo", None, "settings"),
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
        None,
        "@view_docks",
        "reset_layout",
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
        None,
        "suggest_speech",
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
        None,
        "@play_menus",
    ),
    "&Results": (
        "listen_original",
        "listen_target",
        "listen_residual",
        "listen_remix",
        "toggle_ab",
        None,
        "hear_try_1",
        "hear_try_2",
        "hear_try_3",
        "hear_try_4",
        "keep_try",
        "keep_try_layers",
        None,
        "apply_remix",
        "apply_whole",
        None,
        "@results_docks",
    ),
    "&Jobs": ("separate", "inpaint", "compare", None, "@job_actions", None, "@job_docks"),
    "&Help": ("shortcuts", "show_guide"),
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

MenuEntry = QAction | QMenu


def menu_extras(
    video: VideoDocks, results: ResultsDocks, jobs: JobDocks
) -> dict[str, Sequence[MenuEntry]]:
    """The `@name` entries of MENUS, from the docks the window installed."""
    return {
        "view_docks": (
            video.dock.toggleViewAction(),
            video.mask_tools.dock.toggleViewAction(),
        ),
        "play_menus": (results.device_menu,),
        "results_docks": (
            results.takes_dock.toggleViewAction(),
            results.remix_dock.toggleViewAction(),
        ),
        "job_actions": tuple(jobs.jobs_panel.job_actions[key] for key in JOB_ACTIONS),
        "job_docks": (jobs.prompt_dock.toggleViewAction(), jobs.jobs_dock.toggleViewAction()),
        "recent": (recent_menu(results.window),),  # filled by recent_files.py
    }


def build_menus(
    window: QMainWindow,
    actions: Mapping[str, QAction],
    extras: Mapping[str, Sequence[MenuEntry]],
) -> None:
    bar = window.menuBar()
    for title, keys in MENUS.items():
        menu = bar.addMenu(title)
        for key in keys:
            if key is None:
                menu.addSeparator()
            elif key.startswith("@"):
                for entry in extras[key[1:]]:
                    _ = menu.addMenu(entry) if isinstance(entry, QMenu) else menu.addAction(entry)
            else:
                menu.addAction(actions[key])
    actions["shortcuts"].triggered.connect(lambda _c=False: show_shortcuts(window))


def build_toolbar(window: QMainWindow, actions: Mapping[str, QAction]) -> QToolBar:
    bar = QToolBar("Tools", window)
    bar.setObjectName("tools-toolbar")
    bar.setAccessibleName("Tools")
    for key in TOOLBAR:
        bar.addSeparator() if key is None else bar.addAction(actions[key])
    window.addToolBar(bar)
    return bar
