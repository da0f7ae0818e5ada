"""The project's recording as edited, opened for playing and drawing: the same splices export
renders (`jobs.export.splice_for`), over the open source. No Qt.

Take files are opened once and kept in the caller's `opened` map (by path): an undo or a new
edit on the same take opens nothing again.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from isolde.audio import AudioSource, open_audio
from isolde.audio.edited_source import EditedSource
from isolde.core.edits import AppliedEdit
from isolde.core.state import ProjectState
from isolde.jobs.export import splice_for


def edit_roles(edit: AppliedEdit) -> tuple[str, ...]:
    """The take files an edit mixes, in the order `splice_for` takes them."""
    return ("inpainted",) if edit.kind == "inpaint" else ("target", "residual")


def open_edited(
    state: ProjectState, source: AudioSource, opened: MutableMapping[str, AudioSource]
) -> EditedSource | None:
    """`source` with every applied edit of `state`; None when nothing is applied.

    Raises IsoldeError (a take file missing, unreadable or at another rate) with a message for
    the status bar. `opened` keeps only the files this state uses afterwards.
    """
    if not state.edits:
        opened.clear()
        return None
    used: dict[str, AudioSource] = {}
    splices = []
    for edit in state.edits:
        take = state.take(edit.take_id)
        files = []
        for role in edit_roles(edit):
            path = take.files[role]
            file = used.get(path) or opened.get(path) or open_audio(path)
            used[path] = file
            files.append(file)
        splices.append(splice_for(edit, source.sample_rate, files))
    program = EditedSource(source, splices)
    opened.clear()
    opened.update(used)
    return program
