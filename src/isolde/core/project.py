"""The open project: the single source of truth the UI, the CLI and jobs read and edit.

Every change goes through `apply`, which records it in the undo history and tells listeners.
A project is self-contained: its takes live in `NAME-takes/` beside it (see take_folders.py), and
saving brings in any that live elsewhere. Its media is found again by content hash (`relink`).
The video masks' commands (add_mask, put_keyframe, set_track, ...) come from `MaskCommands`.
Not thread-safe by design: it lives on the GUI thread; background work gets immutable states.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from isolde.core import state as st
from isolde.core.edits import AppliedEdit
from isolde.core.errors import InputError
from isolde.core.history import DEFAULT_LIMIT, History
from isolde.core.mask_edits import MaskCommands
from isolde.core.media import MediaChangedError, MediaRef
from isolde.core.paths import absolute
from isolde.core.projectfile import SUFFIX, read_project_file
from isolde.core.recovery import (
    newer_recovery,
    recovery_path_for,
    untitled_recovery_path,
    untitled_session,
)
from isolde.core.saving import save_with_takes, write_autosave
from isolde.core.spans import InpaintRegion, Span, effective_spans, new_id
from isolde.core.state import ProjectState
from isolde.core.take_folders import TakeTransfer, takes_dir_for, untitled_takes_dir
from isolde.core.takes import Take

# Why listeners are called; "save" changes no state but does change `dirty`.
EDIT, UNDO, REDO, LOAD, SAVE, GROUP = "edit", "undo", "redo", "load", "save", "group"

Listener = Callable[[ProjectState, str], None]


class Project(MaskCommands):
    def __init__(
        self,
        state: ProjectState | None = None,
        path: str | os.PathLike[str] | None = None,
        *,
        history_limit: int = DEFAULT_LIMIT,
    ) -> None:
        self._state = ProjectState() if state is None else st.check_state(state)
        self._path = None if path is None else Path(absolute(path))
        self._history: History[ProjectState] = History(history_limit)
        self._listeners: list[Listener] = []
        self._session = new_id()  # names the recovery file while the project has no path
        self._recovery_file: Path | None = None  # set when restored from an untitled autosave

    @classmethod
    def new_for_media(cls, media: MediaRef) -> Project:
        return cls(ProjectState(media=media))

    @property
    def state(self) -> ProjectState:
        return self._state

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def name(self) -> str:
        """What a title bar shows."""
        return self._path.stem if self._path else "Untitled"

    @property
    def history(self) -> History[ProjectState]:
        return self._history

    @property
    def dirty(self) -> bool:
        return self._history.dirty

    # -- listeners ----------------------------------------------------------------------------

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call `callback(state, reason)` after every change; returns the unsubscribe function."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(callback)

        return unsubscribe

    def _notify(self, reason: str) -> None:
        # Every listener hears about the change even if an earlier one fails; then the first
        # failure is raised, so bugs in views are not swallowed.
        failure: BaseException | None = None
        for callback in list(self._listeners):
            try:
                callback(self._state, reason)
            except Exception as e:
                failure = failure or e
        if failure is not None:
            raise failure

    # -- editing ------------------------------------------------------------------------------

    def apply(
        self,
        label: str,
        fn: Callable[[ProjectState], ProjectState],
        *,
        merge_key: str | None = None,
    ) -> ProjectState:
        """Run one edit as an undoable step; nothing is recorded if the state did not change."""
        before = self._state
        after = fn(before)
        if not isinstance(after, ProjectState):
            raise TypeError(f"edit {label!r} returned {type(after).__name__}, not ProjectState")
        if after is before or after == before:
            return before
        self._history.push(label, before, after, merge_key)
        self._state = after
        self._notify(EDIT)
        return after

    @contextmanager
    def group(self, label: str) -> Iterator[Project]:
        """Edits inside are one undo step; if the block raises, they are all rolled back."""
        start = self._state
        self.begin_group(label)
        try:
            yield self
        except BaseException:
            if self._state != start:
                self._history.push(label, self._state, start)
                self._state = start
                self._notify(EDIT)
            raise
        finally:
            self.end_group()

    def begin_group(self, label: str) -> None:
        """Open a group that spans several events (a drag that creates a mark); pair with
        `end_group`. Prefer `group()` where the edits happen in one block."""
        self._history.begin(label)

    def end_group(self) -> None:
        self._history.end()
        if not self._history.in_group:
            # The step exists only now: listeners showing undo state must hear of it.
            self._notify(GROUP)

    def close_merge(self) -> None:
        """End a drag: the next edit is a new undo step even with the same merge key."""
        self._history.close_merge()

    def undo(self) -> bool:
        return self._move(self._history.undo(), UNDO)

    def redo(self) -> bool:
        return self._move(self._history.redo(), REDO)

    def _move(self, target: ProjectState | None, reason: str) -> bool:
        if target is None:
            return False
        self._state = target
        self._notify(reason)
        return True

    # -- convenience edits (the names of state.py) --------------------------------------------

    def set_media(self, media: MediaRef | None) -> None:
        label = "Open media" if self._state.media is None else "Relink media"
        self.apply(label, lambda s: st.set_media(s, media))

    def relink(self, path: str | os.PathLike[str], content_hash: str) -> None:
        """Point the media at `path`, the same recording found elsewhere (an undoable edit).

        `content_hash` is the found file's (`isolde.audio.content_hash`); other content is
        refused with MediaChangedError, since marks and takes would no longer line up.
        """
        media = self._state.media
        if media is None:
            raise InputError("this project has no media to relink; open a recording first")
        if content_hash != media.content_hash:
            raise MediaChangedError(media, path, content_hash)
        self.set_media(media.with_path(path))

    def add_span(self, start: float, end: float, include: bool = True) -> str:
        span = Span(start, end, include, id=new_id())
        self.apply(f"Add {span.kind} span", lambda s: st.add_span(s, span))
        return span.id

    def update_span(self, span_id: str, *, merge_key: str | None = None, **changes: Any) -> None:
        label = _edit_label("span", changes)
        self.apply(label, lambda s: st.update_span(s, span_id, **changes), merge_key=merge_key)

    def remove_span(self, span_id: str) -> None:
        self.apply("Delete span", lambda s: st.remove_span(s, span_id))

    def add_region(
        self,
        start: float,
        end: float,
        prompt: str = "",
        negative_prompt: str = "",
        seed: int | None = None,
        steps: int | None = None,
    ) -> str:
        region = InpaintRegion(start, end, prompt, negative_prompt, seed, steps, id=new_id())
        self.apply("Add inpaint region", lambda s: st.add_region(s, region))
        return region.id

    def update_region(
        self, region_id: str, *, merge_key: str | None = None, **changes: Any
    ) -> None:
        label = _edit_label("inpaint region", changes)
        self.apply(label, lambda s: st.update_region(s, region_id, **changes), merge_key=merge_key)

    def remove_region(self, region_id: str) -> None:
        self.apply("Delete inpaint region", lambda s: st.remove_region(s, region_id))

    def set_prompt(self, prompt: str, *, merge_key: str | None = None) -> None:
        """Typing sends one call per keystroke with merge_key="prompt": one undo step."""
        self.apply("Edit prompt", lambda s: st.set_prompt(s, prompt), merge_key=merge_key)

    def set_provider(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        merge_key: str | None = None,
    ) -> None:
        label = "Change options" if name == self._state.provider else "Choose engine"
        self.apply(label, lambda s: st.set_provider(s, name, options), merge_key=merge_key)

    def add_take(self, take: Take, *, make_active: bool = True) -> None:
        self.apply("Add take", lambda s: st.add_take(s, take, make_active=make_active))

    def remove_take(self, take_id: str) -> None:
        self.apply("Remove take", lambda s: st.remove_take(s, take_id))

    def apply_edit(self, edit: AppliedEdit) -> str:
        """Write a take into the timeline over edit.start–end (the source file is untouched)."""
        label = "Apply inpaint" if edit.kind == "inpaint" else "Apply remix"
        self.apply(label, lambda s: st.apply_edit(s, edit))
        return edit.id

    def update_edit(self, edit_id: str, *, merge_key: str | None = None, **changes: Any) -> None:
        self.apply(
            "Change applied edit",
            lambda s: st.update_edit(s, edit_id, **changes),
            merge_key=merge_key,
        )

    def remove_edit(self, edit_id: str) -> None:
        self.apply("Remove applied edit", lambda s: st.remove_edit(s, edit_id))

    def set_active_take(self, take_id: str | None) -> None:
        self.apply("Choose take", lambda s: st.set_active_take(s, take_id))

    def effective_spans(self) -> list[Span]:
        """The spans an engine gets: flattened by the later-wins rule (see spans.py)."""
        return effective_spans(self._state.spans)

    # -- files --------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Project:
        """Open a project file; older formats are upgraded in memory (saving writes the new one)."""
        return cls(read_project_file(path).state, path)

    @classmethod
    def recover(cls, recovery: str | os.PathLike[str]) -> Project:
        """Reopen an autosave as the project it belonged to, with unsaved (dirty) changes."""
        found = read_project_file(recovery)
        project = cls(found.state, found.autosave_of)
        if found.autosave_of is None:
            project._recovery_file = Path(absolute(recovery))
            # Same session, same untitled takes folder: its takes move in on the first save.
            session = untitled_session(project._recovery_file)
            if session is not None:
                project._session = session
        project._history.forget_clean()
        return project

    def revert(self) -> None:
        """Reload the saved file, dropping unsaved changes and the undo history."""
        if self._path is None:
            raise InputError("this project was never saved, so there is nothing to revert to")
        self._state = read_project_file(self._path).state
        self._history.clear()
        self._notify(LOAD)

    def save(self, path: str | os.PathLike[str] | None = None, *, force: bool = False) -> Path:
        """Write the project atomically and return where. A file this version could not read
        back (newer format, damaged, not a project) is only replaced with `force=True`."""
        target = self._path if path is None else Path(absolute(path))
        if target is None:
            raise InputError(f"this project has no file yet — choose where to save it ({SUFFIX})")
        untitled = untitled_takes_dir(self._session)
        transfer = save_with_takes(self._state, target, force=force, movable=untitled)
        if transfer:
            self._takes_moved(transfer)
        with contextlib.suppress(OSError):
            untitled.rmdir()  # empty once its takes moved in; kept while a job still writes
        stale = {self.recovery_path}
        self._path = target
        self._recovery_file = None
        stale.add(self.recovery_path)
        for old in stale:
            with contextlib.suppress(OSError):
                old.unlink()
        self._history.mark_clean()
        self._notify(SAVE)
        return target

    def _takes_moved(self, transfer: TakeTransfer) -> None:
        # Files moved on disk: every state that names them (the undo history's too) follows.
        # Not an edit: the project means the same takes, which now live in its folder.
        mapped: dict[int, tuple[ProjectState, ProjectState]] = {}

        def remap(state: ProjectState) -> ProjectState:
            if id(state) not in mapped:
                mapped[id(state)] = (state, transfer.remap(state))
            return mapped[id(state)][1]

        self._history.map_states(remap)
        self._state = remap(self._state)

    @property
    def recovery_path(self) -> Path:
        if self._path is not None:
            return recovery_path_for(self._path)
        return self._recovery_file or untitled_recovery_path(self._session)

    def autosave(self) -> Path:
        """Write the recovery file atomically (the app calls this on a timer while dirty)."""
        target = self.recovery_path
        write_autosave(self._state, target, self._path)
        return target

    @staticmethod
    def newer_recovery(path: str | os.PathLike[str]) -> Path | None:
        return newer_recovery(path)

    @property
    def takes_dir(self) -> Path:
        """Where jobs put take files: `X-takes/` beside `X.isolde`, or the data folder."""
        if self._path is not None:
            return takes_dir_for(self._path)
        return untitled_takes_dir(self._session)

    def __repr__(self) -> str:
        where = self._path or "unsaved"
        return f"<Project {where} spans={len(self._state.spans)} dirty={self.dirty}>"


def _edit_label(what: str, changes: Mapping[str, Any]) -> str:
    keys = set(changes)
    if keys == {"include"}:
        return f"Mark span as {'include' if changes['include'] else 'exclude'}"
    if keys == {"start", "end"}:
        return f"Move {what}"
    if keys and keys <= {"start", "end"}:
        return f"Resize {what}"
    return f"Edit {what}"
