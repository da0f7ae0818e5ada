"""The one way job updates reach the editor: worker threads queue, the GUI thread drains.

The job manager calls its listeners on worker threads. A listener made here only puts the record
into a thread-safe queue — it never touches a Qt object — and a timer on the GUI thread empties
the queue and emits one signal per record, so every slot runs on the GUI thread.
"""

from __future__ import annotations

import queue
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from isolde.jobs.record import JobRecord

DRAIN_MS = 30  # well under the manager's ~10 updates per second, so nothing waits long
MAX_PER_TICK = 500  # a burst is spread over ticks rather than stalling the event loop


class JobBridge(QObject):
    # (source, record): source says which manager sent it, so a replaced one can be ignored
    record_arrived = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.SimpleQueue[tuple[object, JobRecord]] = queue.SimpleQueue()
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self.drain)
        self._timer.start()

    def listener(self, source: object) -> Callable[[JobRecord], None]:
        """A callable for `JobManager.subscribe`; safe to call from any thread."""
        put = self._queue.put

        def on_update(record: JobRecord) -> None:
            put((source, record))

        return on_update

    def drain(self) -> int:
        """Emit what has arrived (GUI thread only); returns how many records were delivered."""
        delivered = 0
        while delivered < MAX_PER_TICK:
            try:
                source, record = self._queue.get_nowait()
            except queue.Empty:
                break
            delivered += 1
            self.record_arrived.emit(source, record)
        return delivered

    def stop(self) -> None:
        self._timer.stop()
