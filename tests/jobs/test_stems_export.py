"""Layer audio and stems export (jobs/layer_audio.py, jobs/stems.py) on real files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio import OutputFormat
from isolde.audio.media_ref import describe_media
from isolde.core import layers as lay
from isolde.core.errors import InputError
from isolde.core.state import ProjectState
from isolde.core.takes import Take
from isolde.jobs.layer_audio import layer_media, layer_samples, write_layer
from isolde.jobs.stems import MANIFEST, export_stems

RATE = 48_000


def take_of(folder: Path, take_id: str, heard: np.ndarray, share: np.ndarray) -> Take:
    """A take as engines store it: float WAV files, residual = input − target in float32."""
    folder.mkdir(parents=True)
    target = (heard * share).astype(np.float32)
    residual = heard.astype(np.float32) - target
    sf.write(folder / "target.wav", target, RATE, subtype="FLOAT")
    sf.write(folder / "residual.wav", residual, RATE, subtype="FLOAT")
    files = {"target": str(folder / "target.wav"), "residual": str(folder / "residual.wav")}
    return Take(take_id, "separate", "local", "spans", "2026-01-01T00:00:00Z", files=files)


@pytest.fixture
def project(tmp_path: Path) -> tuple[ProjectState, np.ndarray]:
    """source → voice | rest; rest → drums | other (stereo, 1 s)."""
    rng = np.random.default_rng(3)
    source = (rng.standard_normal((RATE, 2)) * 0.1).astype(np.float32)
    wav = tmp_path / "source.wav"
    sf.write(wav, source, RATE, subtype="FLOAT")
    a = take_of(tmp_path / "a", "a", source, rng.uniform(0, 1, (RATE, 1)))
    rest, _ = sf.read(a.files["residual"], dtype="float32", always_2d=True)
    b = take_of(tmp_path / "b", "b", rest, rng.uniform(0, 1, (RATE, 1)))
    state = lay.split_layer(ProjectState(media=describe_media(wav)), "source", a, ("Voice", "Rest"))
    state = lay.split_layer(state, "a.residual", b, ("Drums", "Other"))
    return state, source.astype(np.float64)


def read(path: Path) -> np.ndarray:
    return sf.read(path, dtype="float64", always_2d=True)[0]


def test_layer_audio_is_the_sum_of_its_parts(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, source = project
    np.testing.assert_array_equal(layer_samples(state, lay.get_layer(state, "source")), source)
    merged = lay.merge_layers(state, "a.target", "b.residual")
    voice = lay.get_layer(merged, "a.target")
    expected = read(Path(merged.take("a").files["target"])) + read(
        Path(merged.take("b").files["residual"])
    )
    np.testing.assert_allclose(layer_samples(merged, voice), expected, atol=1e-7)
    written = write_layer(merged, voice, tmp_path / "voice.wav")
    np.testing.assert_allclose(read(written), expected, atol=1e-7)
    # an engine is sent the part's own file when there is one, else the sum written once
    drums = lay.get_layer(merged, "b.target")
    assert layer_media(merged, drums, tmp_path / "work") == Path(merged.take("b").files["target"])
    sent = layer_media(merged, voice, tmp_path / "work")
    assert sent.parent == tmp_path / "work"
    np.testing.assert_allclose(read(sent), expected, atol=1e-7)
    leaves = [layer_samples(merged, x).astype(np.float64) for x in lay.leaves(merged)]
    np.testing.assert_allclose(sum(leaves), source, atol=1e-6)


def test_stems_files_lengths_and_manifest(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, source = project
    state = lay.set_layer_mix(state, "b.target", colour="#ff0000", gain_db=-6.0)
    out = tmp_path / "stems"
    result = export_stems(state, out, OutputFormat("wav", "float"))
    manifest = json.loads((out / MANIFEST).read_text())
    assert result.manifest == out / MANIFEST
    assert [p.name for p in result.stems] == ["01-voice.wav", "02-drums.wav", "03-other.wav"]
    assert {k: manifest[k] for k in ("format", "rate", "frames", "channels", "mix")} == {
        "format": "isolde-stems",
        "rate": RATE,
        "frames": RATE,
        "channels": 2,
        "mix": "mix.wav",
    }
    assert manifest["source"] == state.media.path
    drums = manifest["stems"][1]
    assert (drums["name"], drums["colour"], drums["gain_db"], drums["file"]) == (
        "Drums",
        "#ff0000",
        -6.0,
        "02-drums.wav",
    )
    assert drums["parts"] == [
        {"take": "b", "role": "target", "file": state.take("b").files["target"]}
    ]
    assert manifest["stems"][0]["colour"] == lay.PALETTE[1]  # by place in the tree
    stems = [read(p) for p in result.stems]
    assert all(s.shape == source.shape for s in stems)
    np.testing.assert_allclose(sum(stems), source, atol=1e-6)  # stems are at unity gain


def test_mix_follows_gain_mute_and_solo(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, _ = project
    voice, drums, other = (layer_samples(state, x).astype(np.float64) for x in lay.leaves(state))
    state = lay.set_layer_mix(state, "a.target", gain_db=-6.0)
    state = lay.set_layer_mix(state, "b.target", mute=True)
    result = export_stems(state, tmp_path / "one", OutputFormat("wav", "float"))
    np.testing.assert_allclose(read(result.mix), 10 ** (-6 / 20) * voice + other, atol=1e-6)
    state = lay.set_layer_mix(state, "b.residual", solo=True, gain_db=3.0)
    result = export_stems(state, tmp_path / "two", OutputFormat("wav", "float"))
    np.testing.assert_allclose(read(result.mix), 10 ** (3 / 20) * other, atol=1e-6)
    assert not np.allclose(drums, 0)


def test_stems_in_another_format_and_rate(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, _ = project
    result = export_stems(
        state, tmp_path / "flac", OutputFormat("flac", "16", sample_rate=24_000), mix=False
    )
    assert result.mix is None and all(p.suffix == ".flac" for p in result.stems)
    manifest = json.loads(result.manifest.read_text())
    assert (manifest["rate"], manifest["frames"], manifest["output_format"]) == (
        24_000,
        24_000,
        "flac:16",
    )
    for path in result.stems:
        info = sf.info(path)
        assert (info.samplerate, info.frames, info.subtype) == (24_000, 24_000, "PCM_16")


def test_stems_never_write_over_the_projects_files(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, _ = project
    unsplit = lay.unsplit_layer(state, "source")
    folder = tmp_path / "a"
    (folder / "01-source.wav").symlink_to(folder / "target.wav")
    with pytest.raises(InputError, match="own files"):
        export_stems(unsplit, folder, OutputFormat("wav", "float"))
    np.testing.assert_equal(sf.info(folder / "target.wav").frames, RATE)
