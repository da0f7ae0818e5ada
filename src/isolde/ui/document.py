"""Opening a file for the editor off the GUI thread: media, project and the peak pyramid.

No Qt here: the main window runs `load_document` on a worker and picks up the result with a timer.
The pyramid comes back with its coarse level ready; finer levels fill in later in the background.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from isolde.audio import AudioSource, open_audio
from isolde.audio.media_ref import describe_media
from isolde.audio.pyramid import PeakPyramid
from isolde.core.errors import InputError
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.core.project import Project


@dataclass
class LoadedDocument:
    project: Project
    source: AudioSource
    pyramid: PeakPyramid

    def close(self) -> None:
        self.pyramid.cancel()
        self.source.close()


def load_document(
    path: Path, cancel: CancelToken | None = None, progress: ProgressFn = no_progress
) -> LoadedDocument:
    if path.suffix.lower() == ".isolde":
        project = Project.load(path)
        if project.state.media is None:
            raise InputError(f"{path}: the project has no media")
        media_path = Path(project.state.media.path)
    else:
        media_path = path
        project = Project.new_for_media(describe_media(path))
    source = open_audio(media_path, progress=progress, cancel=cancel)
    try:
        pyramid = PeakPyramid.open(source)
    except BaseException:
        source.close()
        raise
    return LoadedDocument(project, source, pyramid)
