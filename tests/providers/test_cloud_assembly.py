"""Windows for selections and chunks, and the assembly that places results back exactly."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from fakecloud.testing import noise, read, write_wav
from isolde.audio import OutputFormat
from isolde.core.spans import InpaintRegion, Span
from isolde.jobs.runner import run_to_take
from isolde.providers.assembly import conform_to_input, run_windows
from isolde.providers.base import EventFn, JobEvent, ProviderResult, Request, RequestKind, TimeRange
from isolde.providers.local import LocalProvider
from isolde.providers.windows import (
    Window,
    chunk_windows,
    selection_window,
    shifted_request,
    weights,
)

RATE = 8000


@pytest.mark.parametrize(
    ("frames", "chunk", "overlap"),
    [(95_000, 2.0, 0.5), (16_000, 2.0, 0.5), (16_001, 2.0, 0.25), (80_000, 3.0, 0.0)],
)
def test_chunk_windows_tile_with_complementary_crossfades(frames, chunk, overlap) -> None:  # type: ignore[no-untyped-def]
    windows = chunk_windows(frames, RATE, chunk, overlap)
    assert windows[0].start == 0 and windows[-1].stop == frames
    assert all(w.stop - w.start <= chunk * RATE for w in windows)
    for a, b in itertools.pairwise(windows):
        assert a.stop - b.start == round(overlap * RATE)  # neighbours share exactly the overlap
    total = sum(weights(w, 0, frames) for w in windows)
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


def test_selection_window_owns_the_selection_and_fades_into_context() -> None:
    w = selection_window(TimeRange(3.0, 5.0), RATE, 10 * RATE, context_s=2.0, fade_s=0.02)
    assert (w.start, w.stop) == (1 * RATE, 7 * RATE)
    wt = weights(w, 0, 10 * RATE)
    assert np.all(wt[3 * RATE : 5 * RATE] == 1.0)
    fade = int(0.02 * RATE)
    assert np.all(wt[: 3 * RATE - fade] == 0) and np.all(wt[5 * RATE + fade :] == 0)
    edge = selection_window(TimeRange(0.0, 1.0), RATE, 10 * RATE, context_s=2.0, fade_s=0.02)
    assert edge.start == 0 and weights(edge, 0, 1)[0] == 1.0


def test_shifted_request_clips_spans_and_keeps_their_order() -> None:
    spans = (Span(0.0, 9.0, True, "a"), Span(2.5, 3.5, False, "b"), Span(8.0, 9.0, False, "c"))
    request = Request(RequestKind.SPANS, "x.wav", spans=spans, selection=TimeRange(3, 5))
    window = Window(2 * RATE, 6 * RATE, (2 * RATE, 3 * RATE), (5 * RATE, 6 * RATE))
    sub = shifted_request(request, window, RATE, "cut.wav")
    assert sub.selection is None and sub.media_path == "cut.wav"
    assert [(s.start, s.end, s.include, s.id) for s in sub.spans] == [
        (0.0, 4.0, True, "a"),
        (0.5, 1.5, False, "b"),
    ]
    inpaint = Request(RequestKind.INPAINT, "x.wav", region=InpaintRegion(3.25, 4.5, "p"))
    assert shifted_request(inpaint, window, RATE, "c.wav").region.start == 1.25  # type: ignore[union-attr]


def _engine(scale_by_part: list[float], rate_out: int | None = None, mono: bool = False):  # type: ignore[no-untyped-def]
    """A stand-in engine: target = the input scaled (a different scale per part), optionally
    returned at another rate or in mono, as cloud engines do."""
    calls: list[Request] = []

    def run_one(sub: Request, part_dir: Path, events: EventFn) -> ProviderResult:
        x, rate = read(Path(sub.media_path))
        target = x * scale_by_part[len(calls)]
        if mono:
            target = target.mean(axis=1, keepdims=True)
        out_rate = rate_out or rate
        if out_rate != rate:
            from isolde.audio import resample

            target = resample(target, rate, out_rate)
        calls.append(sub)
        events(JobEvent("running", "working", 0.5))
        path = write_wav(part_dir / "target.wav", target, out_rate)
        return ProviderResult(
            {"target": path, "residual": path},
            out_rate,
            "fake/engine",
            provider_request_id=f"id{len(calls)}",
            cost_usd=0.5,
        )

    return run_one, calls


def test_chunks_stitch_exactly(tmp_path: Path) -> None:
    x = noise(10.0, RATE, channels=2)
    media = write_wav(tmp_path / "in.wav", x, RATE)
    request = Request(RequestKind.TEXT, str(media), prompt="p")
    windows = chunk_windows(len(x), RATE, 3.0, 0.5)
    run_one, calls = _engine([0.2, 0.4, 0.6, 0.8])
    events: list[JobEvent] = []
    result = run_windows(
        run_one, request, windows, tmp_path, on_event=events.append, cancel=None, purpose="chunks"
    )
    assert len(calls) == len(windows) == 4
    target, _ = read(result.files["target"])
    residual, _ = read(result.files["residual"])
    np.testing.assert_allclose(target + residual, x, atol=1e-6)
    # inside chunk 0's own stretch the target is exactly its 0.2 scaling; seams blend
    np.testing.assert_allclose(target[: 2 * RATE], 0.2 * x[: 2 * RATE], atol=1e-6)
    assert result.cost_usd == 2.0 and result.provider_request_id == "id1,id2,id3,id4"
    assert any("part 2/4" in e.message for e in events)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("part-")] == []


def test_selection_is_placed_back_with_silence_and_original_outside(tmp_path: Path) -> None:
    t = np.arange(10 * RATE) / RATE  # tones well below Nyquist survive the 48 kHz round trip
    x = 0.3 * np.stack([np.sin(2 * np.pi * 200 * t), np.sin(2 * np.pi * 310 * t)], axis=1)
    media = write_wav(tmp_path / "in.wav", x, RATE)
    request = Request(RequestKind.TEXT, str(media), prompt="p", selection=TimeRange(4.0, 6.0))
    window = selection_window(request.selection, RATE, len(x), context_s=2.0, fade_s=0.02)  # type: ignore[arg-type]
    run_one, calls = _engine([0.5], rate_out=48_000, mono=True)
    result = run_windows(
        run_one,
        request,
        [window],
        tmp_path,
        on_event=lambda e: None,
        cancel=None,
        purpose="selection",
    )
    assert len(calls) == 1 and calls[0].selection is None
    target, rate = read(result.files["target"])
    residual, _ = read(result.files["residual"])
    assert rate == RATE and target.shape == x.shape
    np.testing.assert_allclose(target + residual, x, atol=1e-6)
    fade = int(0.02 * RATE) + 1
    assert np.all(target[: 4 * RATE - fade] == 0) and np.all(target[6 * RATE + fade :] == 0)
    np.testing.assert_allclose(residual[: 4 * RATE - fade], x[: 4 * RATE - fade], atol=1e-7)
    # inside: the engine's mono 48 kHz target, back at 8 kHz on both channels
    inside = slice(int(4.5 * RATE), int(5.5 * RATE))
    expected = 0.5 * x[inside].mean(axis=1)
    np.testing.assert_allclose(target[inside, 0], expected, atol=2e-3)
    np.testing.assert_allclose(target[inside, 1], target[inside, 0])


def test_conform_matches_rate_channels_and_length(tmp_path: Path) -> None:
    x = noise(2.0, 44_100, channels=2)
    media = write_wav(tmp_path / "in.wav", x, 44_100, subtype="PCM_16")
    x, _ = read(media)
    engine = np.concatenate([np.zeros(100), np.ones(48_000 * 2 + 123) * 0.1])[:, None]
    out = write_wav(tmp_path / "engine-target.wav", engine, 48_000)
    files = conform_to_input(str(media), out, tmp_path)
    target, rate = read(files["target"])
    residual, _ = read(files["residual"])
    assert rate == 44_100 and target.shape == x.shape
    np.testing.assert_allclose(target + residual, x, atol=1e-6)


def test_local_engine_on_a_selection_through_the_runner(tmp_path: Path) -> None:
    x = noise(8.0, 16_000, channels=1, seed=3)
    media = write_wav(tmp_path / "in.wav", x, 16_000)
    request = Request(
        RequestKind.SPANS, str(media), spans=(Span(2.5, 3.0, False),), selection=TimeRange(2.0, 4.0)
    )
    outcome = run_to_take(LocalProvider(), request, tmp_path / "o", OutputFormat())
    target, _ = read(outcome.outputs["target"])
    residual, _ = read(outcome.outputs["residual"])
    np.testing.assert_allclose(target + residual, x, atol=1e-6)
    assert np.all(target[: int(1.9 * 16_000)] == 0) and np.all(target[int(4.1 * 16_000) :] == 0)
    import json

    doc = json.loads(outcome.take_file.read_text())
    assert doc["take"]["request"]["selection"] == {"start": 2.0, "end": 4.0}
    assert doc["engine_details"]["assembled"]["windows"][0]["sent_from_s"] == 0.0
