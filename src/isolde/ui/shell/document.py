"""Opening a file for the editor off the GUI thread: media, project, the peak pyramid and, for a
video, its picture.

No Qt here: the main window runs `load_document` on a worker and picks up the result with a timer.
The pyramid comes back with its coarse level ready; finer levels fill in later in the background.

A video opens its sound on the timeline as any recording does, plus `LoadedVideo`: a reader for
the frame times (index only; the GUI never decodes with it) and a frame cache that decodes on its
own thread. A video without sound opens nothing and says why; a video whose picture cannot be
decoded opens its sound and carries one message (`video_problem`) saying the picture is missing.

A project is recognised by its content, whatever its name; an autosave (`*.autosave`) opens as
the project it belongs to, with its changes unsaved (`Project.recover`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from isolde.audio import AudioSource, open_audio
from isolde.audio.media_check import ensure_media
from isolde.audio.media_ref import describe_media
from isolde.audio.pyramid import PeakPyramid
from isolde.core.errors import InputError, IsoldeError
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.core.project import Project
from isolde.core.projectfile import looks_like_project
from isolde.core.recovery import AUTOSAVE_SUFFIX
from isolde.core.state import ProjectState
from isolde.ui.shell.settings_apply import default_engine
from isolde.video.frame_cache import FrameCache
from isolde.video.frames import VideoReader
from isolde.video.probe import probe_video

NO_SOUND = "this video has no sound track — Isolde isolates sounds; open a video with sound"
AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".opus", ".mp3", ".aif", ".aiff", ".m4a", ".aac"}


@dataclass
class LoadedVideo:
    """The picture of the open media: `reader` for frame times and facts, `cache` for frames."""

    path: Path
    reader: VideoReader
    cache: FrameCache

    def close(self) -> None:
        self.cache.close()
        self.reader.close()


@dataclass
class LoadedDocument:
    project: Project
    source: AudioSource
    pyramid: PeakPyramid
    video: LoadedVideo | None = None
    video_problem: str | None = None  # the media has a picture that could not be read

    def close(self) -> None:
        self.pyramid.cancel()
        self.source.close()
        if self.video is not None:
            self.video.close()


def load_document(
    path: Path,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
    locate: Path | None = None,
) -> LoadedDocument:
    """Open a recording, or a project and its media, checked by content hash: a project's
    missing media raises MediaMissingError (ask the user, then pass `locate`: the file or a
    folder to search); media whose content changed raises MediaChangedError."""
    if looks_like_project(path):  # by content, whatever the name
        is_autosave = path.name.endswith(AUTOSAVE_SUFFIX)
        project = Project.recover(path) if is_autosave else Project.load(path)
        if project.state.media is None:
            raise InputError(f"{path}: the project has no media")
        media_path = ensure_media(project, locate)  # may relink (an undoable edit)
        _refuse_silent_video(media_path)
    else:
        media_path = path
        _refuse_silent_video(media_path)
        # A new recording starts on the engine chosen in Settings (a project keeps its own).
        media = describe_media(path)
        project = Project(ProjectState(media=media, provider=default_engine()))
    source = open_audio(media_path, progress=progress, cancel=cancel)
    try:
        pyramid = PeakPyramid.open(source)
    except BaseException:
        source.close()
        raise
    document = LoadedDocument(project, source, pyramid)
    if source.info.has_video:
        try:
            document.video = open_picture(media_path)
        except Exception as exc:  # any failure to decode the picture leaves the sound usable
            document.video_problem = (
                f"The picture of {media_path.name} could not be read ({_reason(exc)}); "
                "its sound opened and can be edited, but there is no picture to show or mask."
            )
    return document


def open_picture(path: Path) -> LoadedVideo:
    """Index the frames and decode the first one (so a broken picture is found now, not later)."""
    reader = VideoReader(path)
    try:
        if reader.frame_count == 0:
            raise InputError("the video track holds no frames")
        reader.frame(0)
        cache = FrameCache(path)
    except BaseException:
        reader.close()
        raise
    return LoadedVideo(path, reader, cache)


def _refuse_silent_video(path: Path) -> None:
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return
    try:
        info = probe_video(path)
    except IsoldeError:
        return  # not a readable video: opening the audio gives the precise reason
    if info is not None and not getattr(info, "has_audio", True):
        raise InputError(NO_SOUND)


def _reason(exc: Exception) -> str:
    if isinstance(exc, IsoldeError):
        return getattr(exc, "reason", None) or str(exc)
    return f"{type(exc).__name__}: {exc}"


def open_failure(path: Path | None, why: str) -> str:
    """ "Could not open PATH: why", without the path a second time when `why` starts with it
    (the readers' messages name the file they were given)."""
    for prefix in (f"{path}: ", f"{path.name}: ") if path is not None else ():
        if why.startswith(prefix):
            why = why[len(prefix) :]
            break
    return f"Could not open {path}: {why}"
