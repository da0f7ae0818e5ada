"""Marks → Suggest speech spans: the speech detector `isolde suggest` uses, run over the open
recording on a worker thread (progress in the status bar, cancellable), then its spans offered
as proposals — ghosts on the timeline and rows in the Suggested spans panel — that become marks
only when the user accepts them (through the project, so they undo; Accept all is one step).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow

from isolde.audio import AudioSource
from isolde.core.errors import IsoldeError
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.dsp.span_suggestions import Suggestion
from isolde.dsp.suggest_pass import detector_problem, listen_for_speech
from isolde.ui.common.docks import make_dock
from isolde.ui.common.polled_task import PolledTask, finished_task
from isolde.ui.marks.suggest_panel import SuggestPanel
from isolde.ui.marks.suggest_proposals import BOTH, Proposals
from isolde.ui.timeline.proposals_item import Ghost
from isolde.ui.timeline.timeline_widget import TimelineWidget

POLL_MS = 100
StatusFn = Callable[[str], None]
PlayFn = Callable[[float, float], None]


class SuggestFlow(QObject):
    def __init__(
        self,
        dock: QDockWidget,
        timeline: TimelineWidget,
        play: PlayFn,
        show_status: StatusFn,
        detector: str = "auto",
    ) -> None:
        super().__init__(dock)
        self.dock = dock
        self.panel: SuggestPanel = dock.widget()  # type: ignore[assignment]
        self.timeline = timeline
        self.detector = detector
        self._play = play
        self._status = show_status
        self.project: Project | None = None
        self.source: AudioSource | None = None
        self.proposals: Proposals | None = None
        self.task: PolledTask[Suggestion] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        p = self.panel
        p.accept_requested.connect(self.accept)
        p.reject_requested.connect(self.reject)
        p.picked.connect(self.pick)
        p.play_requested.connect(self.play)
        p.choice_changed.connect(self.set_choice)
        p.cancel_requested.connect(self.cancel)
        p.run_requested.connect(self.start)

    # -- document -------------------------------------------------------------------------
    def set_document(self, project: Project | None, source: AudioSource | None) -> None:
        """Another file: forget its proposals and drop a pass still listening to the old one."""
        self._drop_task()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.project, self.source, self.proposals = project, source, None
        if project is not None:
            self._unsubscribe = project.subscribe(self._on_state)
        self.panel.show_running(None)
        self.refresh()

    def close(self) -> None:
        self.set_document(None, None)

    # -- running --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.task is not None

    def start(self) -> None:
        if self.running:
            self.dock.show()
            self.dock.raise_()
            return
        source = self.source
        if source is None or self.project is None:
            self._status("Open a recording first, then suggest speech spans in it")
            return
        problem = detector_problem(self.detector)
        if problem is not None:
            self._status(f"Cannot suggest speech spans: {problem}")
            return
        detector = self.detector
        self.task = PolledTask(
            lambda progress, cancel: listen_for_speech(source, detector, progress, cancel),
            "isolde-suggest",
        )
        self.task.start()
        self.dock.show()
        self.dock.raise_()
        self.panel.show_running(0.0, "listening for speech")
        self._timer.start()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _drop_task(self) -> None:
        self._timer.stop()
        if self.task is not None:
            self.task.cancel()  # the worker stops at its next block and closes its reads
            self.task = None

    def _running(self, task: PolledTask) -> None:
        self.panel.show_running(task.fraction, task.stage)
        self._status(
            f"Listening for speech… {task.fraction:.0%} (Cancel in the Suggested spans panel)"
        )

    def _poll(self) -> None:
        task = finished_task(self.task, self._timer.stop, self._running)
        if task is None:
            return
        self.task = None
        self.panel.show_running(None)
        if task.cancelled:
            self._status("Speech suggestion cancelled; nothing was proposed")
            self.refresh()
        elif task.error is not None or task.result is None:
            self._status(f"Could not suggest speech spans: {task.error}")
            self.refresh()
        else:
            self.proposals = Proposals.from_suggestion(task.result, self.panel_choice())
            self.refresh()
            count = len(self.proposals.pending(self.project.state if self.project else None))
            self._status(
                f"{count} spans proposed — listen, then accept or reject them "
                "in the Suggested spans panel"
            )

    def panel_choice(self) -> str:
        return self.panel.choice.currentData() or BOTH

    # -- proposals ------------------------------------------------------------------------
    def _on_state(self, state: ProjectState, reason: str) -> None:
        # Only when the pending ones change (an undone Accept brings its proposals back); a
        # drag changes the state on every mouse move and must not rebuild the list each time.
        if self.proposals is not None and [p.id for p in self.pending()] != self.panel.listed():
            self.refresh()

    def pending(self) -> list:
        if self.proposals is None:
            return []
        return self.proposals.pending(self.project.state if self.project else None)

    def refresh(self) -> None:
        pending = self.pending()
        duration = self.source.duration if self.source else 1.0
        ghosts = [Ghost(p.id, p.kind, p.start, p.end) for p in pending]
        self.timeline.proposals.set_ghosts(ghosts, duration, self.panel.current())
        self.panel.show_proposals(pending, self._summary(len(pending)))

    def _summary(self, left: int) -> str:
        if self.running:
            return ""
        props = self.proposals
        if props is None:
            return "Listen for speech to get spans to accept or reject."
        accepted = len(props.accepted(self.project.state if self.project else None))
        said = f"{accepted} accepted, {len(props.rejected)} rejected"
        if left == 0:
            return f"No proposals left ({said}; detector: {props.detector})."
        return (
            f"{left} proposed by the {props.detector} detector ({said}). Double-click one to "
            "hear it; accepting adds a mark."
        )

    def set_choice(self, choice: str) -> None:
        if self.proposals is not None:
            self.proposals.choice = choice
            self.refresh()

    def accept(self, ids: list[str]) -> None:
        if self.proposals is None or self.project is None or not ids:
            return
        try:
            made = self.proposals.accept(self.project, ids)
        except IsoldeError as exc:
            self._status(f"Could not add the suggested spans: {exc}")
            return
        self.refresh()
        if made:
            self._status(f"Added {len(made)} mark{'s' if len(made) != 1 else ''} (Ctrl+Z undoes)")

    def reject(self, ids: list[str]) -> None:
        if self.proposals is not None and ids:
            self.proposals.reject(ids)
            self.refresh()

    def pick(self, proposal_id: str) -> None:
        found = self.proposals.find(proposal_id) if self.proposals else None
        self.timeline.proposals.set_current(proposal_id if found else None)
        if found is None:
            return
        x0, x1 = self.timeline.view.visible()
        if found.end < x0 or found.start > x1:
            self.timeline.centre_on((found.start + found.end) / 2)

    def play(self, proposal_id: str) -> None:
        found = self.proposals.find(proposal_id) if self.proposals else None
        if found is not None:
            self._play(found.start, found.end)


def install_suggest(
    window: QMainWindow,
    tab_with: QDockWidget,
    timeline: TimelineWidget,
    play: PlayFn,
    show_status: StatusFn,
) -> SuggestFlow:
    """The Suggested spans dock, tabbed with `tab_with` and hidden until first used."""
    dock = make_dock(window, "Suggested spans", "suggest-dock", "Suggested spans", SuggestPanel())
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.tabifyDockWidget(tab_with, dock)
    dock.hide()
    tab_with.raise_()  # hiding the new tab would otherwise bring forward the last one
    return SuggestFlow(dock, timeline, play, show_status)
