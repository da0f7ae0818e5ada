"""Compare in the main window: Jobs → Compare… opens the dialog; the tries it sends are
followed until their takes arrive and are auditioned with Alt+1…Alt+4; Keep try (K) makes the
heard one active, Keep try as layers splits the source with it (`core.layers`, undoable)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from PySide6.QtWidgets import QWidget

from isolde.core.errors import IsoldeError
from isolde.core.layers import ROOT_ID, split_layer
from isolde.jobs.record import JobRecord
from isolde.ui.jobs.compare_dialog import CompareDialog
from isolde.ui.jobs.compare_send import CompareGroup
from isolde.ui.jobs.job_docks import JobDocks
from isolde.ui.jobs.submit_flow import load_take
from isolde.ui.results.results import Results

TRY_KEYS = 4


class CompareWiring:
    def __init__(
        self, window: QWidget, jobs: JobDocks, results: Results, status: Callable[[str], None]
    ) -> None:
        self.window, self.jobs, self.results, self.status = window, jobs, results, status
        self.dialog: CompareDialog | None = None
        # after SubmitFlow has put the take in the project (connected earlier)
        jobs.session.finished.connect(self.job_finished)
        jobs.prompt_panel.compare_requested.connect(self.open_dialog)

    def slots(self) -> dict[str, Callable[[], object]]:
        r = self.results
        out: dict[str, Callable[[], object]] = {
            "compare": self.open_dialog,
            "keep_try": r.keep_try,
            "keep_try_layers": self.keep_as_layers,
        }
        for n in range(1, TRY_KEYS + 1):
            out[f"hear_try_{n}"] = lambda n=n: r.hear_try(n)  # type: ignore[misc]
        return out

    def open_dialog(self) -> CompareDialog | None:
        if self.jobs.flow.project is None or self.results.source is None:
            self.status("Open a recording first, then compare engines")
            return None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = CompareDialog(self.jobs.flow, self.started, self.window)
        self.dialog.show()
        return self.dialog

    def started(self, group: CompareGroup) -> None:
        source = self.results.source
        if source is not None:
            self.results.audition.start(group, source.sample_rate)

    def job_finished(self, record: JobRecord) -> None:
        audition, project = self.results.audition, self.results.project
        group = audition.group
        if group is None or record.id not in group.jobs:
            return
        take_id = None
        if record.state == "done":
            with suppress(IsoldeError):  # SubmitFlow has said what went wrong
                take_id = load_take(Path(record.take_file or "")).id
        audition.arrived(record.id, take_id)
        if project is not None:
            audition.sync(project.state)
        ready = len(group.takes)
        if ready:
            self.status(f"Compare: {ready} of {len(group.jobs)} tries back — Alt+1…{ready} to hear")

    def keep_as_layers(self) -> None:
        """Split the source into the heard try's target and residual (the layers then sum to
        the source exactly, as the take does)."""
        project, take_id = self.results.project, self.results.audition.chosen_take
        if project is None or take_id is None or not self.results.audition.heard:
            self.status("Choose a try first (Alt+1…Alt+4), then keep it as layers")
            return
        take = project.state.take(take_id)
        if take is None:
            return
        try:
            with project.group("Keep try as layers"):  # one undo step: the split and the take
                project.apply("Split the source", lambda s: split_layer(s, ROOT_ID, take))
                self.results.keep_try()
        except IsoldeError as exc:
            self.status(f"Cannot keep it as layers: {exc}")
