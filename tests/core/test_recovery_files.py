"""Recognising a project by its content, finding the autosaves to offer back, and writing
autosaves on a worker: one write at a time, the newest text wins."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from core_helpers import make_media

from isolde.cli.main import main
from isolde.core.autosave_writer import AutosaveWriter
from isolde.core.project import Project
from isolde.core.projectfile import looks_like_project, read_project_file
from isolde.core.recovery import (
    describe_recovery,
    keep_aside,
    kept_recoveries,
    recoveries_for_media,
    recoveries_for_project,
    recovery_path_for,
)


def _project(tmp_path: Path, media: str = "voice.wav") -> Project:
    project = Project.new_for_media(make_media(tmp_path / media))
    project.add_span(1, 2)
    return project


def test_a_project_is_recognised_by_its_content(tmp_path: Path) -> None:
    saved = _project(tmp_path).save(tmp_path / "p.isolde")
    for name in ("p.json", "p", "p.wav"):
        copy = tmp_path / name
        copy.write_bytes(saved.read_bytes())
        assert looks_like_project(copy), name
    assert looks_like_project(tmp_path / "missing.isolde")  # the project loader says why
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF" + bytes(70_000))
    assert not looks_like_project(wav)
    other_json = tmp_path / "other.json"
    other_json.write_text('{"format": "something-else"}')
    assert not looks_like_project(other_json)
    assert not looks_like_project(tmp_path / "missing.wav")
    assert not looks_like_project(tmp_path)  # a folder


def test_the_cli_opens_a_renamed_project_as_a_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = _project(tmp_path).save(tmp_path / "p.isolde")
    renamed = saved.rename(tmp_path / "p.txt")
    assert main(["info", str(renamed)]) == 0
    assert "spans     1" in capsys.readouterr().out


def test_offers_for_a_project_include_kept_autosaves_newest_first(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project.save(tmp_path / "p.isolde")
    assert recoveries_for_project(path) == []
    project.add_span(3, 4)
    first = project.autosave()
    kept = keep_aside(first)
    assert kept_recoveries(path) == [kept] and not first.exists()
    project.add_span(5, 6)
    second = project.autosave()
    os.utime(kept, ns=(1, 1))  # older than everything
    assert recoveries_for_project(path) == [second, kept]
    assert describe_recovery(second).marks == 3 and describe_recovery(kept).marks == 2
    assert describe_recovery(second).project == path


def test_offers_for_media_are_the_untitled_autosaves_made_on_it(tmp_path: Path) -> None:
    on_voice = _project(tmp_path, "voice.wav").autosave()
    _project(tmp_path, "other.wav").autosave()
    assert recoveries_for_media(tmp_path / "voice.wav") == [on_voice]
    info = describe_recovery(on_voice)
    assert info.project is None and info.media_name == "voice.wav" and info.marks == 1


def test_the_writer_writes_the_newest_text_last(tmp_path: Path) -> None:
    writer = AutosaveWriter()
    target = tmp_path / "sub" / "x.autosave"
    for i in range(200):
        writer.submit(target, f"text {i}\n")
    assert writer.settle(drop=False)
    assert target.read_text() == "text 199\n"
    assert 1 <= writer.writes <= 200
    writer.submit(target, None)  # clean again: the autosave goes
    assert writer.settle(drop=False) and not target.exists()
    writer.close()


def test_the_writer_never_writes_twice_at_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from isolde.core import autosave_writer

    inside, most = [0], [0]
    lock = threading.Lock()
    real = autosave_writer.atomic_write_text

    def slow_write(path: Path, text: str) -> None:  # a slow disk, around the real write
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        threading.Event().wait(0.01)
        real(path, text)
        with lock:
            inside[0] -= 1

    monkeypatch.setattr(autosave_writer, "atomic_write_text", slow_write)
    writer = AutosaveWriter()
    for i in range(30):
        writer.submit(tmp_path / "x.autosave", str(i))
        threading.Event().wait(0.002)
    assert writer.settle(drop=False)
    assert most[0] == 1 and (tmp_path / "x.autosave").read_text() == "29"
    assert writer.writes < 30  # texts that waited behind a slow write were replaced
    writer.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_failed_autosave_says_where_and_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    writer = AutosaveWriter()
    writer.submit(blocker / "x.autosave", "text")
    assert writer.settle(drop=False)
    assert writer.last_error is not None
    assert str(blocker) in writer.last_error and "save the project" in writer.last_error
    writer.close()


def test_an_autosave_reads_back_as_its_project(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project.save(tmp_path / "p.isolde")
    project.add_span(3, 4)
    recovery = project.autosave()
    assert recovery == recovery_path_for(path)
    assert read_project_file(recovery).autosave_of == str(path)
    restored = Project.recover(recovery)
    assert restored.path == path and restored.dirty and len(restored.state.spans) == 2
