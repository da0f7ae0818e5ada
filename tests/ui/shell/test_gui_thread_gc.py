"""The editor collects reference cycles on the GUI thread only: a cycle that dies in a worker
thread must not have its Qt objects destroyed there."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from isolde.ui.shell.app import collect_on_the_gui_thread


class _Cycle:
    def __init__(self) -> None:
        self.me = self
        self.qt = QObject()


def test_a_cycle_dropped_in_a_worker_thread_is_collected_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    gc.collect()
    collector = collect_on_the_gui_thread(interval_s=0.05)
    died_in: list[str] = []
    kept: list[list[list[int]]] = []
    try:

        def worker() -> None:
            cycle = _Cycle()
            weakref.finalize(cycle, lambda: died_in.append(threading.current_thread().name))
            del cycle
            # Enough allocations to pass the first generation's threshold many times over:
            # an automatic collector would run here, in this thread.
            kept.append([[i] for i in range(50 * gc.get_threshold()[0])])

        thread = threading.Thread(target=worker, name="job-worker")
        thread.start()
        thread.join()
        assert died_in == []  # nothing was collected in the worker
        qtbot.waitUntil(lambda: died_in == [threading.main_thread().name], timeout=3000)
    finally:
        collector.timer.stop()
        gc.enable()
