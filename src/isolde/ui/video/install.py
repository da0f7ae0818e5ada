"""The video part of the main window: the Video dock, frame stepping, File → Export video…, and
the mask tools (`mask_tools`).

`install_video_docks(window, wiring)` runs in the main window's constructor after the editor's
actions and docks exist and before the menus are built (the menus list the Video and Mask docks).
It is given what it needs (`VideoWiring`) rather than the main window's class, so this package
never imports the window that wires it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow

from isolde.ui.common.docks import make_dock
from isolde.ui.playback.transport import Transport
from isolde.ui.results.results import Results
from isolde.ui.shell.document import LoadedDocument
from isolde.ui.timeline.keyframes_item import KeyframesItem
from isolde.ui.video.export_video import ExportVideoDialog
from isolde.ui.video.mask_tools import MaskTools, install_mask_tools
from isolde.ui.video.viewer import VideoViewer

DOCK_SHARE = 0.36  # of the window's width for the video column when a video opens
SIDE_WIDTH = 380  # the Marks/Prompt column beside it


@dataclass(frozen=True)
class VideoWiring:
    """What the video part uses from the rest of the editor."""

    transport: Transport
    playhead: Callable[[], float]
    playhead_to: Callable[[float], None]
    actions: dict[str, QAction]
    side_dock: QDockWidget  # the Marks column, resized beside the video column
    results: Results
    document: Callable[[], LoadedDocument | None]
    show_status: Callable[[str], None]
    keyframes: KeyframesItem


@dataclass
class VideoDocks:
    window: QMainWindow
    wiring: VideoWiring
    viewer: VideoViewer
    dock: QDockWidget
    mask_tools: MaskTools
    export_dialog: ExportVideoDialog | None = field(default=None)

    def set_document(self, document: LoadedDocument | None) -> None:
        video = document.video if document is not None else None
        self.viewer.set_document(video, document.project if document is not None else None)
        if document is not None and document.video_problem:
            self.viewer.show_problem("No picture: the video track could not be decoded.")
        has_picture = video is not None or bool(document and document.video_problem)
        was_visible = self.dock.isVisible()
        self.dock.setVisible(has_picture)
        if has_picture:
            self.dock.raise_()
            if not was_visible:
                self._make_room()

    def _make_room(self) -> None:
        """A video column wide enough to see the picture, the timeline between the columns."""
        w = self.window
        width = max(280, round(w.width() * DOCK_SHARE))
        w.resizeDocks(
            [self.dock, self.wiring.side_dock], [width, SIDE_WIDTH], Qt.Orientation.Horizontal
        )
        tools_dock = self.mask_tools.dock
        if tools_dock.isVisible():
            w.resizeDocks([self.dock, tools_dock], [w.height(), 1], Qt.Orientation.Vertical)

    def show_time(self, t: float) -> None:
        self.viewer.show_time(t)

    def open_export(self) -> ExportVideoDialog | None:
        document = self.wiring.document()
        if document is None or document.video is None:
            self.wiring.show_status(
                "Open a video first: Export video puts the edited sound back into its picture"
            )
            return None
        if self.export_dialog is not None:
            self.export_dialog.close()
            self.export_dialog.deleteLater()
        self.export_dialog = ExportVideoDialog(
            self.wiring.results, document.video.path, self.window
        )
        self.export_dialog.show()
        return self.export_dialog

    def close(self) -> None:
        if self.export_dialog is not None:
            self.export_dialog.reject()
        self.mask_tools.close()
        self.viewer.close()


def install_video_docks(window: QMainWindow, wiring: VideoWiring) -> VideoDocks:
    """The Video dock on the left of the timeline, hidden until a video is open."""
    viewer = VideoViewer(wiring.transport, wiring.playhead, wiring.playhead_to)
    dock = make_dock(window, "Video", "video-dock", "Video", viewer)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    # The video column runs the full height, beside the Jobs and Takes docks at the bottom.
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    dock.hide()
    viewer.message.connect(wiring.show_status)
    tools = install_mask_tools(window, viewer, wiring.show_status, wiring.keyframes)
    docks = VideoDocks(window, wiring, viewer, dock, tools)
    actions = wiring.actions
    actions["frame_back"].triggered.connect(lambda _c=False: viewer.step(-1))
    actions["frame_forward"].triggered.connect(lambda _c=False: viewer.step(1))
    actions["export_video"].triggered.connect(lambda _c=False: docks.open_export())
    return docks
