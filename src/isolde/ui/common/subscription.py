"""Following one project's changes at a time: a new project, or none, lets go of the last. No Qt."""

from __future__ import annotations

from collections.abc import Callable

from isolde.core.project import Listener, Project


class Subscription:
    def __init__(self) -> None:
        self._unsubscribe: Callable[[], None] | None = None

    def follow(self, project: Project | None, listener: Listener) -> None:
        """Stop following the last project; then call `listener(state, reason)` after every
        change of `project` (when there is one)."""
        self.stop()
        if project is not None:
            self._unsubscribe = project.subscribe(listener)

    def stop(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
