"""The Layers dock: the panel, the lanes and listening behind it, and the split flow; beside
the Takes list at the bottom of the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QDockWidget, QMainWindow

from isolde.audio import AudioSource
from isolde.core.project import Project
from isolde.ui.common.docks import make_dock
from isolde.ui.jobs.job_docks import JobDocks
from isolde.ui.playback.transport import Transport
from isolde.ui.results.layer_split import LayerSplit
from isolde.ui.results.layers_panel import LayersPanel
from isolde.ui.results.layers_view import LayersView
from isolde.ui.results.results_docks import ResultsDocks
from isolde.ui.timeline.timeline_widget import TimelineWidget


@dataclass
class LayersDock:
    view: LayersView
    splitter: LayerSplit
    panel: LayersPanel
    dock: QDockWidget

    def set_document(self, project: Project | None, source: AudioSource | None) -> None:
        """Call after the results controller has the new document."""
        self.view.set_document(project, source)
        self.panel.set_project(project)

    def close(self) -> None:
        self.panel.close_panel()
        self.view.close()


def install_layers_dock(
    window: QMainWindow,
    transport: Transport,
    timeline: TimelineWidget,
    results_docks: ResultsDocks,
    jobs: JobDocks,
    status: Callable[[str], None],
) -> LayersDock:
    view = LayersView(transport, timeline, results_docks.results, window)
    splitter = LayerSplit(jobs.flow, window)
    # The submit flow leaves a split's take to the split (it splits the layer in one undo step)
    # once it asks `claims` in job_finished; until then it says the take is another recording's.
    jobs.flow.claims = splitter.claims
    panel = LayersPanel(view, splitter, status)
    dock = make_dock(window, "Layers", "layers-dock", "Layers", panel)
    # Tabbed with the Takes list: side by side, three bottom docks leave each too narrow at
    # 1280×800 (the Jobs list showed one row).
    window.tabifyDockWidget(results_docks.takes_dock, dock)
    results_docks.takes_dock.raise_()
    view.message.connect(status)
    splitter.message.connect(status)
    splitter.split_done.connect(lambda _id: (dock.show(), dock.raise_()))  # new layers in view
    return LayersDock(view, splitter, panel, dock)
