"""The background-jobs part of the main window: the bridge, the session, the submit flow and
their two docks (Prompt beside the marks list, Jobs along the bottom)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from isolde.core.project import Project
from isolde.providers.base import Provider
from isolde.ui.common.docks import make_dock
from isolde.ui.common.edit_state import EditState
from isolde.ui.jobs.job_bridge import JobBridge
from isolde.ui.jobs.job_session import JobSession
from isolde.ui.jobs.jobs_panel import JobsPanel
from isolde.ui.jobs.prompt_panel import PromptPanel
from isolde.ui.jobs.submit_flow import SubmitFlow


@dataclass
class JobDocks:
    bridge: JobBridge
    session: JobSession
    flow: SubmitFlow
    prompt_panel: PromptPanel
    jobs_panel: JobsPanel
    prompt_dock: QDockWidget
    jobs_dock: QDockWidget

    def set_project(self, project: Project | None) -> None:
        self.session.set_project(project)  # opens the store and resumes unfinished jobs
        # Say whose jobs these are: only the open project's (or recording's) are listed.
        owner = None
        if project is not None and project.path is not None:
            owner = project.path.name
        elif project is not None and project.state.media is not None:
            owner = f"{project.state.media.name} (unsaved)"
        self.jobs_dock.setWindowTitle(f"Jobs — {owner}" if owner else "Jobs")
        root = self.session.root
        self.jobs_dock.setToolTip(f"Jobs of this project, kept in {root}" if root else "")
        self.flow.set_project(project)
        self.jobs_panel.set_project(project)
        self.prompt_panel.set_project(project)


def install_job_docks(
    window: QMainWindow,
    edit_state: EditState,
    providers: Callable[[str], Provider],
    below: QDockWidget,
    status: Callable[[str], None],
) -> JobDocks:
    bridge = JobBridge(window)
    session = JobSession(bridge, providers, window)
    flow = SubmitFlow(session, edit_state, window)
    prompt_panel = PromptPanel(flow, edit_state)
    jobs_panel = JobsPanel(session, flow)
    prompt_dock = make_dock(window, "Prompt", "prompt-dock", "Prompt panel", prompt_panel)
    window.splitDockWidget(below, prompt_dock, Qt.Orientation.Vertical)
    jobs_dock = make_dock(window, "Jobs", "jobs-dock", "Jobs panel", jobs_panel)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, jobs_dock)
    flow.message.connect(status)
    session.message.connect(status)
    return JobDocks(bridge, session, flow, prompt_panel, jobs_panel, prompt_dock, jobs_dock)
