"""Waiting on several jobs from a terminal: Ctrl-C cancels them all instead of leaving them."""

from __future__ import annotations

import time

from isolde.jobs.manager import JobManager


def wait_all(manager: JobManager, ids: list[str]) -> bool:
    """Wait for the jobs; Ctrl-C cancels them (returns False)."""
    try:
        while not all(manager.wait(i, timeout=0.2) for i in ids):
            time.sleep(0.05)
    except KeyboardInterrupt:
        for i in ids:
            manager.cancel(i)
        manager.wait(timeout=30)
        return False
    return True
