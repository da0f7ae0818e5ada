"""The mask tools in the main window: the Mask dock, the paint handler on the viewer's picture,
tracking in the background and the keyframe ticks on the timeline.

`install_mask_tools(window, viewer)` (called from `install.py`) creates them. `MaskTools` is the
glue only: the project holds the masks, `MaskToolState` what the user has chosen; tracking runs
on a `BackgroundTask` worker with a reader of its own, and its boxes go into the project on the
GUI thread as one undo step (`Project.set_track`). The cloud assist lives in `mask_assist.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from isolde.core.errors import InputError
from isolde.core.masks import MaskObject, TrackBox
from isolde.core.progress import CancelToken, ProgressFn
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.ui.common.docks import make_dock
from isolde.ui.timeline.keyframes_item import KeyframesItem
from isolde.ui.video.background import BackgroundTask
from isolde.ui.video.mask_assist import MaskAssist
from isolde.ui.video.mask_panel import MaskPanel
from isolde.ui.video.mask_state import MaskTool, MaskToolState
from isolde.ui.video.paint import PaintHandler
from isolde.ui.video.viewer import VideoViewer

DIRECTIONS = {1: "forward", -1: "backward", 0: "both ways"}


class MaskTools(QObject):
    """Implements `paint.PaintContext` for the handler."""

    def __init__(
        self,
        window: QMainWindow,
        viewer: VideoViewer,
        show_status: Callable[[str], None],
        keyframes: KeyframesItem | None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.viewer = viewer
        self._show_status = show_status
        self._keyframes = keyframes
        self.state = MaskToolState(self)
        self.panel = MaskPanel(self.state)
        self.dock = make_dock(window, "Mask", "mask-dock", "Mask panel", self.panel)
        self.handler = PaintHandler(self.state, viewer.view, self)
        self.task = BackgroundTask(self)
        self.assist = MaskAssist(self)
        self._project: Project | None = None
        self._video: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self._timeline: Any = None  # a MaskTimeline for the picture size (GUI thread only)

        self.state.tool_changed.connect(self._tool_changed)
        self.state.object_changed.connect(lambda _id: self.show_ticks())
        viewer.frame_shown.connect(self._frame_shown)
        self.panel.track_requested.connect(self.track)
        self.panel.cancel_requested.connect(self.task.cancel)
        self.panel.assist_requested.connect(self.assist.ask)
        self.panel.message.connect(self.message)
        self.task.progressed.connect(lambda f, text: self.panel.show_task(True, f, text))
        self.task.running_changed.connect(lambda on: self.panel.show_task(on))
        self.task.failed.connect(self._task_failed)
        self.task.cancelled.connect(self._task_cancelled)
        # A key may be set while the editor runs: look again when the panel comes into view
        # or the mouse comes over it (not on every frame: reading the keyring can be slow).
        self.dock.visibilityChanged.connect(lambda shown: shown and self.assist.refresh())
        self.panel.entered.connect(self.assist.refresh)
        self.sync()

    # -- PaintContext -----------------------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.viewer.project

    def current_frame(self) -> int | None:
        return self.viewer.current_frame if self.viewer.video is not None else None

    def shown_mask(self, obj: MaskObject, frame: int) -> np.ndarray | None:
        size = self.viewer.image_size
        if size is None:
            return None
        from isolde.video.mask_timeline import MaskTimeline

        if self._timeline is None or (self._timeline.width, self._timeline.height) != size:
            self._timeline = MaskTimeline(*size)
        image = self.viewer.current_image() if frame == self.viewer.current_frame else None
        return np.asarray(self._timeline.mask_at(obj, frame, image), dtype=bool)

    def message(self, text: str) -> None:
        self._show_status(text)

    # -- the open document ------------------------------------------------------------------------
    def sync(self) -> None:
        """Follow the viewer's project and video (called whenever they may have changed)."""
        project, video = self.viewer.project, self.viewer.video
        if project is self._project and video is self._video:
            return
        self.task.cancel()
        self.handler.cancel()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._project, self._video, self._timeline = project, video, None
        if project is not None:
            self._unsubscribe = project.subscribe(self._on_state)
        self.panel.set_project(project if video is not None else None)
        self.panel.set_frame(self.current_frame())
        self.assist.refresh()
        self.show_ticks()
        if video is None:
            self.state.set_tool(None)
        self.dock.setVisible(video is not None)  # like the Video dock: there with a picture
        if video is not None:
            self.dock.raise_()

    def close(self) -> None:
        """The window closes: stop tracking or the assist, let go of the project."""
        self.task.cancel()
        self.task.wait(2.0)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _frame_shown(self, frame: int) -> None:
        self.sync()
        self.panel.set_frame(frame)

    def _on_state(self, state: ProjectState, reason: str) -> None:
        self.show_ticks()

    def _tool_changed(self, tool: MaskTool | None) -> None:
        if tool is None:
            self.viewer.view.set_tool_handler(None)
            return
        cursor = Qt.CursorShape.CrossCursor
        self.viewer.view.set_tool_handler(self.handler, cursor)

    def show_ticks(self) -> None:
        """The selected object's keyframes as ticks on the timeline."""
        ticks = self._keyframes
        if ticks is None:
            return
        obj = self.panel.current()
        video = self.viewer.video
        if obj is None or video is None:
            ticks.set_ticks(())
            return
        reader = video.reader
        times = [max(reader.time_of(f), 0.0) for f in obj.keyframe_frames if f < reader.frame_count]
        ticks.set_ticks(times, obj.color)

    # -- tracking ---------------------------------------------------------------------------------
    def track(self, direction: int) -> bool:
        """Track the selected object from the keyframe on screen: +1 forward, -1 backward,
        0 both ways. Returns False (and says why) when it cannot start."""
        self.sync()
        obj, frame, video = self.panel.current(), self.current_frame(), self.viewer.video
        if obj is None or frame is None or video is None:
            self.message("Open a video and add a mask object to track")
            return False
        if obj.keyframe(frame) is None:
            self.message(
                f"Tracking starts from a keyframe: paint '{obj.name}' on this frame "
                "first, or go to one of its keyframes"
            )
            return False
        if self.task.running:
            self.message(f"Wait for {self.task.what} to finish, or cancel it")
            return False
        path, mask_id, project = Path(video.path), obj.id, self.project

        def work(progress: ProgressFn, cancel: CancelToken) -> tuple[str, Any]:
            return mask_id, run_tracking(path, obj, frame, direction, progress, cancel)

        what = f"tracking '{obj.name}' {DIRECTIONS[direction]}"
        return self.task.start(what, work, lambda outcome: self._tracked(project, outcome))

    def _tracked(self, project: Project | None, outcome: tuple[str, Any]) -> None:
        mask_id, (boxes, lost) = outcome
        if (
            project is None
            or project is not self.project
            or not any(m.id == mask_id for m in project.state.masks)
        ):
            self.message("Tracking finished, but its object is gone; nothing was changed")
            return
        name = project.state.mask(mask_id).name
        if boxes:
            project.set_track(mask_id, boxes)
        where = f"; lost it on frame {', '.join(str(f + 1) for f in lost)}" if lost else ""
        text = f"Tracked '{name}' on {len(boxes)} frame{'s' * (len(boxes) != 1)}{where}"
        self.panel.show_task(False, 1.0, text)
        self.message(text)

    def _task_failed(self, text: str) -> None:
        self.panel.show_task(False, 0.0, f"{self.task.what.capitalize()} failed: {text}")
        self.message(f"{self.task.what.capitalize()} failed: {text}")

    def _task_cancelled(self) -> None:
        self.panel.show_task(False, 0.0, f"{self.task.what.capitalize()}: cancelled")
        self.message(f"{self.task.what.capitalize()}: cancelled, nothing was changed")


def run_tracking(
    path: Path,
    obj: MaskObject,
    frame: int,
    direction: int,
    progress: ProgressFn,
    cancel: CancelToken,
) -> tuple[tuple[TrackBox, ...], tuple[int, ...]]:
    """On a worker: the tracked boxes and the frames where the tracker lost the object."""
    from isolde.video.frames import VideoReader
    from isolde.video.mask_raster import bounding_box, rasterize
    from isolde.video.tracking import track, track_object

    with VideoReader(path) as reader:
        if direction == 0:
            both = track_object(reader, obj, frame, progress=progress, cancel=cancel)
            return tuple(both), both.lost
        keyframe = obj.keyframe(frame)
        assert keyframe is not None
        height, width = reader.frame(frame).shape[:2]
        box = bounding_box(rasterize(keyframe.shapes, width, height))
        if box is None:
            raise InputError(f"'{obj.name}' is empty on this frame: nothing to track")
        frames = obj.keyframe_frames
        if direction > 0:
            stop = min((f for f in frames if f > frame), default=reader.frame_count)
        else:
            stop = max((f for f in frames if f < frame), default=-1)
        run = track(
            reader,
            frame,
            box,
            direction=direction,
            stop_frame=stop,
            progress=progress,
            cancel=cancel,
        )
        return tuple(run), (() if run.lost_at is None else (run.lost_at,))


def install_mask_tools(
    window: QMainWindow,
    viewer: VideoViewer,
    show_status: Callable[[str], None],
    keyframes: KeyframesItem | None = None,
) -> MaskTools:
    """Create the Mask dock beside the viewer and connect the paint handler to its picture."""
    tools = MaskTools(window, viewer, show_status, keyframes)
    video_dock = viewer.parentWidget()
    if isinstance(video_dock, QDockWidget):  # under the picture it paints on
        window.splitDockWidget(video_dock, tools.dock, Qt.Orientation.Vertical)
    else:
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, tools.dock)
    tools.dock.hide()
    viewer.document_changed.connect(tools.sync)  # a new video, or none
    return tools
