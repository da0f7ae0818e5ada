"""A take's files opened for listening and drawing: one AudioSource and one PeakPyramid per lane.

`open_take_media` runs on a worker thread (a take stored as FLAC or MP3 is decoded on first
open); the GUI thread picks the result up with a timer. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from isolde.audio import AudioSource, open_audio
from isolde.audio.pyramid import PeakPyramid
from isolde.core.errors import InputError
from isolde.core.progress import CancelToken
from isolde.core.takes import Take
from isolde.ui.results.take_info import result_roles, take_title


@dataclass
class TakeMedia:
    take: Take
    roles: tuple[str, ...]
    sources: dict[str, AudioSource] = field(default_factory=dict)
    pyramids: dict[str, PeakPyramid] = field(default_factory=dict)

    @property
    def take_id(self) -> str:
        return self.take.id

    def close(self) -> None:
        for pyramid in self.pyramids.values():
            pyramid.cancel()
        for source in self.sources.values():
            source.close()


def open_take_media(take: Take, sample_rate: int, cancel: CancelToken) -> TakeMedia:
    """Open every lane file of `take`; they must be at the source's rate to play beside it."""
    roles = result_roles(take)
    if not roles:
        raise InputError(f"take “{take_title(take)}” has no target, residual or inpainted file")
    media = TakeMedia(take, roles)
    try:
        for role in roles:
            cancel.raise_if_cancelled()
            path = Path(take.files[role])
            if not path.exists():
                raise InputError(
                    f"the {role} file of take “{take_title(take)}” is missing ({path}); "
                    "run the job again or remove the take"
                )
            source = open_audio(path, cancel=cancel)
            media.sources[role] = source
            if source.sample_rate != sample_rate:
                raise InputError(
                    f"the {role} file of take “{take_title(take)}” is at {source.sample_rate} Hz "
                    f"but the recording at {sample_rate} Hz; run the separation again (new takes "
                    "are matched to their source)"
                )
            media.pyramids[role] = PeakPyramid.open(source)
    except BaseException:
        media.close()
        raise
    return media
