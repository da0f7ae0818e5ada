"""How often a job's progress is written to disk and told to listeners.

An engine may report many times a second; the store and the editor need far less. A new phase,
though, is told at once: it may be all the user sees of a long stretch of work that reports
nothing else (the offline engine's "listening for the voice").
"""

from __future__ import annotations

import re
import threading
import time

THROTTLE_S = 0.1  # at most ~10 progress/log updates per second per job
PERSIST_PROGRESS_S = 1.0


def phase_of(message: str) -> str:
    """What a progress message says, apart from its figures: "uploading: 3 of 40 MB" and
    "uploading: 4 of 40 MB" are one phase."""
    return re.sub(r"\d+(?:[.,]\d+)*", "#", message)


class UpdatePacing:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_emit: dict[str, float] = {}
        self._last_persist: dict[str, float] = {}
        self._phase: dict[str, str] = {}

    def new_phase(self, job_id: str, message: str) -> bool:
        """Whether `message` starts a phase the job was not in (and note that it now is)."""
        phase = phase_of(message)
        with self._lock:
            if not phase or phase == self._phase.get(job_id):
                return False
            self._phase[job_id] = phase
            return True

    def due(self, job_id: str, *, persist: bool, emit: bool, final: bool) -> tuple[bool, bool]:
        """(write to the store, tell the listeners) for an update; `final` ends the job's pacing."""
        now = time.monotonic()
        with self._lock:
            write = persist or final or now - self._last_persist.get(job_id, 0) > PERSIST_PROGRESS_S
            tell = emit or final or now - self._last_emit.get(job_id, 0) >= THROTTLE_S
            if write:
                self._last_persist[job_id] = now
            if tell:
                self._last_emit[job_id] = now
            if final:
                self._phase.pop(job_id, None)
        return write, tell
