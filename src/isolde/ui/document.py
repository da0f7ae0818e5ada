"""Opening a file for the editor off the GUI thread: media, project and a first envelope.

No Qt here: the main window runs `load_document` on a worker and picks up the result with a timer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from isolde.audio import AudioSource, open_audio
from isolde.audio.media_ref import describe_media
from isolde.audio.peaks import envelope
from isolde.core.errors import InputError
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.core.project import Project

OVERVIEW_BUCKETS = 8192


@dataclass
class LoadedDocument:
    project: Project
    source: AudioSource
    env_min: np.ndarray
    env_max: np.ndarray


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
        lo, hi = envelope(source, OVERVIEW_BUCKETS, cancel=cancel)
    except BaseException:
        source.close()
        raise
    return LoadedDocument(project, source, lo, hi)
