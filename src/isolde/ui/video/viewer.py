"""The Video dock's contents: the frame at the playhead, zoom, frame stepping and the masks.

The viewer follows the playhead: `show_time(t)` (from the main window on every seek and
playhead move) picks the frame with `VideoReader.index_at`, asks the frame cache for it and shows
it when decoded; while playing, its own timer polls the transport position so the picture keeps
up with the sound between the window's updates. The GUI never decodes: the cache's thread does,
and masks are computed on `MaskWorker`'s thread. Until a requested frame arrives the previous one
stays on screen.

Masks: every object of the project is drawn over the picture in its colour. With "What the model
will see" on (preview.py) the picture is replaced by the mask of the objects sent, black/white in
the current engine's polarity.

For the mask tools: `view` (FrameView: overlay, tool handler, tool_layer), `current_frame` (the
frame on screen), `current_image()` (its RGB pixels), `image_size`, `video`, `project` and
`frame_shown(int)`, emitted when another frame reaches the screen, and `document_changed`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.ui.playback.transport import Transport
from isolde.ui.shell.document import LoadedVideo
from isolde.ui.video.frame_view import FrameView
from isolde.ui.video.mask_worker import MaskJob, MaskResult, MaskWorker
from isolde.ui.video.preview import ModelPreview
from isolde.ui.video.viewer_bar import ViewerBar

TICK_MS = 8  # well under a frame at 60 fps
GIVE_UP_TICKS = 250  # ~2 s waiting for a frame after the cache reported a decoding error
EMPTY_TEXT = "Open a video (Ctrl+O) to see its picture here."


class VideoViewer(QWidget):
    frame_shown = Signal(int)  # another frame reached the screen
    document_changed = Signal()  # `video` / `project` were replaced (set_document)
    message = Signal(str)

    def __init__(
        self,
        transport: Transport,
        playhead: Callable[[], float],
        seek: Callable[[float], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Video")
        self.transport = transport
        self._playhead = playhead
        self._seek = seek
        self.video: LoadedVideo | None = None
        self.project: Project | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._wanted: int | None = None
        self._shown: int | None = None
        self._image: np.ndarray | None = None
        self._on_view: np.ndarray | None = None  # the picture the view holds now
        self._overlay_on_view: np.ndarray | None = None  # and its overlay
        self._stalled = 0
        self._masks = MaskWorker()
        self._mask_job: MaskJob | None = None
        self._mask_result: MaskResult | None = None
        self._mask_error: str | None = None

        self.view = FrameView(self)
        self.placeholder = QLabel(EMPTY_TEXT)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)
        self.preview = ModelPreview(self)
        self.preview.changed.connect(self._preview_changed)

        self.bar = ViewerBar(self.view, self.step, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.bar)
        layout.addWidget(self.preview.controls)
        layout.addWidget(self.stack, 1)

        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)
        transport.playing_changed.connect(self._playing_changed)
        self._enable()

    # -- what is open ---------------------------------------------------------------------
    def set_document(self, video: LoadedVideo | None, project: Project | None) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.video, self.project = video, project
        self._wanted = self._shown = None
        self._image = self._on_view = self._overlay_on_view = None
        self._mask_job = self._mask_result = None
        self._mask_error = None
        self.view.set_image(None)
        self.view.set_overlay(None)
        self.preview.set_project(project)
        if project is not None:
            self._unsubscribe = project.subscribe(self._on_state)
        self.stack.setCurrentWidget(self.view if video is not None else self.placeholder)
        self._enable()
        self.placeholder.setText(EMPTY_TEXT)
        if video is not None:
            self.view.fit()
            self.show_time(self._playhead())
        else:
            self.bar.show_frame("")
        self.document_changed.emit()

    def show_problem(self, text: str) -> None:
        """In place of the picture (e.g. a video track that cannot be decoded)."""
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)

    @property
    def frame_count(self) -> int:
        return self.video.reader.frame_count if self.video is not None else 0

    @property
    def current_frame(self) -> int | None:
        """The frame whose picture is on screen."""
        return self._shown

    def current_image(self) -> np.ndarray | None:
        """The RGB picture on screen (H×W×3, display orientation; do not write to it)."""
        return self._image

    @property
    def image_size(self) -> tuple[int, int] | None:
        return None if self._image is None else (self._image.shape[1], self._image.shape[0])

    def _enable(self) -> None:
        on = self.video is not None
        self.bar.setEnabled(on)
        self.preview.controls.setEnabled(on)

    # -- following the playhead -----------------------------------------------------------
    def show_time(self, t: float) -> None:
        if self.video is not None:
            self._want(self.video.reader.index_at(t))

    def _want(self, index: int) -> None:
        if index != self._wanted:
            self._wanted = index
            assert self.video is not None
            self.video.cache.request(index)
        if not self._take_frame():
            self._timer.start()

    def _take_frame(self) -> bool:
        """Show the wanted frame if it is decoded; False while it is still on its way."""
        if self.video is None or self._wanted is None:
            return True
        if self._shown == self._wanted:
            return True
        image = self.video.cache.get(self._wanted)
        if image is None:
            return False
        self._image, self._shown = image, self._wanted
        self._show_frame_label()
        self._request_masks()
        self._display()
        self.frame_shown.emit(self._shown)
        return True

    def _playing_changed(self, playing: bool) -> None:
        if playing and self.video is not None:
            self._timer.start()

    def _tick(self) -> None:
        if self.video is None:
            self._timer.stop()
            return
        if self.transport.playing:
            self._want(self.video.reader.index_at(self.transport.position))
        arrived = self._take_frame()
        busy = self._masks.busy  # read before collecting: a result that lands after is kept
        self._collect_masks()
        if arrived:
            self._stalled = 0
        elif self.video.cache.error is not None:
            self._stalled += 1
            if self._stalled == GIVE_UP_TICKS:
                self.message.emit(f"A frame could not be shown: {self.video.cache.error}")
        idle = arrived or self._stalled >= GIVE_UP_TICKS
        if idle and not self.transport.playing and not busy:
            self._timer.stop()

    def _show_frame_label(self) -> None:
        if self.video is None or self._shown is None:
            return
        t = self.video.reader.time_of(self._shown)
        text = f"Frame {self._shown + 1}/{self.frame_count} · {max(t, 0.0):.3f} s"
        self.bar.show_frame(text)

    # -- stepping and zoom ----------------------------------------------------------------
    def step(self, frames: int) -> None:
        """Move the playhead to the start of the frame `frames` away from the one at it."""
        if self.video is None:
            self.message.emit("Open a video to step through its frames")
            return
        reader = self.video.reader
        if self.transport.playing:
            self.transport.pause()
        here = reader.index_at(self._playhead())
        target = min(max(here + frames, 0), reader.frame_count - 1)
        self._seek(max(reader.time_of(target), 0.0))

    # -- masks and what is drawn ----------------------------------------------------------
    def _on_state(self, state: ProjectState, reason: str) -> None:
        self.preview.sync(state)
        self._request_masks()
        self._display()

    def _preview_changed(self) -> None:
        self._request_masks()
        self._display()

    def _request_masks(self) -> None:
        state = self.project.state if self.project is not None else None
        if state is None or self._image is None or self._shown is None or not state.masks:
            self._mask_job = None
            return
        refine = any(o.refine for o in state.masks)
        job = MaskJob(
            frame=self._shown,
            objects=state.masks,
            size=(self._image.shape[1], self._image.shape[0]),
            image=self._image if refine else None,
            combined=self.preview.active,
        )
        if job.same_as(self._mask_job):
            return
        self._mask_job = job
        self._masks.request(job)
        self._timer.start()

    def _collect_masks(self) -> None:
        result = self._masks.result()
        if result is None or result is self._mask_result:
            return
        self._mask_result = result
        if result.error and result.error != self._mask_error:
            self.message.emit(f"The mask could not be drawn: {result.error}")
        self._mask_error = result.error
        self._display()

    def _usable_result(self) -> MaskResult | None:
        """The newest mask result of the right kind and size; an older frame's stands in while
        the current one is computed, so playback does not flicker."""
        result, job = self._mask_result, self._mask_job
        if result is None or job is None or result.error:
            return None
        if result.job.combined != job.combined or result.job.size != job.size:
            return None
        return result

    def _display(self) -> None:
        if self._image is None:
            return
        result = self._usable_result()
        if self.preview.active:
            state = self.project.state if self.project is not None else None
            mask = result.combined if result is not None else None
            if mask is None:
                mask = np.zeros(self._image.shape[:2], bool)
            self.view.set_image(self.preview.compose(self._image, mask, state))
            self.view.set_overlay(None)
            self._on_view = self._overlay_on_view = None
            return
        if self._on_view is not self._image:
            self.view.set_image(self._image)
            self._on_view = self._image
        rgba = result.rgba if result is not None else None
        if rgba is not self._overlay_on_view:
            self.view.set_overlay_image(rgba)
            self._overlay_on_view = rgba

    @property
    def mask_frame(self) -> int | None:
        """The frame whose masks are drawn now (an older one stands in while they compute)."""
        result = self._usable_result()
        return result.job.frame if result is not None else None

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """For tests: the mask worker has nothing left to compute (then call `refresh`)."""
        return self._masks.wait(timeout)

    def refresh(self) -> None:
        """Take whatever frame and masks have arrived (the timer does this on its own)."""
        self._take_frame()
        self._collect_masks()

    def close(self) -> None:
        self._timer.stop()
        self._masks.close()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
