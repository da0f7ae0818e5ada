"""`isolde peel` twice, with the local engine and the fake cloud: the layers still sum to the
source (as closely as one take's target + residual does), and `isolde stems` exports them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from cli_signals import RATE, voice_over_noise

from isolde.audio.media_ref import describe_media
from isolde.cli.main import main
from isolde.core import layers as lay
from isolde.core.project import Project
from isolde.core.state import ProjectState
from isolde.jobs.export import read_take_dir
from isolde.jobs.layer_audio import layer_samples

ASK = {
    "local": ["--exclude", "0-0.9", "--include", "1-2"],
    "fal": ["--prompt", "the voice"],
}


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code = main([*argv, "--json", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


@pytest.fixture
def peel_engines(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    engines = request.param
    if "fal" in engines:
        request.getfixturevalue("cloud")
    return engines


@pytest.mark.parametrize(
    ("peel_engines", "channels"),
    [
        (("local", "local", "local"), 1),
        (("local", "local", "local"), 2),
        (("fal", "fal", "fal"), 1),
        (("fal", "local", "fal"), 2),
    ],
    indirect=["peel_engines"],
)
def test_peel_twice_and_the_leaves_sum_to_the_source(
    peel_engines: tuple[str, str, str],
    channels: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wav = tmp_path / "mix.wav"
    source = voice_over_noise(2.5, channels=channels)
    sf.write(wav, source, RATE, subtype="PCM_16")
    first, second, third = peel_engines
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    run_json(capsys, "separate", str(wav), "--provider", first, *ASK[first], "--out", str(a))
    peeled = run_json(
        capsys, "peel", str(a), "--what", "residual", "--provider", second, *ASK[second],
        "--out", str(b),
    )  # fmt: skip
    assert peeled["provider"] == second
    run_json(
        capsys, "peel", str(b), "--what", "target", "--provider", third, *ASK[third],
        "--out", str(c),
    )  # fmt: skip
    take_a, take_b, take_c = (read_take_dir(d).take for d in (a, b, c))
    # each peel's input is the file it peeled: its target + residual add up to that file
    assert json.loads((b / "take.json").read_text())["media"]["path"] == take_a.files["residual"]

    state = ProjectState(media=describe_media(wav))
    state = lay.split_layer(state, lay.ROOT_ID, take_a)
    state = lay.split_layer(state, f"{take_a.id}.residual", take_b)
    state = lay.split_layer(state, f"{take_b.id}.target", take_c)
    heard = lay.leaves(state)
    assert len(heard) == 4
    parts = [layer_samples(state, x).astype(np.float64) for x in heard]
    x, _ = sf.read(wav, dtype="float64", always_2d=True)
    assert all(p.shape == x.shape for p in parts)
    np.testing.assert_allclose(sum(parts), x, atol=2e-6)
    # real splits, not the source in one layer (the fake cloud's split is a low band: peeling
    # its high band again leaves a silent target, so not every leaf has sound)
    assert sum(np.abs(p).max() > 1e-4 for p in parts) >= 2

    # the project saves, and `isolde stems` writes the four leaves and their mix
    project_path = tmp_path / "layers.isolde"
    Project(state).save(project_path)
    out = tmp_path / "stems"
    done = run_json(capsys, "stems", str(project_path), "--out", str(out))
    manifest = json.loads(Path(done["manifest"]).read_text())
    assert [s["name"] for s in manifest["stems"]] == [x.name for x in heard]
    stems = [
        sf.read(out / s["file"], dtype="float64", always_2d=True)[0] for s in manifest["stems"]
    ]
    np.testing.assert_allclose(sum(stems), x, atol=2e-6)
    mix, _ = sf.read(out / manifest["mix"], dtype="float64", always_2d=True)
    np.testing.assert_allclose(mix, x, atol=2e-6)


def test_peel_refuses_a_take_without_that_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wav = tmp_path / "mix.wav"
    sf.write(wav, voice_over_noise(2.5), RATE, subtype="PCM_16")
    a = tmp_path / "a"
    run_json(capsys, "separate", str(wav), *ASK["local"], "--out", str(a))
    (a / "residual.wav").unlink()
    assert main(["peel", str(a), "--what", "residual", *ASK["local"], "--out", str(a)]) == 3
    assert "residual file residual.wav is missing" in capsys.readouterr().err
    assert main(["peel", str(tmp_path), "--what", "target", "--prompt", "x"]) == 3
    assert "no take.json" in capsys.readouterr().err
