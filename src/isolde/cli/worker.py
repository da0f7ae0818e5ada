"""Run a command's work on a worker thread so that Ctrl-C becomes a clean cancel.

The main thread only waits; a Ctrl-C there sets the work's CancelToken, the work stops at its
next check and raises Cancelled, which `isolde.cli.main` turns into exit code 5 with nothing
written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from isolde.cli.console import ProgressPrinter
from isolde.core.progress import CancelToken

T = TypeVar("T")


def run_cancellable(
    work: Callable[[CancelToken], T], printer: ProgressPrinter, *, name: str = "isolde-cli-job"
) -> T:
    """`work(cancel)` on a worker thread; its result, or what it raised (after `printer.finish`)."""
    cancel = CancelToken()
    box: dict[str, Any] = {}
    finished = threading.Event()

    def target() -> None:
        try:
            box["result"] = work(cancel)
        except BaseException as exc:
            box["error"] = exc
        finally:
            finished.set()

    # An Event, not Thread.join: a join interrupted by Ctrl-C can wrongly report the thread done.
    threading.Thread(target=target, name=name, daemon=True).start()
    while True:
        try:
            while not finished.wait(0.1):
                pass
            break
        except KeyboardInterrupt:
            cancel.cancel()
    printer.finish()
    if "error" in box:
        raise box["error"]
    return box["result"]
