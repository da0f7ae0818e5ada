"""mux: the picture's packets copied byte for byte (same timestamps, same rotation), the given
sound in it (AAC within codec tolerance, PCM and FLAC exactly), padded or trimmed to the
picture and said so; cancel and errors leave nothing; an output naming an input is refused."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from video_factory import MadeVideo, make_video

import isolde.video.sound_encoding as sound_encoding
from isolde.audio import open_audio
from isolde.core.errors import AudioFileError, Cancelled, InputError
from isolde.core.progress import CancelToken
from isolde.video.mux import mux
from isolde.video.probe import probe_video

RATE = 48_000


def tones(seconds: float, rate: int = RATE, channels: int = 2) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    cols = [0.3 * np.sin(2 * np.pi * (330 + 110 * c) * t) for c in range(channels)]
    return np.stack(cols, axis=1)


def write(path: Path, samples: np.ndarray, rate: int = RATE, subtype: str = "PCM_24") -> Path:
    sf.write(path, samples, rate, subtype=subtype)
    return path


def picture_packets(path: Path) -> list[tuple[bytes, Fraction | None, Fraction | None, bool]]:
    """(bytes, pts s, dts s, keyframe) of every picture packet, in file order."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        tb = stream.time_base
        return [
            (
                bytes(p),
                None if p.pts is None else p.pts * tb,
                None if p.dts is None else p.dts * tb,
                p.is_keyframe,
            )
            for p in container.demux(stream)
            if p.size
        ]


def sound(path: Path) -> tuple[np.ndarray, int, str, float]:
    """(float samples (n, ch), rate, codec, first sample's time) of the file's audio."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        blocks, first = [], None
        for frame in container.decode(stream):
            if first is None:
                first = float(frame.pts * frame.time_base)
            data = frame.to_ndarray()
            name = frame.format.name
            block = data.T if frame.format.is_planar else data.reshape(-1, frame.layout.nb_channels)
            scale = {"s16": 2.0**15, "s32": 2.0**31}.get(name.rstrip("p"), 1.0)
            blocks.append(block.astype(np.float64) / scale)
        return np.concatenate(blocks), stream.rate, stream.codec_context.name, first or 0.0


def snr_db(got: np.ndarray, want: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(want**2) / np.sum((got - want) ** 2)))


@pytest.fixture
def clip(tmp_path: Path) -> MadeVideo:
    """2 s, 25 fps, with sound (which mux replaces)."""
    return make_video(tmp_path / "clip.mp4", seconds=2.0, gop=10)


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_picture_packets_are_copied_byte_for_byte(
    clip: MadeVideo, tmp_path: Path, suffix: str
) -> None:
    audio = write(tmp_path / "a.wav", tones(2.0))
    report = mux(clip.path, audio, tmp_path / f"out{suffix}")
    assert report.out_path.is_file()
    source, copied = picture_packets(clip.path), picture_packets(report.out_path)
    assert len(copied) == len(source) == clip.frame_count
    assert [p[0] for p in copied] == [p[0] for p in source]
    assert [p[1] for p in copied] == [p[1] for p in source]  # pts, exactly (ms time base)
    assert [p[3] for p in copied] == [p[3] for p in source]
    assert report.picture_s == pytest.approx(2.0)
    assert report.padded_s == 0 and report.trimmed_s == 0
    info = probe_video(report.out_path)
    assert info is not None and info.fps == pytest.approx(25.0)  # the frame rate is kept


def test_aac_sound_is_the_given_audio_within_codec_tolerance(
    clip: MadeVideo, tmp_path: Path
) -> None:
    given = tones(2.0)
    report = mux(clip.path, write(tmp_path / "a.wav", given), tmp_path / "out.mp4")
    got, rate, codec, first = sound(report.out_path)
    assert (codec, rate, report.audio_codec) == ("aac", RATE, "aac")
    assert first == pytest.approx(0.0, abs=1e-9)  # the encoder delay is hidden by the muxer
    assert len(got) >= len(given)
    inner = slice(2048, len(given) - 2048)  # the codec's own edges aside
    assert snr_db(got[inner], given[inner]) > 40
    assert probe_video(report.out_path).audio_start == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("suffix", "subtype", "codec"),
    [
        (".mov", "PCM_24", "pcm_s24le"),
        (".mov", "PCM_16", "pcm_s16le"),
        (".mkv", "PCM_24", "flac"),
        (".mkv", "PCM_16", "flac"),
    ],
)
def test_lossless_sound_is_exact(
    clip: MadeVideo, tmp_path: Path, suffix: str, subtype: str, codec: str
) -> None:
    rng = np.random.default_rng(4)
    given = np.clip(tones(2.0) + 0.05 * rng.standard_normal((2 * RATE, 2)), -1, 1)
    audio = write(tmp_path / "a.wav", given, subtype=subtype)
    with open_audio(audio) as source:
        want = source.read().astype(np.float64)  # as the file stores it
    report = mux(clip.path, audio, tmp_path / f"out{suffix}")
    got, rate, got_codec, _ = sound(report.out_path)
    assert (got_codec, report.audio_codec, rate) == (codec, codec, RATE)
    assert got.shape == want.shape
    bits = 16 if subtype == "PCM_16" else 24
    assert np.array_equal(np.rint(got * 2 ** (bits - 1)), np.rint(want * 2 ** (bits - 1)))


def test_a_short_sound_is_padded_with_silence(clip: MadeVideo, tmp_path: Path) -> None:
    audio = write(tmp_path / "short.wav", tones(1.25))
    report = mux(clip.path, audio, tmp_path / "out.mkv")
    assert report.padded_s == pytest.approx(0.75) and report.trimmed_s == 0
    assert report.audio_s == pytest.approx(1.25)
    got, *_ = sound(report.out_path)
    assert len(got) == 2 * RATE
    assert np.all(got[round(1.25 * RATE) :] == 0)
    assert np.abs(got[: round(1.25 * RATE)]).max() > 0.25


def test_a_long_sound_is_trimmed_to_the_picture(clip: MadeVideo, tmp_path: Path) -> None:
    given = tones(3.5)
    report = mux(clip.path, write(tmp_path / "long.wav", given), tmp_path / "out.mov")
    assert report.trimmed_s == pytest.approx(1.5) and report.padded_s == 0
    got, *_ = sound(report.out_path)
    assert len(got) == 2 * RATE
    assert np.allclose(got, given[: 2 * RATE], atol=2**-22)


def test_the_sound_starts_where_the_source_sound_started(tmp_path: Path) -> None:
    made = make_video(tmp_path / "late.mov", seconds=2.0, audio_start=0.5, audio_seconds=1.5)
    origin = probe_video(made.path).audio_start
    assert origin > 0.4
    report = mux(made.path, write(tmp_path / "a.wav", tones(1.0)), tmp_path / "out.mov")
    _, _, _, first = sound(report.out_path)
    assert first == pytest.approx(origin, abs=1 / RATE)
    assert report.padded_s == pytest.approx(2.0 - origin - 1.0, abs=1e-3)


def test_a_silent_video_gets_the_sound_from_its_start(tmp_path: Path) -> None:
    made = make_video(tmp_path / "mute.mp4", seconds=1.0, audio=False)
    report = mux(made.path, write(tmp_path / "a.wav", tones(1.0)), tmp_path / "out.mp4")
    info = probe_video(report.out_path)
    assert info is not None and info.has_audio and info.audio_start == pytest.approx(0.0)
    assert report.padded_s == 0 and report.trimmed_s == 0


def test_rotation_is_kept(tmp_path: Path) -> None:
    made = make_video(tmp_path / "turned.mp4", size=(160, 120), seconds=1.0, rotation=90)
    for suffix in (".mp4", ".mkv"):
        out = mux(made.path, write(tmp_path / "a.wav", tones(1.0)), tmp_path / f"o{suffix}")
        info = probe_video(out.out_path)
        assert info is not None and info.rotation == 90
        assert (info.display_width, info.display_height) == (120, 160)


def test_vfr_and_odd_sized_pictures_copy_exactly(tmp_path: Path) -> None:
    made = make_video(tmp_path / "vfr.mkv", size=(161, 121), seconds=1.0, vfr=True)
    report = mux(made.path, write(tmp_path / "a.wav", tones(1.0)), tmp_path / "out.mkv")
    assert picture_packets(report.out_path) == picture_packets(made.path)


def test_an_audio_source_and_an_odd_rate_are_taken(clip: MadeVideo, tmp_path: Path) -> None:
    rate = 37_800  # AAC cannot carry it: the sound goes as 48 kHz
    audio = write(tmp_path / "odd.wav", tones(2.0, rate, channels=1), rate)
    with open_audio(audio) as source:
        report = mux(clip.path, source, tmp_path / "out.mp4")
    got, got_rate, _, _ = sound(report.out_path)
    assert report.sample_rate == got_rate == RATE and got.shape[1] == 1
    assert report.padded_s == pytest.approx(0, abs=1e-3)
    want = tones(2.0, RATE, channels=1)
    assert snr_db(got[4096 : 2 * RATE - 4096], want[4096 : 2 * RATE - 4096]) > 30
    assert not list(tmp_path.glob(".*"))  # the resampled temporary is gone


def test_aac_segments_join_seamlessly(
    clip: MadeVideo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Encoded in 12-frame segments on several threads, the decoded sound equals the sound
    encoded in one piece (the seams cost nothing)."""
    rng = np.random.default_rng(2)
    given = tones(2.0) + 0.02 * rng.standard_normal((2 * RATE, 2))
    audio = write(tmp_path / "a.wav", given)
    whole, _, _, _ = sound(mux(clip.path, audio, tmp_path / "whole.mp4").out_path)
    monkeypatch.setattr(sound_encoding, "SEGMENT", 12 * sound_encoding.AAC_FRAME)
    pieces, _, _, _ = sound(mux(clip.path, audio, tmp_path / "pieces.mp4").out_path)
    assert pieces.shape == whole.shape
    inner = slice(2048, 2 * RATE - 2048)
    assert snr_db(pieces[inner], given[inner]) > snr_db(whole[inner], given[inner]) - 0.5
    assert snr_db(pieces[inner], whole[inner]) > 30


def test_cancel_leaves_nothing(clip: MadeVideo, tmp_path: Path) -> None:
    cancel = CancelToken()
    seen: list[float] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(fraction)
        if fraction > 0.2:
            cancel.cancel()

    out = tmp_path / "out" / "cancelled.mp4"
    out.parent.mkdir()
    with pytest.raises(Cancelled):
        mux(clip.path, write(tmp_path / "a.wav", tones(2.0)), out, progress=progress, cancel=cancel)
    assert seen and not list(out.parent.iterdir())


def test_an_output_naming_an_input_is_refused(clip: MadeVideo, tmp_path: Path) -> None:
    audio = write(tmp_path / "a.wav", tones(2.0))
    before = clip.path.read_bytes()
    with pytest.raises(InputError, match="overwrite the VIDEO"):
        mux(clip.path, audio, clip.path)
    other = make_video(tmp_path / "other.mp4", seconds=1.0)
    with pytest.raises(InputError, match="overwrite the AUDIO"):
        mux(other.path, clip.path, Path(f"{tmp_path}/./{clip.path.name}"))
    with open_audio(clip.path) as source, pytest.raises(InputError, match="overwrite the AUDIO"):
        mux(other.path, source, clip.path)
    assert clip.path.read_bytes() == before


def test_bad_inputs_say_what_to_do(clip: MadeVideo, tmp_path: Path) -> None:
    audio = write(tmp_path / "a.wav", tones(1.0))
    with pytest.raises(InputError, match=r"\.mp4, \.m4v, \.mov or \.mkv"):
        mux(clip.path, audio, tmp_path / "out.webm")
    with pytest.raises(AudioFileError, match="no such file"):
        mux(tmp_path / "missing.mp4", audio, tmp_path / "out.mp4")
    with pytest.raises(AudioFileError, match="no picture"):
        mux(audio, audio, tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


def test_an_output_that_is_a_folder_is_a_clear_error(clip: MadeVideo, tmp_path: Path) -> None:
    folder = tmp_path / "taken.mp4"
    folder.mkdir()
    with pytest.raises(AudioFileError, match="cannot write"):
        mux(clip.path, write(tmp_path / "a.wav", tones(2.0)), folder)
    assert folder.is_dir() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
