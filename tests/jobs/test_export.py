"""Remix and export: gains, ranges with crossfades, applied edits, formats, cancel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio import OutputFormat
from isolde.audio.media_ref import describe_media
from isolde.cli.main import main
from isolde.core.edits import AppliedEdit
from isolde.core.errors import Cancelled
from isolde.core.progress import CancelToken
from isolde.core.project import Project
from isolde.core.spans import InpaintRegion, Span
from isolde.jobs.export import export_state, read_take_dir, remix_take
from isolde.jobs.runner import run_to_take
from isolde.providers.base import Request, RequestKind
from isolde.providers.local import LocalProvider

RATE = 48_000


@pytest.fixture
def take(tmp_path: Path) -> Path:
    rng = np.random.default_rng(9)
    n = RATE * 4
    t = np.arange(n) / RATE
    tone = 0.3 * np.sin(2 * np.pi * 330 * t) * (t > 1.0)
    mix = tone[:, None] + rng.standard_normal((n, 2)) * 0.05
    source = tmp_path / "mix.wav"
    sf.write(source, mix.astype(np.float32), RATE, subtype="FLOAT")
    request = Request(RequestKind.SPANS, str(source), spans=(Span(0, 1, include=False),))
    run_to_take(LocalProvider(), request, tmp_path / "take", OutputFormat())
    return tmp_path / "take"


def _read(path: Path) -> np.ndarray:
    return sf.read(path, dtype="float64", always_2d=True)[0]


def _parts(take: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    info = read_take_dir(take)
    return (
        _read(Path(info.media_path)),
        _read(Path(info.take.files["target"])),
        _read(Path(info.take.files["residual"])),
    )


def test_unity_gains_give_back_the_source_and_a_silent_residual_the_target(
    take: Path, tmp_path: Path
) -> None:
    source, target, _ = _parts(take)
    same = remix_take(take, tmp_path / "same.wav", OutputFormat(), residual_gain_db=0.0)
    np.testing.assert_allclose(_read(same), source, atol=1e-6)
    only = remix_take(take, tmp_path / "only.wav", OutputFormat())
    np.testing.assert_allclose(_read(only), target, atol=1e-6)


def test_a_range_is_crossfaded_and_the_rest_untouched(take: Path, tmp_path: Path) -> None:
    source, target, residual = _parts(take)
    out = _read(
        remix_take(
            take,
            tmp_path / "r.wav",
            OutputFormat(),
            residual_gain_db=-18.0,
            time_range=(2.0, 3.0),
            fade_s=0.05,
        )
    )
    a, b, fade = 2 * RATE, 3 * RATE, int(0.05 * RATE)
    np.testing.assert_allclose(out[:a], source[:a], atol=1e-7)
    np.testing.assert_allclose(out[b:], source[b:], atol=1e-7)
    inner = slice(a + fade, b - fade)
    np.testing.assert_allclose(
        out[inner], target[inner] + 10 ** (-18 / 20) * residual[inner], atol=1e-6
    )
    # the fade-in is a linear crossfade from the source into the remix: no step, no dip
    w = np.clip((np.arange(a, a + fade) - a + 0.5) / fade, 0, 1)[:, None]
    remix = target[a : a + fade] + 10 ** (-18 / 20) * residual[a : a + fade]
    np.testing.assert_allclose(
        out[a : a + fade], (1 - w) * source[a : a + fade] + w * remix, atol=1e-6
    )


def test_export_renders_every_applied_edit_later_wins(take: Path, tmp_path: Path) -> None:
    info = read_take_dir(take)
    source, target, _ = _parts(take)
    project = Project.new_for_media(describe_media(info.media_path))
    project.add_take(info.take)
    inpainted = tmp_path / "fix"
    request = Request(RequestKind.INPAINT, info.media_path, region=InpaintRegion(3.5, 3.52))
    fixed = run_to_take(LocalProvider(), request, inpainted, OutputFormat())
    fix_take = read_take_dir(inpainted).take
    project.add_take(fix_take, make_active=False)
    project.apply_edit(AppliedEdit(info.take.id, 1.0, 2.5, fade_s=0.0))
    project.apply_edit(AppliedEdit(fix_take.id, 2.0, 3.9, kind="inpaint", fade_s=0.0))
    out = _read(export_state(project.state, tmp_path / "edited.wav", OutputFormat()))
    np.testing.assert_allclose(out[:RATE], source[:RATE], atol=1e-7)
    np.testing.assert_allclose(out[RATE : 2 * RATE], target[RATE : 2 * RATE], atol=1e-6)
    whole_fix = _read(fixed.outputs["inpainted"])
    np.testing.assert_allclose(
        out[2 * RATE : int(3.9 * RATE)], whole_fix[2 * RATE : int(3.9 * RATE)], atol=1e-6
    )
    tgt = _read(
        export_state(
            project.state,
            tmp_path / "t.flac",
            OutputFormat.parse("flac"),
            what="target",
            take_id=info.take.id,
        )
    )
    np.testing.assert_allclose(tgt, target, atol=1e-5)


def test_export_formats_and_rates(take: Path, tmp_path: Path) -> None:
    for spec, rate in (("mp3:320", 44_100), ("wav:16", None), ("flac:24", 96_000)):
        fmt = OutputFormat.parse(spec, sample_rate=rate)
        out = remix_take(take, tmp_path / f"x{fmt.extension}", fmt, residual_gain_db=-6.0)
        info = sf.info(out)
        assert info.samplerate == (rate or RATE)
        assert abs(info.frames / info.samplerate - 4.0) < 0.06


def test_cancel_leaves_no_file(take: Path, tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        remix_take(take, tmp_path / "c.wav", OutputFormat(), cancel=token)
    assert not (tmp_path / "c.wav").exists()


def test_cli_remix_and_export(take: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert (
        main(
            [
                "remix",
                str(take),
                "--residual-gain",
                "-18",
                "--range",
                "1-2",
                "--out",
                str(tmp_path / "a.mp3"),
            ]
        )
        == 0
    )
    assert sf.info(tmp_path / "a.mp3").format == "MP3"
    assert main(["remix", str(tmp_path), "--out", str(tmp_path / "b.wav")]) == 3
    assert "no take.json" in capsys.readouterr().err
    assert main(["remix", str(take), "--out", str(tmp_path / "b.wav"), "--format", "flac"]) == 3
    info = read_take_dir(take)
    project = Project.new_for_media(describe_media(info.media_path))
    project.add_take(info.take)
    project.apply_edit(AppliedEdit(info.take.id, 0.5, 1.5))
    path = project.save(tmp_path / "p.isolde")
    assert main(["export", str(path), "--out", str(tmp_path / "e.flac"), "--rate", "44100"]) == 0
    assert sf.info(tmp_path / "e.flac").samplerate == 44_100
