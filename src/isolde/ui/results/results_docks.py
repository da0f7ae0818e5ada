"""The results part of the main window: the controller, the Takes and Remix docks, the output
device menu, Export, and the commands they answer to (1–4, B, A, Shift+A, Ctrl+Shift+E)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea

from isolde.ui.common.docks import make_dock
from isolde.ui.common.edit_state import EditState
from isolde.ui.jobs.job_docks import JobDocks
from isolde.ui.playback.device_menu import DeviceMenu
from isolde.ui.playback.transport import Transport
from isolde.ui.results.export_dialog import ExportDialog
from isolde.ui.results.listen_mix import ORIGINAL, REMIX, RESIDUAL, TARGET
from isolde.ui.results.remix_panel import RemixPanel
from isolde.ui.results.results import Results
from isolde.ui.results.takes_panel import TakesPanel
from isolde.ui.timeline.timeline_widget import TimelineWidget


@dataclass
class ResultsDocks:
    window: QMainWindow  # the docks' home and the export dialog's parent
    status: Callable[[str], None]
    results: Results
    takes_panel: TakesPanel
    remix_panel: RemixPanel
    takes_dock: QDockWidget
    remix_dock: QDockWidget
    device_menu: DeviceMenu
    export_dialog: ExportDialog | None = field(default=None)

    def slots(self) -> dict[str, object]:
        r = self.results
        return {
            "listen_original": lambda: r.listen(ORIGINAL),
            "listen_target": lambda: r.listen(TARGET),
            "listen_residual": lambda: r.listen(RESIDUAL),
            "listen_remix": lambda: r.listen(REMIX),
            "toggle_ab": r.toggle_ab,
            "apply_remix": lambda: r.apply(whole=False),
            "apply_whole": lambda: r.apply(whole=True),
            "export": self.open_export,
        }

    def open_export(self) -> ExportDialog | None:
        if self.results.project is None:
            self.status("Open a recording first, then export (Ctrl+Shift+E)")
            return None
        if self.export_dialog is not None:
            self.export_dialog.close()
            self.export_dialog.deleteLater()
        self.export_dialog = ExportDialog(self.results, self.window)
        self.export_dialog.show()
        return self.export_dialog

    def close(self) -> None:
        if self.export_dialog is not None:
            self.export_dialog.reject()
        self.results.close()


def install_results_docks(
    window: QMainWindow,
    transport: Transport,
    timeline: TimelineWidget,
    edit_state: EditState,
    jobs: JobDocks,
    status: Callable[[str], None],
) -> ResultsDocks:
    """Takes beside the Jobs list at the bottom; Remix tabbed with the Prompt on the right."""
    results = Results(transport, timeline, edit_state, window)
    takes_panel = TakesPanel(results)
    remix_panel = RemixPanel(results)
    takes_dock = make_dock(window, "Takes", "takes-dock", "Takes list", takes_panel)
    window.splitDockWidget(jobs.jobs_dock, takes_dock, Qt.Orientation.Horizontal)
    # It scrolls rather than holding the Prompt tab (same dock place) at its full height.
    remix_scroll = QScrollArea()
    remix_scroll.setWidgetResizable(True)
    remix_scroll.setFrameShape(QFrame.Shape.NoFrame)
    remix_scroll.setWidget(remix_panel)
    remix_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    bar = remix_scroll.verticalScrollBar().sizeHint().width()
    remix_scroll.setMinimumWidth(remix_panel.minimumSizeHint().width() + bar)  # as wide as before
    remix_dock = make_dock(window, "Remix", "remix-dock", "Remix and listening", remix_scroll)
    window.tabifyDockWidget(jobs.prompt_dock, remix_dock)
    jobs.prompt_dock.raise_()
    device_menu = DeviceMenu(transport, status, window)
    results.message.connect(status)
    return ResultsDocks(
        window, status, results, takes_panel, remix_panel, takes_dock, remix_dock, device_menu
    )
