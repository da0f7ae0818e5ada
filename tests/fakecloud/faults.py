"""What the fake cloud can be told to do wrong, and how its jobs progress."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

# A scripted answer for one route: an HTTP status (sent with an error body), or
# "drop" (close the connection without answering), "malformed" (200 with broken JSON).
Scripted = int | str


@dataclass
class Faults:
    # route name → answers to give, in order, before behaving normally. Routes: fal.token,
    # fal.upload, fal.multipart, fal.part, fal.complete, fal.submit, fal.status, fal.stream,
    # fal.result, fal.cancel, segmind.run, al.files, al.put, al.submit, al.status, al.stream,
    # al.result, download.
    script: dict[str, list[Scripted]] = field(default_factory=dict)
    retry_after: str | None = "0"  # Retry-After sent with scripted 429 and 503 answers
    queue_positions: list[int] = field(default_factory=lambda: [1, 0])
    log_lines: list[str] = field(default_factory=lambda: ["loading the model", "separating"])
    step_s: float = 0.01  # pause between status events on a stream
    job_fails: str | None = None  # a reason: the job fails (fal: at the result call)
    result_expired: bool = False  # the result call answers 404/410
    validate_at_submit: bool = False  # fal: schema errors at submit, not at the result call
    sse_close_early: int = 0  # this many streams close after their first event
    drop_downloads: int = 0  # this many downloads are cut off halfway
    stall_downloads: bool = False  # downloads send half, then hang (for cancel tests)
    upload_delay_s: float = 0.0  # fal uploads take this long to answer (kill-test windows)
    download_delay_s: float = 0.0  # result downloads take this long to start
    segmind_credits: float = 100.0
    segmind_delay_s: float = 0.0  # how long the synchronous call takes
    segmind_pad: int = 37  # Segmind's output is this many samples longer than the input
    audiolasso_max_s: float = 600.0  # longer inputs are refused (413)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, route: str) -> Any:
        with self._lock:
            queue = self.script.get(route)
            return queue.pop(0) if queue else None

    def take_flag(self, name: str) -> bool:
        """Consume one unit of a counter fault (sse_close_early, drop_downloads)."""
        with self._lock:
            left = getattr(self, name)
            if left > 0:
                setattr(self, name, left - 1)
                return True
            return False
