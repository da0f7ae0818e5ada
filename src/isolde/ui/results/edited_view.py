"""The main lanes as edited: once a take is applied, the timeline draws and the player plays the
recording with every applied edit, as an audio editor shows its document; undo or Remove brings
the recording back.

It follows the project (never keeps its own copy of the edits): on each change of
`state.edits` it reopens the edited program (`jobs.edited_program`, the splices export
renders), hands it to the transport's main lane and the spectrogram, and draws its peaks in the
lanes and the overview: the source's pyramid with only the edited stretches reduced again
(`audio.edited_peaks`), a long one on a worker thread that a timer picks up. Take files that
must be decoded first (FLAC, MP3 takes) are opened on a worker too, and the edits show once
they are ready: the GUI thread never waits for a decode.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from isolde.audio import AudioSource
from isolde.audio.edited_peaks import EditedPeaks, EditedPeaksCache
from isolde.audio.edited_source import EditedSource
from isolde.audio.pyramid import PeakPyramid
from isolde.core.edits import AppliedEdit
from isolde.core.errors import IsoldeError
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.jobs.edited_program import files_to_decode, open_edited, open_files
from isolde.ui.playback.transport import Transport
from isolde.ui.results.listen_mix import main_lane_label
from isolde.ui.timeline.timeline_widget import TimelineWidget

POLL_MS = 100


def badge_text(edits: int) -> str:
    plural = "" if edits == 1 else "s"
    return f"{main_lane_label(True)} · {edits} applied edit{plural} — heard and shown as edited"


class EditedView(QObject):
    message = Signal(str)

    def __init__(
        self, transport: Transport, timeline: TimelineWidget, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.transport, self.timeline = transport, timeline
        self.project: Project | None = None
        self.source: AudioSource | None = None
        self.pyramid: PeakPyramid | None = None
        self.program: EditedSource | None = None
        self.peaks: EditedPeaks | None = None
        self._edits: tuple[AppliedEdit, ...] = ()
        self._opened: dict[str, AudioSource] = {}  # take files, by path
        self._cache = EditedPeaksCache()
        self._unsubscribe = None
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._check)
        self._decoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="isolde-takes")
        self._decoding: tuple[tuple[AppliedEdit, ...], Future[dict[str, AudioSource]]] | None = None
        self._decode_poll = QTimer(self, interval=POLL_MS // 2)
        self._decode_poll.timeout.connect(self._check_decoded)

    @property
    def edited(self) -> bool:
        return self.program is not None

    @property
    def drawing(self) -> bool:
        """True while edited peaks are still being reduced (and redrawn as they come)."""
        return self._poll.isActive()

    def set_document(
        self, project: Project | None, source: AudioSource | None, pyramid: PeakPyramid | None
    ) -> None:
        """Call after the timeline and the transport have the new document."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._poll.stop()
        self._decode_poll.stop()
        self._decoding = None  # a decode still running lands in the cache; its result is dropped
        self._cache.clear()
        self._opened = {}  # the last document's files close when nothing reads them any more
        self.project, self.source, self.pyramid = project, source, pyramid
        self.program, self.peaks, self._edits = None, None, ()
        if project is not None and source is not None and pyramid is not None:
            self._unsubscribe = project.subscribe(lambda state, _reason: self._on_state(state))
            self._on_state(project.state)

    @property
    def decoding(self) -> bool:
        """True while take files of the latest edits are being decoded on the worker."""
        return self._decoding is not None

    def _on_state(self, state: ProjectState) -> None:
        if state.edits == self._edits:
            return  # most changes (a drag step, typing) leave the edits alone
        if self._decoding is not None and self._decoding[0] == state.edits:
            return  # already on its way
        slow = files_to_decode(state, self._opened)
        if slow:
            self._decoding = (state.edits, self._decoder.submit(open_files, slow))
            self._decode_poll.start()
            self.message.emit("Opening the applied take files…")
            return
        self._decoding = None
        self._edits = state.edits
        assert self.source is not None and self.pyramid is not None
        try:
            program = open_edited(state, self.source, self._opened)
        except (IsoldeError, OSError) as exc:
            self.message.emit(f"Cannot play or draw the applied edits: {exc}")
            program = None
        self.program = program
        self.peaks = self._cache.peaks(self.pyramid, program) if program is not None else None
        self.transport.set_program(program)
        self.timeline.waveform.set_edited(self.peaks, badge_text(len(state.edits)))
        self.timeline.take_lanes.set_original_text(main_lane_label(program is not None))
        self.timeline.spectrogram.set_source(program if program is not None else self.source)
        pending = self.peaks is not None and not self.peaks.complete  # asked before drawing
        self._redraw()
        if pending:
            self._poll.start()
        else:
            self._poll.stop()

    def _check_decoded(self) -> None:
        pending = self._decoding
        if pending is None or not pending[1].done():
            return
        self._decode_poll.stop()
        self._decoding = None
        try:
            self._opened.update(pending[1].result())
        except (IsoldeError, OSError) as exc:
            self.message.emit(f"Cannot play or draw the applied edits: {exc}")
            return
        if self.project is not None:
            self._on_state(self.project.state)  # the latest edits; their files are open now

    def _check(self) -> None:
        """While edited peaks fill on a worker, redraw what they cover so far."""
        done = self.peaks is None or self.peaks.complete  # before drawing: nothing is missed
        self._redraw()
        if done:
            self._poll.stop()

    def _redraw(self) -> None:
        view = self.timeline.view
        x0, x1 = view.visible()
        columns = max(1, int(view.width()))
        self.timeline.waveform.refresh(x0, x1, columns)
        self.timeline.spectrogram.refresh(x0, x1, columns)
        frames = self.source.frames if self.source is not None else 0
        self.timeline.overview.redraw(self.peaks or self.pyramid, frames)  # type: ignore[arg-type]

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._poll.stop()
        self._decode_poll.stop()
        self._decoder.shutdown(wait=False, cancel_futures=True)
        self._cache.clear()
