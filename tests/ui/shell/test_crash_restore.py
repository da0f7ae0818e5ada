"""After a crash the editor offers the autosaved work back, and restoring gives back every edit
made more than the autosave delay before the crash.

The crash is real: `crash_driver.py` runs the editor as `isolde FILE` does in a child process,
keeps making marks through the editor's commands, and is killed with SIGKILL at a random moment.
This process then opens the same file in a MainWindow, as a user starting Isolde again would.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from timeline_helpers import write_tone_wav

from isolde.audio.media_ref import describe_media
from isolde.core.paths import recovery_dir
from isolde.core.project import Project
from isolde.core.recovery import (
    RecoveryInfo,
    describe_recovery,
    kept_recoveries,
    recovery_path_for,
)
from isolde.ui.shell.autosave import LATEST_MS
from isolde.ui.shell.main_window import MainWindow
from isolde.ui.shell.recovery_offer import RestoreChoice, ask_restore, offer_text

pytest.importorskip("pytestqt")
if not hasattr(signal, "SIGKILL"):
    pytest.skip("needs SIGKILL", allow_module_level=True)

DRIVER = Path(__file__).with_name("crash_driver.py")
# An edit older than this at the kill must be in the autosave: the autosave's latest moment
# after an edit, plus room for the write and a busy machine's scheduling.
PROMISE_S = LATEST_MS / 1000 + 1.0


@dataclass(frozen=True)
class Edit:
    n: int
    start: float
    end: float
    include: bool
    at: float  # wall clock, in the editor process, just after the edit


class Editor:
    """A real editor process making edits until it is killed."""

    def __init__(self, path: Path, tmp: Path) -> None:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_DATA_HOME": str(tmp / "xdg-data"),
        }
        self.proc = subprocess.Popen(
            [sys.executable, str(DRIVER), str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.edits: list[Edit] = []
        self.stderr = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            parts = line.split()
            if parts and parts[0] == "edit":
                n, start, end, include, at = parts[1:]
                self.edits.append(Edit(int(n), float(start), float(end), include == "1", float(at)))

    def first_edit_at(self, timeout: float = 90.0) -> float:
        deadline = time.monotonic() + timeout
        while not self.edits:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"the editor made no edit; stderr:\n{self.stderr[-3000:]}")
            time.sleep(0.02)
        return self.edits[0].at

    def kill(self) -> float:
        killed_at = time.time()
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()
        return killed_at


def _marks(project: Project) -> list[tuple[float, float, bool]]:
    return sorted((round(s.start, 3), round(s.end, 3), s.include) for s in project.state.spans)


def _reopen(qtbot, path: Path, choice: RestoreChoice) -> tuple[MainWindow, list[RecoveryInfo]]:  # type: ignore[no-untyped-def]
    """Start Isolde again on `path`, answering the restore offer with `choice`."""
    offers: list[RecoveryInfo] = []
    window = MainWindow()
    qtbot.addWidget(window)
    window.ask_restore = lambda _parent, info: offers.append(info) or choice
    window.show()
    window.start(path)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.last_error is None, window.last_error
    return window, offers


def test_an_editor_killed_mid_session_gives_back_every_edit_but_the_last_seconds(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    media = write_tone_wav(tmp_path / "crash.wav", 30.0, channels=1)
    saved = Project.new_for_media(describe_media(write_tone_wav(tmp_path / "take2.wav", 30.0)))
    saved.add_region(29.0, 29.5)  # clear of the driver's marks
    project_file = saved.save(tmp_path / "session.isolde")

    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    editors = {media: Editor(media, tmp_path), project_file: Editor(project_file, tmp_path)}
    kills = {
        path: editor.first_edit_at() + rng.uniform(4.5, 7.5) for path, editor in editors.items()
    }
    killed_at: dict[Path, float] = {}
    for path in sorted(kills, key=kills.get):  # type: ignore[arg-type]
        time.sleep(max(0.0, kills[path] - time.time()))
        killed_at[path] = editors[path].kill()

    for path, editor in editors.items():
        window, offers = _reopen(qtbot, path, RestoreChoice.RESTORE)
        edits, kill = editor.edits, killed_at[path]
        restored = _marks(window.project)  # type: ignore[arg-type]
        made = [(round(e.start, 3), round(e.end, 3), e.include) for e in edits]
        kept = [m for m in made if m in restored]
        lost = [e for e, m in zip(edits, made, strict=True) if m not in restored]
        newest_kept = min((kill - e.at for e in edits if e not in lost), default=None)
        oldest_lost = max((kill - e.at for e in lost), default=None)
        print(
            f"\n{path.name} (seed {seed}): {len(edits)} edits, {len(kept)} restored; newest "
            f"restored edit made {newest_kept} s before the kill, oldest lost {oldest_lost} s"
        )
        assert len(offers) == 1, offers
        assert offers[0].marks == len(restored) + (1 if path == project_file else 0)
        assert restored == made[: len(restored)], "the autosave holds a prefix of the edits"
        assert oldest_lost is None or oldest_lost < PROMISE_S, (
            f"an edit made {oldest_lost:.2f} s before the kill was lost (seed {seed})"
        )
        assert kept, "the kill came seconds after the first edits: some must be restored"
        assert window.project is not None and window.project.dirty
        assert window.windowTitle().startswith("*")
        if path == project_file:
            assert window.project.path == project_file
            assert len(window.project.state.regions) == 1  # what was saved before is there too
            assert offers[0].project == project_file
        else:
            assert window.project.path is None and offers[0].media_name == "crash.wav"


def _untitled_autosave(media: Path, marks: int) -> Path:
    """What an untitled session leaves behind when it dies: its autosave in the data folder."""
    project = Project.new_for_media(describe_media(media))
    for i in range(marks):
        project.add_span(0.5 * i, 0.5 * i + 0.25)
    return project.autosave()


def test_starting_without_a_file_offers_an_untitled_projects_work(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    recovery = _untitled_autosave(write_tone_wav(tmp_path / "voice.wav", 3.0), marks=2)
    window, offers = _reopen(qtbot, None, RestoreChoice.RESTORE)  # type: ignore[arg-type]
    assert [(o.marks, o.media_name, o.project) for o in offers] == [(2, "voice.wav", None)]
    assert window.project is not None and len(window.project.state.spans) == 2
    assert window.project.dirty and window.windowTitle().startswith("*voice.wav")
    assert recovery.exists()  # still the session's autosave until the project is saved


def test_decide_later_keeps_the_autosave_and_discard_deletes_it(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    recovery = _untitled_autosave(write_tone_wav(tmp_path / "voice.wav", 3.0), marks=1)
    window, offers = _reopen(qtbot, None, RestoreChoice.LATER)  # type: ignore[arg-type]
    assert len(offers) == 1 and recovery.exists()
    assert window.document is not None and window.document.source.info.path.endswith("sample.flac")
    window, offers = _reopen(qtbot, None, RestoreChoice.DISCARD)  # type: ignore[arg-type]
    assert len(offers) == 1 and not recovery.exists()
    assert window.project is not None and not window.project.dirty
    _, offers = _reopen(qtbot, None, RestoreChoice.RESTORE)  # type: ignore[arg-type]
    assert offers == []


def _saved_with_newer_autosave(tmp_path: Path) -> Path:
    project = Project.new_for_media(describe_media(write_tone_wav(tmp_path / "a.wav", 3.0)))
    project.add_span(0.1, 0.2)
    path = project.save(tmp_path / "p.isolde")
    project.add_span(1.0, 1.5, include=False)
    project.add_region(2.0, 2.5)
    project.autosave()
    return path


def test_a_saved_project_offers_its_newer_autosave(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _saved_with_newer_autosave(tmp_path)
    window, offers = _reopen(qtbot, path, RestoreChoice.RESTORE)
    assert [(o.project, o.marks) for o in offers] == [(path, 3)]
    assert window.project is not None and window.project.path == path
    assert len(window.project.state.spans) == 2 and len(window.project.state.regions) == 1
    assert window.project.dirty and window.windowTitle().startswith("*p.isolde")


def test_decide_later_on_a_project_keeps_both_until_the_user_decides(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _saved_with_newer_autosave(tmp_path)
    window, offers = _reopen(qtbot, path, RestoreChoice.LATER)
    assert len(offers) == 1 and window.project is not None
    assert len(window.project.state.spans) == 1 and not window.project.dirty  # as saved
    kept = kept_recoveries(path)
    assert len(kept) == 1 and not recovery_path_for(path).exists()  # moved out of the way
    window.autosaver.idle_ms = window.autosaver.latest_ms = 50
    window.project.add_span(2.5, 2.75)  # this session's own autosave must not replace it
    qtbot.waitUntil(lambda: recovery_path_for(path).exists() and window.autosaver.writer.idle)
    assert kept_recoveries(path) == kept

    window2, offers = _reopen(qtbot, path, RestoreChoice.DISCARD)  # both are offered, newest first
    assert [o.marks for o in offers] == [2, 3]
    assert not recovery_path_for(path).exists() and kept_recoveries(path) == []
    assert window2.project is not None and len(window2.project.state.spans) == 1


def test_restoring_a_kept_autosave_makes_it_the_projects_own_again(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _saved_with_newer_autosave(tmp_path)
    _reopen(qtbot, path, RestoreChoice.LATER)
    window, offers = _reopen(qtbot, path, RestoreChoice.RESTORE)
    assert len(offers) == 1 and window.project is not None
    assert len(window.project.state.spans) == 2 and window.project.path == path
    assert kept_recoveries(path) == [] and recovery_path_for(path).exists()
    window.save_action.trigger()
    assert not recovery_path_for(path).exists() and not window.project.dirty
    assert len(Project.load(path).state.regions) == 1


def test_an_autosave_opened_by_hand_is_its_project_unsaved(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _saved_with_newer_autosave(tmp_path)
    window, offers = _reopen(qtbot, recovery_path_for(path), RestoreChoice.DISCARD)
    assert offers == []  # opening the autosave itself is the restore
    assert window.project is not None and window.project.path == path
    assert len(window.project.state.spans) == 2 and window.project.dirty


def test_an_unreadable_autosave_is_reported_not_offered(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    damaged = recovery_dir() / "untitled-broken.isolde.autosave"
    damaged.parent.mkdir(parents=True, exist_ok=True)
    damaged.write_text('{"format": "isolde-project", "version": 3, "spans": [')
    window = MainWindow()
    qtbot.addWidget(window)
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    offers: list[RecoveryInfo] = []
    window.ask_restore = lambda _parent, info: offers.append(info) or RestoreChoice.RESTORE
    window.start(None)
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert offers == [] and damaged.exists()  # the user may still open it by hand
    assert any("could not be read" in m and damaged.name in m for m in messages), messages


def test_the_real_offer_names_the_work_and_answers_with_its_buttons(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    recovery = _untitled_autosave(write_tone_wav(tmp_path / "voice.wav", 3.0), marks=2)
    info = describe_recovery(recovery)
    assert "untitled project on voice.wav" in offer_text(info) and "2 marks, 0 takes" in (
        offer_text(info)
    )
    seen: list[str] = []

    def click(label: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        button = next(b for b in box.buttons() if b.text().replace("&", "") == label)
        button.click()

    for label, choice in [
        ("Restore", RestoreChoice.RESTORE),
        ("Decide later", RestoreChoice.LATER),
        ("Discard", RestoreChoice.DISCARD),
    ]:
        QTimer.singleShot(50, lambda label=label: click(label))
        assert ask_restore(None, info) is choice  # type: ignore[arg-type]
    assert len(seen) == 3 and "voice.wav" in seen[0]
