"""The main window: the timeline, the marks list, transport and every command wired together."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from isolde.audio.playback import Player
from isolde.core.errors import IsoldeError
from isolde.core.media import MediaMissingError
from isolde.core.progress import CancelToken
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.core.timecode import format_time
from isolde.providers.base import Provider
from isolde.providers.registry import get_provider
from isolde.ui.common.docks import make_dock
from isolde.ui.common.edit_state import EditState, Tool
from isolde.ui.jobs.job_docks import install_job_docks
from isolde.ui.marks.mark_commands import MarkCommands
from isolde.ui.marks.spans_panel import SpansPanel
from isolde.ui.marks.suggest_flow import install_suggest
from isolde.ui.playback.transport import Transport
from isolde.ui.results.compare_wiring import CompareWiring
from isolde.ui.results.edited_view import EditedView
from isolde.ui.results.layers_dock import install_layers_dock
from isolde.ui.results.results_docks import install_results_docks
from isolde.ui.shell import recovery_offer, unsaved
from isolde.ui.shell.accessibility import install_accessibility
from isolde.ui.shell.autosave import Autosaver
from isolde.ui.shell.document import LoadedDocument, load_document, open_failure
from isolde.ui.shell.editor_actions import TOOL_ACTIONS, build_actions
from isolde.ui.shell.empty_state import install_empty_state
from isolde.ui.shell.file_commands import FileCommands
from isolde.ui.shell.first_run import install_recent_and_guide
from isolde.ui.shell.layout_memory import first_dock_sizes, install_layout_reset, save_layout
from isolde.ui.shell.menus import build_menus, build_toolbar, menu_extras
from isolde.ui.shell.settings_apply import install_settings
from isolde.ui.timeline.timeline_widget import TimelineWidget
from isolde.ui.video.install import VideoWiring, install_video_docks


class MainWindow(QMainWindow):
    """The editor. The questions it asks (`ask_unsaved`, `ask_restore`, `ask_save_path`,
    `ask_open_path`, `ask_locate_media`) are attributes, so tests answer them instead of a
    modal dialog."""

    def __init__(
        self,
        player_factory: Callable[[], Player] = Player,
        providers: Callable[[str], Provider] = get_provider,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Isolde")
        self.setObjectName("isolde-main")
        self.project: Project | None = None
        self.document: LoadedDocument | None = None
        self.last_error: str | None = None
        self._unsubscribe = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="isolde-open")
        self._pending: Future[LoadedDocument] | None = None
        self._pending_path: Path | None = None
        self._cancel = CancelToken()
        self.ask_unsaved = unsaved.ask_unsaved
        self.ask_save_path = unsaved.ask_save_path
        self.ask_open_path = unsaved.ask_open_path
        self.ask_locate_media = unsaved.ask_locate_media
        self.ask_restore = recovery_offer.ask_restore
        self.files = FileCommands(self)

        self.edit_state = EditState(self)
        self.timeline = TimelineWidget(self.edit_state)
        self.transport = Transport(self, player_factory)
        self.commands = MarkCommands(self)
        self.banner = QLabel()
        self.banner.setAccessibleName("Message")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet("padding: 6px; background: #5a2a2a; color: #fff;")
        self.banner.hide()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.timeline, 1)
        self.setCentralWidget(body)

        self.spans_panel = SpansPanel(self.edit_state)
        self.spans_dock = make_dock(self, "Marks", "marks-dock", "Marks list", self.spans_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.spans_dock)
        self.resizeDocks([self.spans_dock], [460], Qt.Orientation.Horizontal)
        self.jobs = install_job_docks(
            self, self.edit_state, providers, self.spans_dock, self.show_status
        )
        self.jobs.flow.busy = lambda: self.timeline.marks.dragging
        self.spans_panel.busy = lambda: self.timeline.marks.dragging  # rows hold during a drag
        self.results_docks = install_results_docks(
            self, self.transport, self.timeline, self.edit_state, self.jobs, self.show_status
        )
        self.results = self.results_docks.results
        self.layers = install_layers_dock(
            self, self.transport, self.timeline, self.results_docks, self.jobs, self.show_status
        )
        self.jobs.flow.comparing = lambda: self.results.comparing  # a new take waits for A/B
        self.compare = CompareWiring(self, self.jobs, self.results, self.show_status)
        self.edited_view = EditedView(self.transport, self.timeline, self)
        self.edited_view.message.connect(self.show_status)
        self.suggest = install_suggest(
            self, self.jobs.prompt_dock, self.timeline, self.transport.play, self.show_status
        )

        slots = {
            **self.commands.slots(),
            **self.results_docks.slots(),
            "separate": self.jobs.flow.separate,
            "inpaint": self.jobs.flow.inpaint,
            "suggest_speech": self.suggest.start,
            **self.compare.slots(),
            **self._file_and_edit_slots(),
        }
        self.actions_by_key = build_actions(self, slots)
        self.jobs.prompt_panel.sendable_changed.connect(self._show_sendable)
        self._keep_file_and_edit_actions()
        self.video = install_video_docks(
            self,
            VideoWiring(
                transport=self.transport,
                playhead=lambda: self.timeline.playhead,
                playhead_to=self.commands.playhead_to,
                actions=self.actions_by_key,
                side_dock=self.spans_dock,
                results=self.results,
                document=lambda: self.document,
                show_status=self.show_status,
                keyframes=self.timeline.keyframes,
            ),
        )
        extras = menu_extras(self.video, self.results_docks, self.jobs)
        build_menus(self, self.actions_by_key, extras)
        build_toolbar(self, self.actions_by_key)
        self.position_label = QLabel()
        self.position_label.setAccessibleName("Playhead position")
        self.statusBar().addPermanentWidget(self.position_label)
        self.statusBar().showMessage("Open a recording or a video (Ctrl+O)")
        self.empty_state = install_empty_state(self)  # no file: Open buttons, drops, no commands
        first_dock_sizes(self, self.spans_dock, self.jobs.prompt_dock, self.jobs.jobs_dock)

        self.timeline.seek_requested.connect(self.seek)
        self.timeline.context_requested.connect(self.commands.context_menu)
        self.timeline.edit_requested.connect(self.commands.edit_mark_by_id)
        self.timeline.error.connect(self.show_status)
        self.transport.position_changed.connect(self._playhead_moved)
        self.transport.message.connect(self.show_status)
        self.transport.playing_changed.connect(self._playing_changed)
        self.edit_state.tool_changed.connect(self._tool_changed)
        self.edit_state.selection_changed.connect(lambda _id: self._update_status())

        self._poll = QTimer(self, interval=30)
        self._poll.timeout.connect(self._check_pending)
        self.autosaver = Autosaver(self, busy=lambda: self.timeline.marks.dragging)
        self.autosaver.failed.connect(self.show_status)
        self.recent, self.first_run = install_recent_and_guide(self)  # Open Recent, first run
        self.settings = install_settings(self)  # Edit → Settings…; saved settings applied
        self.access = install_accessibility(self)  # spoken timeline, announcements, Tab order
        video_docks = (self.video.dock, self.video.mask_tools.dock)  # shown with a picture
        self.layout_reset = install_layout_reset(
            self, self.actions_by_key["reset_layout"], video_docks
        )
        self._update_status()

    def _file_and_edit_slots(self) -> dict[str, Callable[[], object]]:
        files = self.files
        return {
            "open": files.choose_file,
            "open_sample": files.open_sample,
            "save": files.save,
            "save_as": lambda: files.save(choose=True),
            "quit": self.close,
            "undo": self._undo,
            "redo": self._redo,
        }

    def _show_sendable(self, separate: bool, inpaint: bool) -> None:
        """Separate and Inpaint are enabled only with something to send (see the prompt panel)."""
        self.actions_by_key["separate"].setEnabled(separate)
        self.actions_by_key["inpaint"].setEnabled(inpaint)

    def _keep_file_and_edit_actions(self) -> None:
        # Names the rest of the window (and its tests) use for these commands.
        keys = self.actions_by_key
        self.open_action, self.sample_action = keys["open"], keys["open_sample"]
        self.save_action, self.save_as_action = keys["save"], keys["save_as"]
        self.quit_action = keys["quit"]
        self.undo_action, self.redo_action = keys["undo"], keys["redo"]

    # -- opening ---------------------------------------------------------------------------
    def start(self, path: Path | None) -> None:
        """Launch: open `path`, or offer autosaves of untitled projects, or open the sample."""
        self.files.start(path)

    def open_sample(self) -> None:
        self.files.open_sample()

    def open_path(self, path: Path) -> bool:
        """Open a file the way the user does: unsaved-changes question, restore offer, load."""
        return self.files.open(path)

    def load(self, path: Path, locate: Path | None = None) -> None:
        """Load `path` off the GUI thread, replacing the open document when it is ready;
        `locate`: where a project's missing recording is now (a file or a folder to search)."""
        if self._pending is not None:
            self._cancel.cancel()
            self._pending.add_done_callback(_close_unused)
        self._cancel = CancelToken()
        self._pending_path = path
        self._pending = self._executor.submit(load_document, path, self._cancel, locate=locate)
        self.statusBar().showMessage(f"Opening {path.name}…")
        if self.document is None:
            self.empty_state.opening(path.name)
        self._poll.start()

    @property
    def loading(self) -> bool:
        return self._pending is not None

    def _check_pending(self) -> None:
        future = self._pending
        if future is None or not future.done():
            return
        self._poll.stop()
        self._pending = None
        self.empty_state.opening(None)  # shown again by a failure, hidden by the document
        path = self._pending_path
        try:
            document = future.result()
        except MediaMissingError as exc:
            picked = self.ask_locate_media(self, exc)
            if picked is not None:
                self.load(path, locate=picked)  # asks again if that was not it
            else:
                self.show_error(open_failure(path, str(exc)))
            return
        except IsoldeError as exc:
            self.show_error(open_failure(path, str(exc)))
            return
        except Exception as exc:  # a bug must not take the window down with it
            self.show_error(open_failure(path, f"unexpected {type(exc).__name__}: {exc}"))
            return
        self._show_document(document)

    def _show_document(self, document: LoadedDocument) -> None:
        self.transport.set_source(None)
        if self.document is not None:
            self.document.close()
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.document = document
        self.project = document.project
        self._unsubscribe = self.project.subscribe(self._on_state)
        self.autosaver.set_project(self.project)
        self.edit_state.select(None)
        self.edit_state.set_in(None)
        self.edit_state.set_out(None)
        self.timeline.set_document(self.project, document.source, document.pyramid)
        self.spans_panel.set_project(self.project)
        self.jobs.set_project(self.project)
        self.transport.set_source(document.source)
        self.results.set_document(self.project, document.source)
        self.layers.set_document(self.project, document.source)
        self.edited_view.set_document(self.project, document.source, document.pyramid)
        self.video.set_document(document)
        self.suggest.set_document(self.project, document.source)
        self.banner.hide()
        self.last_error = None
        self._update_title()
        self._update_status()
        self._update_undo()
        self.timeline.plot_widget.setFocus()
        self.statusBar().showMessage(
            f"Opened {Path(document.source.info.path).name} — drag on the timeline to mark "
            "where the sound is (I), is not (E), or needs repair (R)"
        )
        if document.video_problem:
            self.show_error(document.video_problem)

    def _on_state(self, state: ProjectState, reason: str) -> None:
        self._update_undo()
        self._update_title()

    def _update_title(self) -> None:
        if self.document is None:
            self.setWindowTitle("Isolde")
            return
        name = Path(self.document.source.info.path).name
        if self.project is not None and self.project.path is not None:
            name = f"{self.project.path.name} ({name})"
        dirty = "*" if self.project is not None and self.project.dirty else ""
        self.setWindowTitle(f"{dirty}{name} — Isolde")

    def _update_undo(self) -> None:
        history = self.project.history if self.project else None
        self.undo_action.setEnabled(bool(history and history.can_undo))
        self.redo_action.setEnabled(bool(history and history.can_redo))
        self.undo_action.setText(
            f"&Undo {history.undo_label}" if history and history.can_undo else "&Undo"
        )
        self.redo_action.setText(
            f"&Redo {history.redo_label}" if history and history.can_redo else "&Redo"
        )

    def _update_status(self) -> None:
        t = self.timeline.playhead
        text = f"{format_time(t)}"
        if self.document is not None:
            info = self.document.source.info
            text += f" / {format_time(info.duration)}  ·  {info.sample_rate} Hz  ·  "
            text += "mono" if info.channels == 1 else f"{info.channels} ch"
        self.position_label.setText(text)

    def show_error(self, message: str) -> None:
        self.last_error = message
        self.banner.setText(message)
        self.banner.show()
        self.statusBar().showMessage("Error — see the message above the timeline")

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # -- transport -------------------------------------------------------------------------
    def seek(self, t: float) -> None:
        self.timeline.set_playhead(t)
        if self.transport.playing:
            self.transport.play(t)
        self.video.show_time(t)
        self._update_status()

    def _playhead_moved(self, t: float) -> None:
        self.timeline.set_playhead(t, follow=self.transport.playing)
        self.video.show_time(t)
        self._update_status()

    def _playing_changed(self, playing: bool) -> None:
        self.actions_by_key["play_pause"].setText("&Pause" if playing else "&Play")

    def _tool_changed(self, tool: str) -> None:
        self.actions_by_key[TOOL_ACTIONS[Tool(tool)]].setChecked(True)
        self.show_status(f"{tool.capitalize()} tool: drag on the timeline to mark")

    # -- editing ---------------------------------------------------------------------------
    def _undo(self) -> None:
        if self.project is not None and not self.timeline.marks.dragging:
            self.project.undo()

    def _redo(self) -> None:
        if self.project is not None and not self.timeline.marks.dragging:
            self.project.redo()

    def context_menu_for(self, mark_id: str | None) -> QMenu:
        return self.commands.build_context_menu(mark_id)

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if not self.files.confirm_close():
            event.ignore()
            return
        self._cancel.cancel()
        if self._pending is not None:
            self._pending.add_done_callback(_close_unused)
        self.autosaver.close()
        self.transport.close()
        self.edited_view.close()
        self.results_docks.close()
        self.layers.close()
        self.suggest.close()
        self.video.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.document is not None:
            self.document.close()
        save_layout(self)  # window size and dock places, restored by run_app
        super().closeEvent(event)


def _close_unused(future: Future[LoadedDocument]) -> None:
    """A load that was overtaken: let go of its files and its frame decoder's thread."""
    if not future.cancelled() and future.exception() is None:
        future.result().close()
