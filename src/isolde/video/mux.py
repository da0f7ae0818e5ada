"""Put a sound into a video: the picture stream copied packet for packet, the audio encoded new.

The picture is never re-encoded: every video packet of the source goes into the output with its
bytes, timestamps and the stream's display matrix (rotation) unchanged, so muxing costs little
more than reading the file. The sound is read block by block from an `AudioSource` (or a file
opened as one — never loaded whole) and encoded as the output's suffix says:

* `.mp4`, `.m4v` — AAC (FFmpeg's native encoder, 128 kb/s per channel, at most 512 kb/s; the
  fast coder without noise substitution or intensity stereo: quick, and faithful at this rate;
  encoded on every core, see `sound_encoding`). Rates AAC cannot carry go as 48 kHz.
* `.mov` — PCM, lossless: 16-bit for 16-bit sources, else 24-bit.
* `.mkv` — FLAC, lossless: 16-bit for 16-bit sources, else 24-bit.

Timing: sample 0 of the given audio sits at the editor's t = 0 — where the source video's own
sound starts (its first decoded sample; the container's time 0 for a video without sound), as
`VideoReader` counts frame times. The sound is made as long as the picture (to the end of its
last frame): a shorter one is padded with silence, a longer one trimmed, and `MuxReport` says
by how much. Other streams (subtitles, data, a second picture) are not carried over. The output
is written to a temporary file beside it and renamed into place; cancelling or failing leaves
nothing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
import numpy as np

from isolde.audio import AudioSource, OutputFormat, open_audio, transcode
from isolde.core.errors import AudioFileError, InputError
from isolde.core.progress import CancelToken, ProgressFn
from isolde.video.probe import VideoInfo, picture_stream, probe_video
from isolde.video.sound_encoding import SoundFormat, SoundPackets

CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}
AAC_RATES = frozenset(
    {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}
)
AAC_OPTIONS = (("aac_coder", "fast"), ("aac_pns", "0"), ("aac_is", "0"))
AAC_KBPS_PER_CHANNEL, AAC_MAX_KBPS = 128, 512
LAYOUTS = ("mono", "stereo", "2.1", "4.0", "5.0", "5.1", "6.1", "7.1")  # FFmpeg's defaults
AHEAD_S = 1.0  # the sound is muxed this far ahead of the picture packets already written


@dataclass(frozen=True)
class MuxReport:
    """What `mux` did. Times in seconds; `padded_s`/`trimmed_s` are 0 when the lengths matched."""

    out_path: Path
    audio_codec: str  # "aac", "pcm_s16le", "pcm_s24le", "flac"
    sample_rate: int
    picture_s: float  # the picture's length, first frame to the end of the last
    audio_s: float  # the given audio's length
    padded_s: float  # silence added at the end
    trimmed_s: float  # audio dropped (past the picture's end, or before the container's 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.out_path),
            "audio_codec": self.audio_codec,
            "sample_rate": self.sample_rate,
            "picture_s": round(self.picture_s, 6),
            "audio_s": round(self.audio_s, 6),
            "padded_s": round(self.padded_s, 6),
            "trimmed_s": round(self.trimmed_s, 6),
        }


def sound_format(
    out_path: str | os.PathLike[str], rate: int, channels: int, subtype: str = ""
) -> SoundFormat:
    """How `mux` encodes a `rate`/`channels` source of this subtype (e.g. "PCM_16") into
    `out_path`; InputError for a suffix it does not write."""
    out = Path(out_path)
    suffix = out.suffix.lower()
    if suffix not in CONTAINERS:
        raise InputError(
            f"{out}: write the video as .mp4, .m4v, .mov or .mkv (the suffix picks the "
            "container and its sound: AAC in MP4, PCM in MOV, FLAC in MKV)"
        )
    if not 1 <= channels <= len(LAYOUTS):
        raise InputError(
            f"{out}: {channels} sound channels cannot go into the video; mix down to 8 or fewer"
        )
    layout = LAYOUTS[channels - 1]
    bits = 16 if subtype.upper() in ("PCM_16", "PCM_U8", "PCM_S8") else 24
    if suffix in (".mp4", ".m4v"):
        kbps = min(AAC_KBPS_PER_CHANNEL * channels, AAC_MAX_KBPS)
        aac_rate = rate if rate in AAC_RATES else 48000
        return SoundFormat("aac", "fltp", aac_rate, 0, layout, kbps * 1000, AAC_OPTIONS)
    sample_format = "s16" if bits == 16 else "s32"
    codec = f"pcm_s{bits}le" if suffix == ".mov" else "flac"
    return SoundFormat(codec, sample_format, rate, bits, layout)


def timeline_origin(info: VideoInfo) -> float:
    """Where the editor's t = 0 lies on the video's own clock: its first decoded sound sample
    (0 for a video without sound), as `VideoReader` counts frame times."""
    return info.audio_start


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _hidden(out: Path, tag: str = "") -> Path:
    return out.with_name(f".{out.name}{tag}.{secrets.token_hex(4)}.part")


@contextlib.contextmanager
def _audio_at(
    source: AudioSource, rate: int, out: Path, cancel: CancelToken | None
) -> Iterator[AudioSource]:
    """The audio at `rate`: itself, or a temporary float WAV beside `out` when its own rate is
    one the codec cannot carry."""
    if source.sample_rate == rate:
        yield source
        return
    with contextlib.ExitStack() as stack:
        converted = _hidden(out, ".sound").with_suffix(".wav")
        stack.callback(converted.unlink, missing_ok=True)
        transcode(source, converted, OutputFormat("wav", "float", sample_rate=rate), cancel=cancel)
        yield stack.enter_context(open_audio(converted))


def _picture_span(path: Path) -> tuple[int, int]:
    """(first pts, end of the last frame) of the picture, in its time base, by demuxing only."""
    with av.open(str(path)) as container:
        picture = picture_stream(container)
        assert picture is not None
        return _span(container, picture)


def _span(container: Any, picture: Any) -> tuple[int, int]:
    rate = picture.average_rate or picture.guessed_rate
    # A container without packet durations: the last frame lasts one frame period.
    period = max(round(1 / (rate * picture.time_base)), 1) if rate else 0
    start: int | None = None
    end: int | None = None
    for packet in container.demux(picture):
        pts = packet.pts if packet.pts is not None else packet.dts
        if pts is None:
            continue
        start = pts if start is None else min(start, pts)
        stop = pts + (packet.duration or period)
        end = stop if end is None else max(end, stop)
    if start is None or end is None:
        raise AudioFileError(container.name, "the video stream holds no pictures")
    return start, end


def mux(
    video_path: str | os.PathLike[str],
    audio: str | os.PathLike[str] | AudioSource,
    out_path: str | os.PathLike[str],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> MuxReport:
    """Write `out_path`: the picture of `video_path` (copied) with `audio` as its sound.

    Raises InputError for an output that names an input or has an unknown suffix, and
    AudioFileError for unreadable inputs or an unwritable output; Cancelled on cancel. In
    every failure nothing is left at `out_path` (an existing file there stays as it was).
    """
    video, out = Path(video_path), Path(out_path)
    audio_path = Path(audio.info.path) if isinstance(audio, AudioSource) else Path(audio)
    for given, what in ((video, "VIDEO"), (audio_path, "AUDIO")):
        if _same_file(out, given):
            raise InputError(
                f"{out}: the output would overwrite the {what} input; choose another output name"
            )
    sound_format(out, 48000, 2)  # the suffix check, before any work
    if not video.is_file():
        raise AudioFileError(video, "no such file")
    if not out.parent.is_dir():
        raise AudioFileError(out, f"the folder {out.parent} does not exist; choose another")
    info = probe_video(video)
    if info is None:
        raise AudioFileError(video, "has no picture to copy; give a video file as VIDEO")
    probed = audio if isinstance(audio, AudioSource) else None
    with contextlib.ExitStack() as stack:
        if probed is None:
            probed = stack.enter_context(open_audio(audio, cancel=cancel))  # type: ignore[arg-type]
        fmt = sound_format(out, probed.sample_rate, probed.channels, probed.info.subtype)
        source = stack.enter_context(_audio_at(probed, fmt.rate, out, cancel))
        return _mux(
            video, source, probed.duration, fmt, timeline_origin(info), out, progress, cancel
        )


def _mux(
    video: Path,
    source: AudioSource,
    audio_s: float,
    fmt: SoundFormat,
    origin_s: float,
    out: Path,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> MuxReport:
    tmp = _hidden(out)
    try:
        src = av.open(str(video))
    except (av.error.FFmpegError, OSError) as exc:
        raise AudioFileError(video, f"cannot read the video ({exc})") from None
    ok = False
    try:
        with src:
            picture = picture_stream(src)
            if picture is None:
                raise AudioFileError(video, "has no picture to copy; give a video file as VIDEO")
            first, last = _picture_span(video)
            tb = picture.time_base
            origin = round(origin_s * fmt.rate)  # output pts of given sample 0
            skip = max(0, -origin)  # given samples before the container's 0 cannot be stored
            stop = max(round((float(last * tb) - origin_s) * fmt.rate), skip)
            try:
                dst = av.open(str(tmp), "w", format=CONTAINERS[out.suffix.lower()])
            except (av.error.FFmpegError, OSError) as exc:
                raise AudioFileError(out, f"cannot write here ({exc})") from None
            with dst:
                copied = _picture_copy(dst, picture, out)
                sound = _sound_stream(dst, fmt)
                dst.start_encoding()  # the header, before encoders run on other threads

                def read(a: int, b: int) -> np.ndarray:
                    block = source.read(a, b)
                    if len(block) < b - a:  # past the audio's end: silence
                        pad = np.zeros((b - a - len(block), source.channels), np.float32)
                        block = np.concatenate([block, pad])
                    return block

                packets = SoundPackets(
                    read, fmt, sound, origin=origin, start=skip, stop=stop, cancel=cancel
                )

                def sound_until(t: float | None) -> None:
                    if t is None:
                        items = packets.rest()
                    else:
                        items = packets.until(round((t - origin_s) * fmt.rate))
                    for item in items:
                        item.stream = sound
                        dst.mux(item)

                try:
                    _copy(src, picture, copied, dst, sound_until, (first, last), progress, cancel)
                finally:
                    packets.close()
        _move(tmp, out)
        ok = True
    except av.error.FFmpegError as exc:
        raise AudioFileError(out, f"muxing failed ({exc})") from None
    finally:
        if not ok:
            tmp.unlink(missing_ok=True)
    if progress is not None:
        progress(1.0, f"wrote {out.name}")
    available = round(audio_s * fmt.rate)
    return MuxReport(
        out_path=out,
        audio_codec=fmt.codec,
        sample_rate=fmt.rate,
        picture_s=float((last - first) * tb),
        audio_s=audio_s,
        padded_s=max(stop - available, 0) / fmt.rate,
        trimmed_s=(skip + max(available - stop, 0)) / fmt.rate,
    )


def _picture_copy(dst: Any, picture: Any, out: Path) -> Any:
    try:
        copied = dst.add_stream_from_template(picture)
    except ValueError:
        codec = picture.codec_context.name
        raise AudioFileError(
            out, f"a {out.suffix} file cannot hold this {codec} picture; write a .mkv"
        ) from None
    rate = picture.average_rate or picture.guessed_rate
    if rate:  # the template's own rate can be the time base's (1000 from Matroska)
        copied.codec_context.framerate = rate
    return copied


def _sound_stream(dst: Any, fmt: SoundFormat) -> Any:
    stream = dst.add_stream(fmt.codec, rate=fmt.rate, options=dict(fmt.options))
    stream.layout = fmt.layout
    stream.format = fmt.sample_format
    stream.time_base = Fraction(1, fmt.rate)
    if fmt.bit_rate:
        stream.bit_rate = fmt.bit_rate
    return stream


def _copy(
    src: Any,
    picture: Any,
    copied: Any,
    dst: Any,
    sound_until: Callable[[float | None], None],
    span: tuple[int, int],
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> None:
    """Copy every picture packet, calling `sound_until(t)` to mux the sound as far as time t
    (container clock) as the picture reaches it, and `sound_until(None)` for the rest."""
    tb = picture.time_base
    first, last = span
    length = max(last - first, 1)
    reported = -1
    for packet in src.demux(picture):
        if packet.dts is None and packet.pts is None:
            continue  # the demuxer's end-of-stream marker
        if cancel is not None:
            cancel.raise_if_cancelled()
        pts = packet.pts if packet.pts is not None else packet.dts
        packet.stream = copied
        dst.mux(packet)
        sound_until(float(pts * tb) + AHEAD_S)
        if progress is not None:
            pct = int(min((pts - first) / length, 0.999) * 100)
            if pct > reported:
                reported = pct
                progress(pct / 100, "copying the picture")
    sound_until(None)


def _move(tmp: Path, out: Path) -> None:
    try:
        os.replace(tmp, out)
    except OSError as exc:
        raise AudioFileError(out, f"cannot write the file here ({exc.strerror or exc})") from None
