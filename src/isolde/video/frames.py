"""VideoReader: any frame of a video as an upright RGB array, at its exact timeline time.

Opening demuxes the picture stream once (no decoding) into an index of every frame's
timestamp, in display order, and where the keyframes are. Times are on the timeline's clock:
seconds after the first decoded audio sample, which is where isolde.audio starts a video's
sound (see probe.py). A frame is found by decoding from the nearest keyframe at or before it,
or, when stepping forward, by decoding on from the frame last returned. Not thread-safe: one
reader per thread (FrameCache owns one on its worker).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import av.error
import numpy as np

from isolde.core.errors import AudioFileError
from isolde.video.probe import VideoInfo, _reason, describe, picture_stream

SEEK_COST_FRAMES = 3  # a seek costs about as much as decoding this many frames


class VideoReader:
    def __init__(self, path: str | Path, *, threads: bool = True) -> None:
        self.path = str(path)
        self._container: av.container.InputContainer | None = None
        self._decoded: Iterator[av.VideoFrame] | None = None
        self._pos = -1  # display index of the last frame taken from `_decoded`
        self._skip_below = -(2**62)  # pts: earlier frames nothing refers to are not decoded
        self._last: tuple[int, np.ndarray] | None = None
        try:
            with av.open(self.path) as probing:
                stream = picture_stream(probing)
                if stream is None:
                    raise AudioFileError(self.path, "has no picture; it is not a video")
                self.info: VideoInfo = describe(probing, stream)
            self._container = av.open(self.path)
        except av.error.FFmpegError as exc:
            raise AudioFileError(self.path, f"cannot open the video ({_reason(exc)})") from None
        except OSError as exc:
            raise AudioFileError(self.path, f"cannot read the file ({exc})") from None
        try:
            self._setup(threads)
        except BaseException:
            self.close()
            raise

    def _setup(self, threads: bool) -> None:
        assert self._container is not None
        stream = picture_stream(self._container)
        assert stream is not None
        self._stream: av.VideoStream = stream
        if threads:
            stream.codec_context.thread_type = "AUTO"
        self._pts, keys = self._index()
        base = float(stream.time_base or 0)
        self.times: tuple[float, ...] = tuple(p * base - self.info.audio_start for p in self._pts)
        self._at = {p: i for i, p in enumerate(self._pts)}
        self._keys = sorted(self._at[p] for p in keys if p in self._at) or [0]
        self._turns = -(self.info.rotation // 90)  # np.rot90 turns counter-clockwise
        self.frame(0)  # an undecodable picture fails here, once, with a clear message

    # -- the index ---------------------------------------------------------------------------
    def _index(self) -> tuple[list[int], list[int]]:
        """Every frame's pts (sorted: display order) and the keyframes' pts, from packets."""
        assert self._container is not None
        pts: list[int] = []
        keys: list[int] = []
        try:
            for packet in self._container.demux(self._stream):
                stamp = packet.pts if packet.pts is not None else packet.dts
                if stamp is None or packet.size == 0 or packet.is_discard:
                    continue
                pts.append(stamp)
                if packet.is_keyframe:
                    keys.append(stamp)
        except av.error.FFmpegError as exc:
            if not pts:
                raise AudioFileError(
                    self.path, f"the picture cannot be read ({_reason(exc)})"
                ) from None
        if not pts:
            raise AudioFileError(self.path, "the video track holds no frames")
        if keys:  # frames before the first keyframe cannot be decoded (a badly cut file)
            pts = [p for p in pts if p >= min(keys)]
        pts = sorted(set(pts))
        self._rewind(pts[0])
        return pts, keys

    # -- times -------------------------------------------------------------------------------
    @property
    def frame_count(self) -> int:
        return len(self._pts)

    @property
    def vfr(self) -> bool:
        """True when frame durations differ by more than a millisecond."""
        steps = np.diff(self.times)
        return bool(steps.size and float(steps.max() - steps.min()) > 1e-3)

    def time_of(self, index: int) -> float:
        return self.times[self._clamp(index)]

    def index_at(self, t: float) -> int:
        """The frame shown at timeline time t: the last one whose time ≤ t (the first frame
        before the picture starts, the last after it ends)."""
        return max(0, bisect.bisect_right(self.times, t + 1e-9) - 1)

    # -- frames ------------------------------------------------------------------------------
    def frame(self, index: int) -> np.ndarray:
        """Frame `index` as H×W×3 uint8 RGB, display orientation, C-contiguous. Do not write
        to it: the reader may hand the same array out again."""
        image = self.try_frame(index)
        assert image is not None
        return image

    def try_frame(self, index: int, abandon: Callable[[], bool] | None = None) -> np.ndarray | None:
        """frame(index), or None when `abandon()` turns true between two decoded frames (a
        newer request came): the decoder keeps its place, so stepping on stays cheap."""
        index = self._clamp(index)
        if self._last is not None and self._last[0] == index:
            return self._last[1]
        try:
            found = self._decode_to(index, abandon)
        except _Abandoned:
            return None
        except av.error.FFmpegError as exc:
            self._decoded, self._pos = None, -1
            raise self._broken(index, _reason(exc)) from None
        image = self._upright(found)
        self._last = (index, image)
        return image

    def _decode_to(self, index: int, abandon: Callable[[], bool] | None) -> av.VideoFrame:
        if not self._worth_stepping(index):
            self._seek_before(index)
        found = self._run_to(index, abandon)
        if found is None:  # the decoder skipped it (a damaged stretch?): try from further back
            key = self._keys[max(0, bisect.bisect_right(self._keys, index) - 2)]
            self._seek_before(key)
            found = self._run_to(index, abandon)
        if found is None:
            raise self._broken(index, "the decoder never produced it")
        return found

    def _worth_stepping(self, index: int) -> bool:
        if self._decoded is None or index <= self._pos:
            return False
        key = self._keys[max(0, bisect.bisect_right(self._keys, index) - 1)]
        return index - self._pos <= index - key + SEEK_COST_FRAMES

    def _seek_before(self, index: int) -> None:
        key = self._keys[max(0, bisect.bisect_right(self._keys, index) - 1)]
        self._rewind(self._pts[key])

    def _rewind(self, pts: int) -> None:
        assert self._container is not None
        self._container.seek(pts, backward=True, any_frame=False, stream=self._stream)
        self._decoded = self._decode()
        self._pos = -1

    def _decode(self) -> Iterator[av.VideoFrame]:
        """Frames from the current position on. Packets before the frame being sought that
        no other frame refers to are not decoded at all (skip_frame NONREF): a seek decodes
        only what the wanted frame depends on."""
        assert self._container is not None
        context = self._stream.codec_context
        for packet in self._container.demux(self._stream):
            early = packet.pts is not None and packet.pts < self._skip_below
            context.skip_frame = "NONREF" if early else "DEFAULT"
            yield from packet.decode()

    def _run_to(self, index: int, abandon: Callable[[], bool] | None) -> av.VideoFrame | None:
        """Decode on until frame `index`; None when the stream passes it or ends."""
        assert self._decoded is not None
        target = self._pts[index]
        self._skip_below = target
        for frame in self._decoded:
            pts = frame.pts
            if pts is None:
                continue
            self._pos = self._at.get(pts, bisect.bisect_right(self._pts, pts) - 1)
            if pts == target:
                return frame
            if pts > target:
                break
            if abandon is not None and abandon():
                raise _Abandoned
        self._decoded, self._pos = None, -1
        return None

    def _upright(self, frame: av.VideoFrame) -> np.ndarray:
        image = frame.to_ndarray(format="rgb24")
        if self._turns % 4:
            image = np.rot90(image, k=self._turns)
        return np.ascontiguousarray(image)

    def _broken(self, index: int, detail: str) -> AudioFileError:
        where = f"frame {index} ({self.times[index]:.2f} s)"
        return AudioFileError(
            self.path,
            f"the picture cannot be decoded at {where}: {detail}; the video track looks "
            "damaged — its sound can still be opened; re-export or copy the video again",
        )

    def _clamp(self, index: int) -> int:
        if not self._pts:
            raise IndexError("no frames")
        return min(max(int(index), 0), len(self._pts) - 1)

    # -- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
        self._decoded = None
        self._last = None

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Abandoned(Exception):
    """try_frame's caller no longer wants the frame."""
