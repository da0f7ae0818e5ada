"""Self-contained projects: takes live beside the project file, travel with Save As and with the
folder, and the source recording is checked (and found again) by its content hash."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio.media_check import ensure_media, find_media
from isolde.audio.media_ref import describe_media
from isolde.core import take_folders
from isolde.core.errors import ProjectFileError
from isolde.core.media import MediaChangedError, MediaMissingError
from isolde.core.project import Project
from isolde.core.takes import Take

RATE = 8000


def write_wav(path: Path, seed: int, seconds: float = 1.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    noise = np.random.default_rng(seed).uniform(-0.5, 0.5, (round(seconds * RATE), 2))
    sf.write(path, noise.astype(np.float32), RATE, subtype="PCM_16")
    return path


def job_take(folder: Path, take_id: str) -> Take:
    """A take folder as a job writes it: target, residual, mask video, take.json last."""
    folder.mkdir(parents=True)
    seed = sum(map(ord, take_id))
    write_wav(folder / "target.wav", seed=seed)
    write_wav(folder / "residual.wav", seed=seed + 1)
    (folder / "mask.mp4").write_bytes(b"not really a video")
    take = Take(
        id=take_id,
        kind="separate",
        provider="local",
        endpoint="spans",
        created_at="2026-01-02T03:04:05Z",
        files={"target": str(folder / "target.wav"), "residual": str(folder / "residual.wav")},
    )
    doc = {"format": "isolde-take", "version": 1, "take": take.to_json()}
    (folder / "take.json").write_text(json.dumps(doc))
    return take


def project_with_media(folder: Path) -> Project:
    project = Project.new_for_media(describe_media(write_wav(folder / "voice.wav", seed=7)))
    project.add_span(0.1, 0.4)
    return project


def stored_files(project_file: Path) -> list[str]:
    doc = json.loads(project_file.read_text())
    return sorted(p for take in doc["takes"] for p in take["files"].values())


def contents(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


# -- takes ----------------------------------------------------------------------------------


def test_takes_of_a_saved_project_are_stored_relative_to_it(tmp_path: Path) -> None:
    project = project_with_media(tmp_path)
    path = project.save(tmp_path / "song.isolde")
    project.add_take(job_take(project.takes_dir / "job1", "t1"))
    project.save()
    assert project.takes_dir == tmp_path / "song-takes"
    assert stored_files(path) == ["song-takes/job1/residual.wav", "song-takes/job1/target.wav"]


def test_untitled_takes_move_in_on_the_first_save(tmp_path: Path) -> None:
    project = project_with_media(tmp_path)
    untitled = project.takes_dir
    assert not untitled.is_relative_to(tmp_path)  # in the data folder
    take = job_take(untitled / "job1", "t1")
    before = contents(untitled / "job1")
    project.add_take(take)
    project.add_span(0.5, 0.6)  # an edit after the take: the undo history holds it too
    path = project.save(tmp_path / "song.isolde")
    moved = tmp_path / "song-takes" / "job1"
    assert contents(moved) == before  # whole: take.json and the mask video came along
    assert not untitled.exists()  # moved, not copied: nothing left in the data folder
    assert stored_files(path) == ["song-takes/job1/residual.wav", "song-takes/job1/target.wav"]
    assert project.state.take("t1").files["target"] == str(moved / "target.wav")
    assert not project.dirty
    project.undo()  # the state before the span also names the take at its new place
    assert project.state.take("t1").files["target"] == str(moved / "target.wav")
    assert Project.load(path).state.take("t1").files["residual"] == str(moved / "residual.wav")


def test_a_recovered_untitled_project_brings_its_takes_in_too(tmp_path: Path) -> None:
    project = project_with_media(tmp_path)
    project.add_take(job_take(project.takes_dir / "job1", "t1"))
    recovery = project.autosave()
    restored = Project.recover(recovery)  # as after a crash: another session
    restored.save(tmp_path / "song.isolde")
    assert (tmp_path / "song-takes" / "job1" / "take.json").is_file()
    assert not project.takes_dir.exists()


def test_save_as_carries_the_takes_along_and_keeps_the_old_project_whole(tmp_path: Path) -> None:
    project = project_with_media(tmp_path)
    (tmp_path / "a").mkdir()
    old = project.save(tmp_path / "a" / "song.isolde")
    project.add_take(job_take(project.takes_dir / "job1", "t1"))
    project.add_take(job_take(project.takes_dir / "job2", "t2"))
    project.save()
    (tmp_path / "b").mkdir()
    new = project.save(tmp_path / "b" / "copy.isolde")
    assert contents(tmp_path / "b" / "copy-takes") == contents(tmp_path / "a" / "song-takes")
    assert stored_files(new) == [
        f"copy-takes/{job}/{role}.wav"
        for job in ("job1", "job2")
        for role in ("residual", "target")
    ]
    assert all(
        Path(p).is_relative_to(tmp_path / "b")
        for t in project.state.takes
        for p in t.files.values()
    )
    kept = Project.load(old)  # the old project still has its own takes
    assert all(
        Path(p).is_file() and Path(p).is_relative_to(tmp_path / "a")
        for t in kept.state.takes
        for p in t.files.values()
    )


def test_a_failed_save_as_leaves_no_partial_take_and_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with_media(tmp_path)
    first = project.save(tmp_path / "song.isolde")
    project.add_take(job_take(project.takes_dir / "job1", "t1"))
    project.add_take(job_take(project.takes_dir / "job2", "t2"))
    project.save()
    real_copy, copied = shutil.copy2, []

    def disk_fills(src: object, dst: object) -> object:
        if len(copied) == 5:  # the second take folder, halfway through
            raise OSError(28, "No space left on device")
        copied.append(dst)
        return real_copy(src, dst)

    monkeypatch.setattr(take_folders.shutil, "copy2", disk_fills)
    (tmp_path / "b").mkdir()
    with pytest.raises(ProjectFileError, match=r"No space left on device.*save somewhere else"):
        project.save(tmp_path / "b" / "copy.isolde")
    assert len(copied) == 5
    assert list((tmp_path / "b").iterdir()) == []  # no take, no folder, no project file
    assert project.path == first and project.state.take("t1").files["target"].startswith(
        str(tmp_path / "song-takes")
    )


def test_a_project_folder_moved_elsewhere_opens_with_every_take(tmp_path: Path) -> None:
    home = tmp_path / "machine-a" / "work"
    project = project_with_media(home)
    project.save(home / "song.isolde")
    project.add_take(job_take(project.takes_dir / "job1", "t1"))
    project.add_take(job_take(project.takes_dir / "job2", "t2"))
    project.save()
    expected = {t.id: Path(t.files["target"]).read_bytes() for t in project.state.takes}
    moved = shutil.move(home, tmp_path / "machine-b")
    shutil.rmtree(tmp_path / "machine-a")
    opened = Project.load(Path(moved) / "song.isolde")
    assert {t.id: Path(t.files["target"]).read_bytes() for t in opened.state.takes} == expected
    assert all(Path(p).is_file() for t in opened.state.takes for p in t.files.values())
    assert ensure_media(opened) == Path(moved) / "voice.wav"


def test_a_take_from_another_folder_is_copied_in_on_save(tmp_path: Path) -> None:
    project = project_with_media(tmp_path)
    project.save(tmp_path / "song.isolde")
    outside = job_take(tmp_path / "cli-output", "t1")  # e.g. what `isolde separate` wrote
    project.add_take(outside)
    project.save()
    assert (tmp_path / "song-takes" / "cli-output" / "take.json").is_file()
    assert (tmp_path / "cli-output" / "target.wav").is_file()  # not ours to move
    assert stored_files(project.path) == [  # type: ignore[arg-type]
        "song-takes/cli-output/residual.wav",
        "song-takes/cli-output/target.wav",
    ]


# -- the source recording -------------------------------------------------------------------


def test_missing_media_is_a_specific_error_saying_what_to_look_for(tmp_path: Path) -> None:
    project = project_with_media(tmp_path / "rec")
    path = project.save(tmp_path / "song.isolde")
    expected_hash = project.state.media.content_hash  # type: ignore[union-attr]
    (tmp_path / "rec" / "voice.wav").unlink()
    opened = Project.load(path)  # loading does not need the media
    with pytest.raises(MediaMissingError, match=r"voice\.wav is missing.*locate it") as caught:
        ensure_media(opened)
    error = caught.value
    assert (error.expected_name, error.content_hash) == ("voice.wav", expected_hash)
    assert error.project_path == path and tmp_path in error.searched
    assert error.exit_code == 3


def test_missing_media_is_found_again_by_content_in_the_project_folder(tmp_path: Path) -> None:
    project = project_with_media(tmp_path / "rec")
    path = project.save(tmp_path / "song.isolde")
    write_wav(tmp_path / "voice.wav", seed=99)  # same name, other content: not it
    shutil.move(tmp_path / "rec" / "voice.wav", tmp_path / "renamed.wav")
    opened = Project.load(path)
    assert ensure_media(opened) == tmp_path / "renamed.wav"
    assert opened.state.media.path == str(tmp_path / "renamed.wav")  # type: ignore[union-attr]
    assert opened.dirty and opened.history.undo_label == "Relink media"


def test_the_user_locates_missing_media_by_file_or_folder(tmp_path: Path) -> None:
    project = project_with_media(tmp_path / "rec")
    path = project.save(tmp_path / "song.isolde")
    shutil.move(tmp_path / "rec", tmp_path / "usb-stick")
    other = write_wav(tmp_path / "other.wav", seed=5)
    with pytest.raises(MediaChangedError, match="not the recording the project was made with"):
        ensure_media(Project.load(path), located=other)
    by_folder = Project.load(path)
    assert ensure_media(by_folder, located=tmp_path / "usb-stick") == (
        tmp_path / "usb-stick" / "voice.wav"
    )
    by_file = Project.load(path)
    ensure_media(by_file, located=tmp_path / "usb-stick" / "voice.wav")
    assert by_file.state == by_folder.state
    (tmp_path / "empty").mkdir()
    with pytest.raises(MediaMissingError, match=r"voice\.wav is missing"):
        ensure_media(Project.load(path), located=tmp_path / "empty")


def test_media_replaced_by_other_content_of_the_same_length_is_refused(tmp_path: Path) -> None:
    project = project_with_media(tmp_path)
    path = project.save(tmp_path / "song.isolde")
    media = tmp_path / "voice.wav"
    size = media.stat().st_size
    write_wav(media, seed=8)  # another recording, same format and length
    assert media.stat().st_size == size
    with pytest.raises(MediaChangedError, match=r"voice\.wav: this is not the recording") as e:
        ensure_media(Project.load(path))
    assert "Put the original recording back" in str(e.value) and e.value.exit_code == 3
    with pytest.raises(MediaChangedError):
        Project.load(path).relink(media, e.value.found_hash)


def test_find_media_is_bounded_and_prefers_the_same_name(tmp_path: Path) -> None:
    media = describe_media(write_wav(tmp_path / "a" / "voice.wav", seed=3))
    for i in range(3):
        write_wav(tmp_path / "b" / f"decoy{i}.wav", seed=10 + i)
    shutil.copy(media.path, tmp_path / "b" / "zz-copy.wav")
    shutil.copy(media.path, tmp_path / "b" / "voice.wav")
    assert find_media(media, [tmp_path / "b"]) == tmp_path / "b" / "voice.wav"
    (tmp_path / "b" / "voice.wav").unlink()
    assert find_media(media, [tmp_path / "b"]) == tmp_path / "b" / "zz-copy.wav"
    assert find_media(media, [tmp_path / "nowhere"]) is None
