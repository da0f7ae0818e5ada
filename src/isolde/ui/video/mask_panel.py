"""The Mask panel: the masked objects (add, rename in place, colour, "send" for the request,
delete), the painting tools with their size, tracking forward/backward with progress and Cancel,
GrabCut refinement and the cloud assist.

It shows the project and sends edits to it as undoable commands; the chosen tool, size and object
live in `MaskToolState`. Tracking and the assist are asked of the mask tools (`mask_tools`), which
run them in the background; this panel only shows their progress.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from isolde.core.errors import IsoldeError
from isolde.core.masks import MASK_COLORS, MaskObject
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.ui.common.theme import mark_note
from isolde.ui.video.mask_objects import MaskObjectList, swatch
from isolde.ui.video.mask_state import MAX_SIZE, MIN_SIZE, TOOL_TITLES, MaskTool, MaskToolState

TOOL_KEYS = {
    MaskTool.RECT: "Drag a rectangle",
    MaskTool.ELLIPSE: "Drag an ellipse",
    MaskTool.POLYGON: "Click the corners; double-click or Enter closes, Escape drops",
    MaskTool.BRUSH: "Paint with the brush",
    MaskTool.ERASER: "Erase with the brush",
}


class MaskPanel(QWidget):
    track_requested = Signal(int)  # +1 forward, -1 backward, 0 both ways
    assist_requested = Signal()
    cancel_requested = Signal()
    message = Signal(str)
    entered = Signal()  # the mouse came over the panel (a good moment to look for a key again)

    def __init__(self, tools: MaskToolState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Mask panel")
        self.tools = tools
        self.project: Project | None = None
        self.frame: int | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        box = self._unsubscribe
        self.destroyed.connect(lambda *_: [f() for f in box])

        self.objects = MaskObjectList(tools)
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add an object to mask (it makes the sound)")
        self.colour_button = QToolButton()
        self.colour_button.setText("Colour")
        self.colour_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.colour_button.setMenu(self._colour_menu())
        self.delete_button = QPushButton("Delete")
        self.tool_buttons: dict[MaskTool, QToolButton] = {}
        for tool in MaskTool:
            button = QToolButton()
            button.setText(TOOL_TITLES[tool])
            button.setAccessibleName(f"{TOOL_TITLES[tool]} tool")
            button.setToolTip(f"{TOOL_KEYS[tool]} on the picture (click again to pan instead)")
            button.setCheckable(True)
            button.clicked.connect(lambda on, t=tool: tools.set_tool(t if on else None))
            self.tool_buttons[tool] = button
        self.size = QSpinBox()
        self.size.setAccessibleName("Brush size")
        self.size.setRange(int(MIN_SIZE), int(MAX_SIZE))
        self.size.setSuffix(" px")
        self.size.setToolTip("Brush and eraser diameter, in picture pixels")
        self.track_back = QPushButton("◀ Track")
        self.track_forward = QPushButton("Track ▶")
        self.track_both = QPushButton("◀ Both ▶")
        self._track_tips = {
            self.track_back: "Follow the object backward from this keyframe",
            self.track_forward: "Follow the object forward from this keyframe",
            self.track_both: "Follow the object both ways from this keyframe, up to its "
            "neighbouring keyframes",
        }
        self.refine = QCheckBox("Refine shape (GrabCut)")
        self.refine.setToolTip("Fit the shape to the picture inside each tracked box")
        self.delete_keyframe = QPushButton("Delete keyframe")
        self.clear_track = QPushButton("Clear track")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.task_label = QLabel()
        self.task_label.setWordWrap(True)
        self.assist_button = QPushButton("Assist…")
        self.assist_button.setToolTip("Ask SAM 3 in the cloud for the object's mask in every frame")
        self.assist_note = QLabel()
        self.assist_note.setWordWrap(True)
        mark_note(self.assist_note, 1.0)
        self._layout()
        self.show_task(False)

        self.add_button.clicked.connect(self.add_object)
        self.delete_button.clicked.connect(self.delete_object)
        self.objects.renamed.connect(
            lambda mask_id, name: self._edit(lambda p: p.rename_mask(mask_id, name))
        )
        self.objects.send_changed.connect(
            lambda mask_id, send: self._edit(lambda p: p.update_mask(mask_id, send=send))
        )
        self.size.valueChanged.connect(lambda v: tools.set_size(v))
        self.refine.clicked.connect(self._refine_clicked)
        self.track_forward.clicked.connect(lambda: self.track_requested.emit(1))
        self.track_back.clicked.connect(lambda: self.track_requested.emit(-1))
        self.track_both.clicked.connect(lambda: self.track_requested.emit(0))
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        self.assist_button.clicked.connect(self.assist_requested.emit)
        self.delete_keyframe.clicked.connect(self._delete_keyframe)
        self.clear_track.clicked.connect(self._clear_track)
        tools.tool_changed.connect(self._show_tool)
        tools.size_changed.connect(lambda s: self.size.setValue(round(s)))
        tools.object_changed.connect(lambda _id: self.refresh())
        self.size.setValue(round(tools.size))
        self.refresh()

    def _layout(self) -> None:
        rows = QVBoxLayout(self)
        rows.setContentsMargins(6, 4, 6, 4)
        rows.addWidget(self.objects, 1)
        rows.addLayout(_row(self.add_button, self.colour_button, self.delete_button))
        rows.addLayout(_row(*self.tool_buttons.values()))
        rows.addLayout(_row(QLabel("Size"), self.size, self.delete_keyframe))
        rows.addLayout(_row(self.track_back, self.track_both, self.track_forward, self.clear_track))
        rows.addWidget(self.refine)
        rows.addLayout(_row(self.progress, self.cancel_button, stretch=False))
        rows.addWidget(self.task_label)
        rows.addLayout(_row(self.assist_button))
        rows.addWidget(self.assist_note)

    def _colour_menu(self) -> QMenu:
        menu = QMenu(self)
        for colour in MASK_COLORS:
            action = QAction(swatch(colour), colour, menu)
            action.triggered.connect(lambda _c=False, c=colour: self.set_colour(c))
            menu.addAction(action)
        menu.addSeparator()
        other = menu.addAction("Other…")
        other.triggered.connect(self._pick_colour)
        return menu

    # -- the project ----------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.project = project
        if project is not None:
            self._unsubscribe.append(project.subscribe(lambda _s, _r: self.refresh()))
        masks = project.state.masks if project else ()
        self.tools.set_object(masks[0].id if masks else None)
        self.refresh()

    def set_frame(self, frame: int | None) -> None:
        self.frame = frame
        self._enable()

    def current(self) -> MaskObject | None:
        state, mask_id = self._state(), self.tools.object_id
        if state is None or mask_id is None:
            return None
        return next((m for m in state.masks if m.id == mask_id), None)

    def refresh(self) -> None:
        state = self._state()
        masks = state.masks if state else ()
        wanted = masks[-1].id if masks else None
        if self.tools.object_id not in {m.id for m in masks} and self.tools.object_id != wanted:
            self.tools.set_object(wanted)
            return  # set_object refreshes
        self.objects.show_objects(masks)
        obj = self.current()
        self.refine.setChecked(bool(obj and obj.refine))
        self._enable()

    def _enable(self) -> None:
        obj = self.current()
        has = obj is not None
        on_key = has and self.frame is not None and obj.keyframe(self.frame) is not None
        for widget in (self.colour_button, self.delete_button, self.refine):
            widget.setEnabled(has)
        self.add_button.setEnabled(self.project is not None)
        self.delete_keyframe.setEnabled(on_key)
        self.clear_track.setEnabled(has and bool(obj.track))
        for button, tip in self._track_tips.items():
            button.setEnabled(on_key and not self.cancel_button.isVisible())
            button.setToolTip(
                tip
                if on_key or not has
                else "Tracking starts from a keyframe: paint on this frame first"
            )

    def _state(self) -> ProjectState | None:
        return self.project.state if self.project else None

    def _show_tool(self, tool: MaskTool | None) -> None:
        for each, button in self.tool_buttons.items():
            button.setChecked(each is tool)

    # -- edits ----------------------------------------------------------------------------------
    def _edit(self, fn: Callable[[Project], object]) -> None:
        if self.project is None:
            return
        try:
            fn(self.project)
        except IsoldeError as exc:
            self.message.emit(str(exc))
            self.refresh()

    def add_object(self) -> str | None:
        if self.project is None:
            return None
        taken = {m.name for m in self.project.state.masks}
        n = len(taken) + 1
        while f"Object {n}" in taken:
            n += 1
        mask_id = self.project.add_mask(f"Object {n}")
        self.tools.set_object(mask_id)
        if self.tools.tool is None:
            self.tools.set_tool(MaskTool.RECT)  # ready to draw the new object
        return mask_id

    def delete_object(self) -> None:
        obj = self.current()
        if obj is not None:
            self._edit(lambda p: p.remove_mask(obj.id))

    def set_colour(self, colour: str) -> None:
        obj = self.current()
        if obj is not None:
            self._edit(lambda p: p.update_mask(obj.id, color=colour))

    def _pick_colour(self) -> None:
        obj = self.current()
        if obj is not None:
            chosen = QColorDialog.getColor(QColor(obj.color), self, f"Colour of '{obj.name}'")
            if chosen.isValid():
                self.set_colour(chosen.name())

    def _refine_clicked(self, on: bool) -> None:
        obj = self.current()
        if obj is not None:
            self._edit(lambda p: p.update_mask(obj.id, refine=on))

    def _delete_keyframe(self) -> None:
        obj, frame = self.current(), self.frame
        if obj is not None and frame is not None and obj.keyframe(frame) is not None:
            self._edit(lambda p: p.remove_keyframe(obj.id, frame))

    def _clear_track(self) -> None:
        obj = self.current()
        if obj is not None and obj.track:
            self._edit(lambda p: p.clear_track(obj.id))

    # -- background work ------------------------------------------------------------------------
    def show_task(self, running: bool, fraction: float = 0.0, text: str = "") -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.progress.setValue(round(1000 * min(max(fraction, 0.0), 1.0)))
        if text or not running:
            self.task_label.setText(text)
        self.assist_button.setEnabled(not running and self.assist_note.property("ok") is True)
        self._enable()

    def enterEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.entered.emit()
        super().enterEvent(event)

    def set_assist_available(self, ok: bool, note: str) -> None:
        """Enable "Assist…", or disable it with a one-line reason (no key, no video)."""
        self.assist_note.setProperty("ok", ok)
        self.assist_note.setText(note)
        self.assist_note.setVisible(bool(note))
        self.assist_button.setEnabled(ok and not self.cancel_button.isVisible())


def _row(*widgets: QWidget, stretch: bool = True) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(4)
    for widget in widgets:
        row.addWidget(widget, 1 if isinstance(widget, QProgressBar) else 0)
    if stretch:
        row.addStretch(1)
    return row
