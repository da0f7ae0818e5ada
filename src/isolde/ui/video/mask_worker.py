"""The masks of the frame on screen, computed on a worker thread. No Qt.

Rasterizing, interpolating and (with refine) GrabCut can take longer than a frame, so the viewer
never computes masks itself: it posts a `MaskJob` (an immutable snapshot: the frame, the project's
mask objects, the picture size and, when an object is refined, the picture) and polls `result()`
from its timer. The latest request wins; a job already computed is not computed again. The
worker keeps one `MaskTimeline` per picture size, so keyframe rasters stay cached across frames.
The translucent overlay image is made here too (`overlay_rgba`): at 1080p it takes longer than a
frame, too long for the GUI thread while playing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from isolde.core.masks import MaskObject
from isolde.video.mask_timeline import MaskTimeline

OVERLAY_ALPHA = 0.45
CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


@dataclass(frozen=True, eq=False)
class MaskJob:
    frame: int
    objects: tuple[MaskObject, ...]
    size: tuple[int, int]  # width, height of the picture as displayed
    image: np.ndarray | None = field(default=None, repr=False)  # for refine (GrabCut)
    combined: bool = False  # True: the union of the objects sent; False: each object

    def same_as(self, other: MaskJob | None) -> bool:
        return (
            other is not None
            and self.frame == other.frame
            and self.objects is other.objects
            and self.size == other.size
            and self.combined == other.combined
            and (self.image is None) == (other.image is None)
        )


@dataclass(frozen=True, eq=False)
class MaskResult:
    job: MaskJob
    layers: tuple[tuple[np.ndarray, str], ...] = ()  # (mask, colour) per object with pixels
    rgba: np.ndarray | None = None  # the layers as one overlay image (H×W×4), None if empty
    combined: np.ndarray | None = None  # the union of the sent objects (combined jobs)
    error: str | None = None


def _rgb(color: str) -> tuple[int, int, int]:
    """'#rrggbb' as numbers (MaskObject checks the leading '#')."""
    text = color.lstrip("#")
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return 255, 140, 0


def overlay_rgba(
    layers: Sequence[tuple[np.ndarray, str]], alpha: float = OVERLAY_ALPHA
) -> np.ndarray:
    """Masks in their colours, translucent inside and opaque along their edges (H×W×4)."""
    h, w = layers[0][0].shape
    planes = [np.zeros((h, w), np.uint8) for _ in range(4)]
    fill = round(alpha * 255)
    for mask, color in layers:
        m = np.ascontiguousarray(mask, dtype=bool)
        inner = cv2.erode(m.view(np.uint8), CROSS, borderValue=0).view(bool)
        for plane, value in zip(planes, _rgb(color), strict=False):
            np.putmask(plane, m, value)
        np.putmask(planes[3], m, fill)
        np.putmask(planes[3], m & ~inner, 255)
    rgba = cv2.merge(planes)
    return rgba


def compute(timeline: MaskTimeline, job: MaskJob) -> MaskResult:
    if job.combined:
        mask = timeline.combined(job.objects, job.frame, job.image, only_sent=True)
        return MaskResult(job, combined=np.asarray(mask, dtype=bool))
    layers = []
    for obj in job.objects:
        mask = np.asarray(timeline.mask_at(obj, job.frame, job.image), dtype=bool)
        if mask.any():
            layers.append((mask, obj.color))
    rgba = overlay_rgba(layers) if layers else None
    return MaskResult(job, layers=tuple(layers), rgba=rgba)


class MaskWorker:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._job: MaskJob | None = None  # waiting to be computed
        self._result: MaskResult | None = None
        self._closed = False
        self._thread: threading.Thread | None = None
        self._timeline: MaskTimeline | None = None  # the worker thread's alone
        self._timeline_size: tuple[int, int] | None = None

    def request(self, job: MaskJob) -> None:
        with self._lock:
            if job.same_as(self._job) or (self._result and job.same_as(self._result.job)):
                return
            self._job = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="isolde-masks", daemon=True)
                self._thread.start()
            self._lock.notify()

    def result(self) -> MaskResult | None:
        """The last finished result (maybe for an older job: compare `result.job`)."""
        return self._result

    @property
    def busy(self) -> bool:
        return self._job is not None

    def wait(self, timeout: float) -> bool:
        """For tests: True once no job is waiting or running."""
        with self._lock:
            return self._lock.wait_for(lambda: self._job is None, timeout)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._job = None
            self._lock.notify_all()

    def _run(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._job is not None or self._closed)
                if self._closed:
                    return
                job = self._job
            assert job is not None
            result = self._compute(job)
            with self._lock:
                self._result = result
                if self._job is job:
                    self._job = None
                self._lock.notify_all()

    def _compute(self, job: MaskJob) -> MaskResult:
        timeline = self._timeline
        if timeline is None or self._timeline_size != job.size:
            timeline = self._timeline = MaskTimeline(*job.size)
            self._timeline_size = job.size
        try:
            return compute(timeline, job)
        except Exception as exc:  # shown as one message; the thread stays alive
            return MaskResult(job, error=f"{type(exc).__name__}: {exc}")
