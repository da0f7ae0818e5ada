"""A project whose source recording changed or went missing: refused before any work (exit 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import soundfile as sf
from cli_signals import RATE, voice_over_noise

from isolde.audio.media_ref import describe_media
from isolde.cli.main import main
from isolde.core.project import Project


@pytest.fixture
def project_file(noisy_wav: Path) -> Path:
    project = Project.new_for_media(describe_media(noisy_wav))
    project.add_span(2.5, 4.0, include=True)
    project.add_span(0.5, 1.5, include=False)
    return project.save(noisy_wav.with_name("interview.isolde"))


def replace_with_same_length_other_content(media: Path) -> None:
    size, before = media.stat().st_size, media.read_bytes()
    sf.write(media, voice_over_noise(6.0, seed=2), RATE, subtype="PCM_16")
    assert media.stat().st_size == size and media.read_bytes() != before


def outputs(tmp_path: Path) -> dict[str, Path]:
    return {"export": tmp_path / "edited.wav", "separate": tmp_path / "separated"}


@pytest.mark.parametrize("command", ["export", "separate"])
def test_a_changed_source_is_refused_and_nothing_is_written(
    command: str,
    project_file: Path,
    noisy_wav: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    replace_with_same_length_other_content(noisy_wav)
    media_before = noisy_wav.read_bytes()
    out = outputs(tmp_path)[command]
    assert main([command, str(project_file), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "noisy.wav: this is not the recording the project was made with" in err
    assert "Put the original recording back" in err and "Traceback" not in err
    assert not out.exists()
    assert noisy_wav.read_bytes() == media_before


def test_the_unchanged_source_exports(project_file: Path, tmp_path: Path) -> None:
    out = outputs(tmp_path)["export"]
    assert main(["export", str(project_file), "--out", str(out)]) == 0
    assert sf.info(out).frames == 6 * RATE


def test_a_missing_source_found_by_content_beside_the_project_is_used(
    project_file: Path, noisy_wav: Path, tmp_path: Path
) -> None:
    shutil.move(noisy_wav, tmp_path / "renamed.wav")
    out = outputs(tmp_path)["export"]
    assert main(["export", str(project_file), "--out", str(out)]) == 0
    assert out.is_file()


@pytest.mark.parametrize("command", ["export", "separate"])
def test_a_missing_source_says_what_is_missing(
    command: str,
    project_file: Path,
    noisy_wav: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    noisy_wav.unlink()
    out = outputs(tmp_path)[command]
    assert main([command, str(project_file), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "the source recording noisy.wav is missing" in err and "Traceback" not in err
    assert not out.exists()


def test_suggest_on_a_project_refuses_a_changed_source(
    project_file: Path, noisy_wav: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replace_with_same_length_other_content(noisy_wav)
    assert main(["suggest", str(project_file), "--json"]) == 3
    captured = capsys.readouterr()
    assert "not the recording the project was made with" in captured.err
    assert captured.out == ""
