"""What the CLI prints: progress and logs on stderr, results on stdout."""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, TextIO

from isolde.core.progress import ProgressFn
from isolde.providers.base import JobEvent


class ProgressPrinter:
    """Turns engine events into a progress line on stderr.

    On a terminal the line redraws in place; otherwise (logs, CI) it prints at most one line per
    10 % so that a pipe is not flooded. Safe to call from a worker thread.
    """

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self._tty = self.stream.isatty()
        self._lock = threading.Lock()
        self._last_decile = -1
        self._last_draw = 0.0
        self._drawn = False

    def __call__(self, event: JobEvent) -> None:
        if self.quiet:
            return
        with self._lock:
            if event.state == "running" and event.fraction is not None:
                self._progress(event.fraction, event.message)
            elif event.message and event.state != "sending":  # bookkeeping for the job store
                self._line(f"{event.state}: {event.message}")

    def _progress(self, fraction: float, message: str) -> None:
        pct = max(0.0, min(1.0, fraction)) * 100
        if self._tty:
            now = time.monotonic()
            if now - self._last_draw < 0.1 and fraction < 1.0:
                return
            self._last_draw = now
            filled = int(pct // 4)
            bar = "#" * filled + "-" * (25 - filled)
            self.stream.write(f"\r[{bar}] {pct:5.1f}% {message[:40]:<40}")
            self.stream.flush()
            self._drawn = True
        else:
            decile = int(pct // 10)
            if decile > self._last_decile:
                self._last_decile = decile
                self.stream.write(f"{pct:5.1f}% {message}\n")
                self.stream.flush()

    def _line(self, text: str) -> None:
        if self._drawn:
            self.stream.write("\n")
            self._drawn = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self._drawn and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def phase(printer: ProgressPrinter, offset: float = 0.0, weight: float = 1.0) -> ProgressFn:
    """A ProgressFn for one phase of a command: its 0–1 drawn as offset…offset+weight."""

    def report(fraction: float, message: str) -> None:
        printer(JobEvent("running", message, offset + weight * fraction))

    return report


def print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def error(message: str) -> None:
    sys.stderr.write(f"isolde: error: {message}\n")
    sys.stderr.flush()
