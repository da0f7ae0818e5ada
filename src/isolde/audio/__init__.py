"""Audio file I/O: probe, open (memory-mapped), decode cache, write, transcode, resample."""

from isolde.audio.content_hash import content_hash
from isolde.audio.info import AudioInfo
from isolde.audio.opening import open_audio, probe
from isolde.audio.output_format import OutputFormat
from isolde.audio.pcm_cache import cache_dir
from isolde.audio.resampling import Resampler, resample
from isolde.audio.source import AudioSource
from isolde.audio.transcoding import transcode
from isolde.audio.writer import AudioWriter, write_audio

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
