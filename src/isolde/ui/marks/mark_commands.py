"""What each editor command does: tools, marks, navigation and transport, for one main window."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from isolde.core.errors import IsoldeError
from isolde.core.project import Project
from isolde.ui.common.edit_state import EditState, Tool
from isolde.ui.marks.mark_dialog import MarkDialog
from isolde.ui.marks.marks import (
    EXCLUDE,
    INCLUDE,
    Mark,
    add_mark,
    find_mark,
    marks_of,
    remove_mark,
    set_kind,
)
from isolde.ui.playback.transport import Transport
from isolde.ui.timeline.timeline_widget import TimelineWidget


class MarkHost(Protocol):
    """What the commands use of the window that holds them (the main window wires them)."""

    project: Project | None
    edit_state: EditState
    timeline: TimelineWidget
    transport: Transport
    actions_by_key: Mapping[str, QAction]

    def seek(self, t: float) -> None: ...

    def show_status(self, message: str) -> None: ...


class MarkCommands:
    def __init__(self, window: MarkHost) -> None:
        self.w = window

    @property
    def _parent(self) -> QWidget | None:
        """Dialogs and menus belong to the window when it is a widget (it is in the editor)."""
        return self.w if isinstance(self.w, QWidget) else None

    def slots(self) -> dict[str, object]:
        a = self.w
        return {
            "tool_include": lambda on: self._tool(Tool.INCLUDE, on),
            "tool_exclude": lambda on: self._tool(Tool.EXCLUDE, on),
            "tool_inpaint": lambda on: self._tool(Tool.INPAINT, on),
            "snap": a.edit_state.set_snap,
            "combined": a.timeline.set_combined,
            "spectrogram": a.timeline.set_spectrogram,
            "log_frequency": a.timeline.set_log_frequency,
            "zoom_in": a.timeline.zoom_in,
            "zoom_out": a.timeline.zoom_out,
            "zoom_fit": a.timeline.zoom_to_fit,
            "zoom_selection": self.zoom_selection,
            "pan_left": lambda: a.timeline.pan(-0.1),
            "pan_right": lambda: a.timeline.pan(0.1),
            "playhead_back": lambda: self.move_playhead(-1.0),
            "playhead_forward": lambda: self.move_playhead(1.0),
            "playhead_start": lambda: self.playhead_to(0.0),
            "playhead_end": lambda: self.playhead_to(self._duration()),
            "play_pause": lambda: a.transport.toggle(a.timeline.playhead),
            "play_mark": lambda: self.play_mark(loop=False),
            "loop_mark": lambda: self.play_mark(loop=True),
            "stop": a.transport.stop,
            "set_in": lambda: a.edit_state.set_in(a.timeline.playhead),
            "set_out": lambda: a.edit_state.set_out(a.timeline.playhead),
            "add_mark": self.add_from_in_out,
            "next_mark": lambda: self.step_selection(1),
            "previous_mark": lambda: self.step_selection(-1),
            "flip_mark": self.flip_selected,
            "edit_mark": lambda: self.edit_mark_by_id(a.edit_state.selected),
            "delete_mark": self.delete_selected,
        }

    # -- helpers --------------------------------------------------------------------------
    def _duration(self) -> float:
        source = self.w.timeline.source
        return source.duration if source else 0.0

    def _selected(self) -> Mark | None:
        project = self.w.project
        return find_mark(project.state, self.w.edit_state.selected) if project else None

    def _guard(self, fn) -> None:  # type: ignore[no-untyped-def]
        try:
            fn()
        except IsoldeError as exc:
            self.w.show_status(str(exc))

    def _tool(self, tool: Tool, on: bool) -> None:
        if on:
            self.w.edit_state.set_tool(tool)

    # -- commands -------------------------------------------------------------------------
    def zoom_selection(self) -> None:
        if not self.w.timeline.zoom_to_selection():
            self.w.show_status("Select a mark, or set in and out points ([ and ]), to zoom to it")

    def move_playhead(self, delta: float) -> None:
        self.playhead_to(self.w.timeline.playhead + delta)

    def playhead_to(self, t: float) -> None:
        t = min(max(0.0, t), self._duration())
        self.w.seek(t)
        x0, x1 = self.w.timeline.view.visible()
        if not x0 <= t <= x1:
            self.w.timeline.centre_on(t)

    def play_mark(self, loop: bool) -> None:
        mark = self._selected()
        rng = (mark.start, mark.end) if mark else self.w.edit_state.in_out_range()
        if rng is None:
            self.w.show_status("Select a mark (or set in/out) to play it")
            return
        self.w.transport.play(rng[0], rng[1], loop=loop)

    def add_from_in_out(self) -> None:
        project, rng = self.w.project, self.w.edit_state.in_out_range()
        if project is None:
            return
        if rng is None:
            self.w.show_status("Set an in point ([) and an out point (]) first")
            return

        def add() -> None:
            mark_id = add_mark(project, self.w.edit_state.tool.value, *rng)
            self.w.edit_state.select(mark_id)

        self._guard(add)

    def step_selection(self, direction: int) -> None:
        project = self.w.project
        if project is None:
            return
        marks = sorted(marks_of(project.state), key=lambda m: (m.start, m.end))
        if not marks:
            return
        current = self._selected()
        if current is None:
            t = self.w.timeline.playhead
            ahead = [m for m in marks if (m.start >= t if direction > 0 else m.start <= t)]
            pick = (ahead[0] if direction > 0 else ahead[-1]) if ahead else marks[0]
        else:
            index = next(i for i, m in enumerate(marks) if m.id == current.id)
            pick = marks[(index + direction) % len(marks)]
        self.w.edit_state.select(pick.id)
        x0, x1 = self.w.timeline.view.visible()
        if pick.end < x0 or pick.start > x1:
            self.w.timeline.centre_on((pick.start + pick.end) / 2)

    def flip_selected(self) -> None:
        mark, project = self._selected(), self.w.project
        if mark is None or project is None or mark.is_region:
            self.w.show_status("Select an include or exclude span to flip it")
            return
        self._guard(lambda: set_kind(project, mark, EXCLUDE if mark.kind == INCLUDE else INCLUDE))

    def delete_selected(self) -> None:
        mark, project = self._selected(), self.w.project
        if mark is None or project is None:
            return
        self._guard(lambda: remove_mark(project, mark))
        self.w.edit_state.select(None)

    def edit_mark_by_id(self, mark_id: str | None) -> None:
        project = self.w.project
        mark = find_mark(project.state, mark_id) if project else None
        if mark is None or project is None:
            self.w.show_status("Select a mark first")
            return
        MarkDialog(project, mark, self._parent).exec()

    # -- context menu ---------------------------------------------------------------------
    def build_context_menu(self, mark_id: str | None) -> QMenu:
        menu = QMenu(self._parent)
        keys = self.w.actions_by_key
        if mark_id is not None:
            mark = self._selected()
            if mark is not None and not mark.is_region:
                menu.addAction(keys["flip_mark"])
            menu.addAction(keys["edit_mark"])
            menu.addAction(keys["play_mark"])
            menu.addAction(keys["loop_mark"])
            menu.addSeparator()
            menu.addAction(keys["delete_mark"])
        else:
            for key in (
                "tool_include",
                "tool_exclude",
                "tool_inpaint",
                "set_in",
                "set_out",
                "add_mark",
                "zoom_fit",
            ):
                menu.addAction(keys[key])
        return menu

    def context_menu(self, mark_id: str | None, screen_pos) -> None:  # type: ignore[no-untyped-def]
        self.build_context_menu(mark_id).exec(screen_pos)
