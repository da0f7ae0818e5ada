"""Undo/redo over immutable states, for any state type (project, and later the video mask).

The history stores (before, after) pairs of whole states, never diffs: states are immutable and
share their unchanged parts, so a step costs little and undo can never drift from what was done.

Two ways to make several changes one step:
- merge keys: consecutive pushes with the same non-None key coalesce (a drag sends one push per
  mouse move with `merge_key=f"drag:{span_id}"`); `close_merge()` ends the run on mouse release;
- groups: everything pushed between `begin(label)` and the matching `end()` is one step; groups
  nest, and the outermost label names the step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class Step(Generic[T]):
    label: str
    before: T
    after: T
    merge_key: str | None = None


class History(Generic[T]):
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if limit < 1:
            raise ValueError("history limit must be at least 1")
        self.limit = limit
        self._steps: list[Step[T]] = []
        self._index = 0  # steps[:index] are done, steps[index:] can be redone
        self._clean: int | None = 0  # index of the saved state; None once it is unreachable
        self._merging = False  # whether the last step may still absorb a push
        self._groups: list[str] = []
        self._group_started = False
        self._group_before: T | None = None
        self._group_after: T | None = None

    # -- recording ------------------------------------------------------------------------------

    def push(self, label: str, before: T, after: T, merge_key: str | None = None) -> None:
        """Record that an edit named `label` turned `before` into `after`."""
        if self._groups:
            if not self._group_started:
                self._group_started = True
                self._group_before = before
            self._group_after = after
            return
        self._record(label, before, after, merge_key)

    def close_merge(self) -> None:
        """The next push starts a new step even if its merge key matches the last one."""
        self._merging = False

    def begin(self, label: str) -> None:
        if not self._groups:
            self.close_merge()
            self._group_started = False
        self._groups.append(label)

    def end(self) -> None:
        if not self._groups:
            raise RuntimeError("History.end() without a matching begin()")
        label = self._groups.pop()
        if self._groups or not self._group_started:
            return
        before, after = self._group_before, self._group_after
        self._group_started = False
        self._group_before = self._group_after = None
        self._record(label, before, after, None)  # type: ignore[arg-type]

    @contextmanager
    def group(self, label: str) -> Iterator[None]:
        self.begin(label)
        try:
            yield
        finally:
            self.end()

    @property
    def in_group(self) -> bool:
        return bool(self._groups)

    def _record(self, label: str, before: T, after: T, merge_key: str | None) -> None:
        steps = self._steps
        if (
            merge_key is not None
            and self._merging
            and self._index == len(steps)
            and steps[-1].merge_key == merge_key
        ):
            first = steps[-1].before
            if first == after:
                # Dragged back to where it started: nothing is left to undo.
                steps.pop()
                self._index -= 1
                self._merging = False
            else:
                steps[-1] = Step(label, first, after, merge_key)
            return
        if before == after:
            return
        del steps[self._index :]
        if self._clean is not None and self._clean > self._index:
            self._clean = None  # the saved state was on the branch just discarded
        steps.append(Step(label, before, after, merge_key))
        self._index += 1
        self._merging = merge_key is not None
        while len(steps) > self.limit:
            steps.pop(0)
            self._index -= 1
            self._clean = None if not self._clean else self._clean - 1

    # -- moving -------------------------------------------------------------------------------

    def undo(self) -> T | None:
        """The state to restore, or None when there is nothing to undo."""
        self._check_no_group("undo")
        if not self.can_undo:
            return None
        self._merging = False
        self._index -= 1
        return self._steps[self._index].before

    def redo(self) -> T | None:
        """The state to restore, or None when there is nothing to redo."""
        self._check_no_group("redo")
        if not self.can_redo:
            return None
        self._merging = False
        self._index += 1
        return self._steps[self._index - 1].after

    def _check_no_group(self, action: str) -> None:
        if self._groups:
            raise RuntimeError(f"cannot {action} while the group {self._groups[0]!r} is open")

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._steps)

    @property
    def undo_label(self) -> str | None:
        return self._steps[self._index - 1].label if self.can_undo else None

    @property
    def redo_label(self) -> str | None:
        return self._steps[self._index].label if self.can_redo else None

    @property
    def labels(self) -> tuple[list[str], list[str]]:
        """(done, undone) step labels, oldest first: what a history panel lists."""
        return (
            [s.label for s in self._steps[: self._index]],
            [s.label for s in self._steps[self._index :]],
        )

    def __len__(self) -> int:
        return len(self._steps)

    # -- saved marker ---------------------------------------------------------------------------

    def mark_clean(self) -> None:
        """The current state is the saved one."""
        self._clean = self._index
        self.close_merge()  # a later drag must not rewrite the step the saved state ends

    def forget_clean(self) -> None:
        """No reachable state is the saved one (e.g. after restoring an autosave)."""
        self._clean = None

    @property
    def dirty(self) -> bool:
        pending = self._group_started and self._group_before != self._group_after
        return pending or self._clean != self._index

    def map_states(self, fn: Callable[[T], T]) -> None:
        """Replace every state the history holds by `fn(state)`, keeping steps, labels and the
        saved marker (used when files the states point at moved on disk). `fn` should return
        the same object for the same state, so states shared by neighbouring steps stay shared."""
        self._steps = [Step(s.label, fn(s.before), fn(s.after), s.merge_key) for s in self._steps]
        if self._group_started:
            self._group_before = fn(self._group_before)  # type: ignore[arg-type]
            self._group_after = fn(self._group_after)  # type: ignore[arg-type]

    def clear(self) -> None:
        """Forget every step (after loading another file); the current state counts as saved."""
        self._check_no_group("clear the history")
        self._steps.clear()
        self._index = 0
        self._clean = 0
        self._merging = False
