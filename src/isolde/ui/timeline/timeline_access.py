"""What the timeline tells assistive technology: the playhead time and the selected mark in its
accessible name ("Timeline, playhead 0:00:01.250 of 0:00:10.000, selected: exclude span
0:00:02.000–0:00:03.500"), and how to work it in its description.

Updated on a seek, a stop, a selection and an edit of the project, never while the playhead
follows playback (30 times a second would drown a screen reader); an accessibility event goes
out only when the text changed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAccessible

from isolde.core.state import ProjectState
from isolde.core.timecode import format_time
from isolde.ui.common.announce import send_event
from isolde.ui.marks.marks import INPAINT, Mark, find_mark
from isolde.ui.timeline.timeline_widget import TimelineWidget

HOW_TO = (
    "{tool} tool. Drag to mark a stretch; I, E and R choose include, exclude or inpaint; "
    "period and comma select the next or previous mark; Space plays, Home and End move the "
    "playhead; F1 lists every key."
)


def mark_text(mark: Mark) -> str:
    what = "inpaint region" if mark.kind == INPAINT else f"{mark.kind} span"
    return f"{what} {format_time(mark.start)}–{format_time(mark.end)}"


def timeline_name(playhead: float, duration: float | None, selected: Mark | None) -> str:
    """The accessible name: where the playhead is, and the selected mark."""
    if duration is None:
        return "Timeline, no file open"
    text = f"Timeline, playhead {format_time(playhead)} of {format_time(duration)}"
    return text + (f", selected: {mark_text(selected)}" if selected else ", no mark selected")


class TimelineAccess:
    """Keeps the timeline plot's accessible name and description current."""

    def __init__(self, timeline: TimelineWidget, playing: Callable[[], bool]) -> None:
        self.timeline = timeline
        self.widget = timeline.plot_widget
        self.playing = playing
        self._unsubscribe: Callable[[], None] | None = None
        edit_state = timeline.edit_state
        timeline.playhead_set.connect(self._playhead_set)
        timeline.document_changed.connect(self._document_changed)
        edit_state.selection_changed.connect(lambda _id: self.update())
        edit_state.tool_changed.connect(lambda _tool: self.update())
        self.update()

    def _playhead_set(self, _t: float, following: bool) -> None:
        if not following:
            self.update()

    def _document_changed(self, _shown: bool) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        project = self.timeline.project
        if project is not None:
            self._unsubscribe = project.subscribe(self._on_state)
        self.update()

    def _on_state(self, _state: ProjectState, _reason: str) -> None:
        self.update()  # the selected mark may have moved

    def stopped(self) -> None:
        """Playback stopped: say where the playhead came to rest."""
        self.update()

    def update(self) -> None:
        if self.playing():
            return
        timeline = self.timeline
        source = timeline.source
        selected = None
        if timeline.project is not None:
            selected = find_mark(timeline.project.state, timeline.edit_state.selected)
        name = timeline_name(timeline.playhead, source.duration if source else None, selected)
        tool = str(timeline.edit_state.tool).capitalize()
        description = HOW_TO.format(tool=tool)
        if name != self.widget.accessibleName():
            self.widget.setAccessibleName(name)
            send_event(self.widget, QAccessible.Event.NameChanged)
        if description != self.widget.accessibleDescription():
            self.widget.setAccessibleDescription(description)
            send_event(self.widget, QAccessible.Event.DescriptionChanged)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
