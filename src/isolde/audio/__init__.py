"""Audio file I/O: probe, open (memory-mapped), decode cache, write, transcode, resample.

The names below load on first use (PEP 562), so `from isolde.audio import probe` does not
import scipy (resampling) and `import isolde.audio.file_checks` imports nothing heavy: the
`isolde` command starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Eager (light: hashlib): the function shares its submodule's name, and importing the submodule
# later would otherwise set the package attribute to the module.
from isolde.audio.content_hash import content_hash

if TYPE_CHECKING:
    from isolde.audio.info import AudioInfo
    from isolde.audio.opening import open_audio, probe
    from isolde.audio.output_format import OutputFormat
    from isolde.audio.pcm_cache import cache_dir
    from isolde.audio.resampling import Resampler, resample
    from isolde.audio.source import AudioSource
    from isolde.audio.transcoding import transcode
    from isolde.audio.writer import AudioWriter, write_audio

_WHERE = {  # name: the submodule that defines it
    "AudioInfo": "info",
    "AudioSource": "source",
    "AudioWriter": "writer",
    "OutputFormat": "output_format",
    "Resampler": "resampling",
    "cache_dir": "pcm_cache",
    "open_audio": "opening",
    "probe": "opening",
    "resample": "resampling",
    "transcode": "transcoding",
    "write_audio": "writer",
}

__all__ = [
    "AudioInfo",
    "AudioSource",
    "AudioWriter",
    "OutputFormat",
    "Resampler",
    "cache_dir",
    "content_hash",
    "open_audio",
    "probe",
    "resample",
    "transcode",
    "write_audio",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
