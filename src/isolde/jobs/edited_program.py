"""The project's recording as edited, opened for playing and drawing: the same splices export
renders (`jobs.export.splice_for`), over the open source. No Qt.

Take files are opened once and kept in the caller's `opened` map (by path): an undo or a new
edit on the same take opens nothing again. A take that is not a plain WAV is decoded into the
PCM cache when first opened (seconds for a long FLAC take): `files_to_decode` names those, so a
caller with a GUI thread can open them elsewhere first (`open_files`).
"""

from __future__ import annotations

from collections.abc import MutableMapping

from isolde.audio import AudioSource, open_audio
from isolde.audio.edited_source import EditedSource
from isolde.audio.media_probe import identify
from isolde.core.edits import AppliedEdit
from isolde.core.errors import IsoldeError
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


def files_to_decode(state: ProjectState, opened: MutableMapping[str, AudioSource]) -> list[str]:
    """The take files `open_edited` would have to decode (not open yet, not a plain WAV, which
    is mapped in place at once). A file that cannot be probed is left out: opening it reports
    the problem."""
    wanted: list[str] = []
    for edit in state.edits:
        take = state.take(edit.take_id)
        for role in edit_roles(edit):
            path = take.files[role]
            if path in opened or path in wanted:
                continue
            try:
                decodes = identify(path).wav is None
            except (IsoldeError, OSError):
                decodes = False
            if decodes:
                wanted.append(path)
    return wanted


def open_files(paths: list[str]) -> dict[str, AudioSource]:
    """Open (decoding as needed) every file in `paths`; for a worker thread."""
    return {path: open_audio(path) for path in paths}
