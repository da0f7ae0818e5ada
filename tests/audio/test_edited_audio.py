"""The recording as edited, read and drawn without rendering it: `EditedSource` reads what export
writes, and `EditedPeaks` draws what a pyramid of the exported file would draw, reducing only
the edited stretches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio import OutputFormat, open_audio
from isolde.audio import edited_peaks as edited_peaks_module
from isolde.audio.edited_peaks import EditedPeaks, EditedPeaksCache, RegionPeaks, region_spans
from isolde.audio.edited_source import EditedSource
from isolde.audio.pyramid import PeakPyramid
from isolde.audio.render import Splice, render

RATE = 16_000
SECONDS = 60  # 960 000 frames: wide views go through the pyramid levels, not the samples


def _wav(path: Path, seed: int, scale: float) -> Path:
    rng = np.random.default_rng(seed)
    t = np.arange(RATE * SECONDS) / RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 0.05 * t + seed)
    data = scale * envelope[:, None] * rng.uniform(-1, 1, (len(t), 2))
    sf.write(path, data.astype(np.float32), RATE, subtype="FLOAT")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("edited")
    return {
        "source": _wav(folder / "source.wav", 1, 0.3),
        "target": _wav(folder / "target.wav", 2, 0.9),
        "residual": _wav(folder / "residual.wav", 3, 0.05),
        "inpainted": _wav(folder / "inpainted.wav", 4, 0.6),
    }


def _splices(files: dict[str, Path]) -> list[Splice]:
    target, residual = open_audio(files["target"]), open_audio(files["residual"])
    inpainted = open_audio(files["inpainted"])
    return [
        Splice(5 * RATE, 35 * RATE, 320, ((target, 0.7), (residual, 0.2))),
        Splice(30 * RATE + 17, 31 * RATE, 160, ((inpainted, 1.0),), equal_power=True),  # later wins
        Splice(50 * RATE + 5, 50 * RATE + 900, 0, ((target, 2.0),)),
    ]


def _rendered(source_path: Path, splices: list[Splice], dest: Path) -> np.ndarray:
    with open_audio(source_path) as source:
        render(source, splices, dest, OutputFormat())
    return sf.read(dest, dtype="float32")[0]


def test_reads_what_export_writes(files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = open_audio(files["source"])
    splices = _splices(files)
    exported = _rendered(files["source"], splices, tmp_path / "out.wav")
    edited = EditedSource(source, splices)
    # Reads of any size and alignment, across fades and the overlap of two edits.
    for a, b in [(0, 100), (5 * RATE - 50, 5 * RATE + 400), (30 * RATE, 31 * RATE + 9)]:
        np.testing.assert_array_equal(edited.read(a, b), exported[a:b])
    np.testing.assert_array_equal(
        edited.read(50 * RATE, 51 * RATE), exported[50 * RATE : 51 * RATE]
    )
    assert not np.array_equal(edited.read(6 * RATE, 7 * RATE), source.read(6 * RATE, 7 * RATE))
    np.testing.assert_array_equal(
        edited.read(40 * RATE, 41 * RATE), source.read(40 * RATE, 41 * RATE)
    )
    assert edited.touches(34 * RATE, 36 * RATE) and not edited.touches(36 * RATE, 50 * RATE)
    assert edited.ranges == [(5 * RATE, 35 * RATE), (50 * RATE + 5, 50 * RATE + 900)]


@pytest.mark.parametrize(
    "view", [(0, SECONDS), (4.0, 36.0), (4.0, 12.0), (29.5, 31.5), (49.0, 52.0)]
)
def test_draws_what_a_pyramid_of_the_exported_file_draws(files, tmp_path, view) -> None:  # type: ignore[no-untyped-def]
    source = open_audio(files["source"])
    splices = _splices(files)
    _rendered(files["source"], splices, tmp_path / "out.wav")
    want = PeakPyramid.open(open_audio(tmp_path / "out.wav"), cache=False)
    base = PeakPyramid.open(source, cache=False)
    edited = EditedSource(source, splices)
    peaks = EditedPeaksCache().peaks(base, edited)
    assert peaks.wait(20.0) and peaks.complete
    start, stop, columns = int(view[0] * RATE), int(view[1] * RATE), 1000
    lo, hi = peaks.envelope(start, stop, columns)
    w_lo, w_hi = want.envelope(start, stop, columns)
    o_lo, _ = base.envelope(start, stop, columns)
    keep = np.ones(columns, bool)
    if (stop - start) / columns >= base.bucket_sizes[0]:  # from the levels, not the samples
        # A column across a region's edge takes its unedited part from the samples or the
        # source's peaks, without the exported pyramid's spill into the next bucket.
        spans = region_spans(edited.ranges, base.bucket_sizes[-1], edited.frames)
        bounds = start + np.arange(columns + 1) * (stop - start) // columns
        for edge in {e for span in spans for e in span}:
            keep &= ~((bounds[:-1] < edge) & (bounds[1:] > edge))
        assert keep.sum() >= columns - 4
    np.testing.assert_array_equal(lo[keep], w_lo[keep])
    np.testing.assert_array_equal(hi[keep], w_hi[keep])
    assert not np.array_equal(lo, o_lo)  # and it is not the recording as it was


def test_long_regions_fill_on_a_worker_and_match(files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    source = open_audio(files["source"])
    base = PeakPyramid.open(source, cache=False)
    edited = EditedSource(source, _splices(files))
    monkeypatch.setattr(edited_peaks_module, "SYNC_SAMPLES", 1 << 40)
    at_once = EditedPeaksCache().peaks(base, edited)
    assert at_once.complete  # reduced on the spot
    monkeypatch.setattr(edited_peaks_module, "SYNC_SAMPLES", 0)
    later = EditedPeaksCache().peaks(base, edited)
    assert later.wait(20.0) and all(region.error is None for region in later.regions)
    for view in [(0, SECONDS * RATE), (5 * RATE, 6 * RATE)]:
        for a, b in zip(later.envelope(*view, 800), at_once.envelope(*view, 800), strict=True):
            np.testing.assert_array_equal(a, b)


def test_an_unfilled_region_shows_the_source_until_filled(files) -> None:  # type: ignore[no-untyped-def]
    source = open_audio(files["source"])
    base = PeakPyramid.open(source, cache=False)
    edited = EditedSource(source, _splices(files))
    sizes = tuple(base.bucket_sizes)
    spans = region_spans(edited.ranges, sizes[-1], edited.frames)
    empty = EditedPeaks(base, edited, [RegionPeaks(edited, *span, sizes) for span in spans])
    assert not empty.complete
    for a, b in zip(
        empty.envelope(0, source.frames, 700), base.envelope(0, source.frames, 700), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_undo_and_redo_reuse_the_regions_already_reduced(files) -> None:  # type: ignore[no-untyped-def]
    source = open_audio(files["source"])
    base = PeakPyramid.open(source, cache=False)
    splices = _splices(files)
    cache = EditedPeaksCache()
    first = cache.peaks(base, EditedSource(source, splices))
    fewer = cache.peaks(base, EditedSource(source, splices[:2]))  # the last edit undone
    assert fewer.regions[0] is first.regions[0] and len(fewer.regions) == 1
    again = cache.peaks(base, EditedSource(source, splices))  # and redone
    assert [id(r) for r in again.regions] == [id(r) for r in first.regions]
    changed = cache.peaks(base, EditedSource(source, [splices[0]]))  # the overlap gone
    assert changed.regions[0] is not first.regions[0]


def test_a_region_cancelled_by_undo_resumes_on_redo(files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(edited_peaks_module, "SYNC_SAMPLES", 0)
    source = open_audio(files["source"])
    base = PeakPyramid.open(source, cache=False)
    splices = _splices(files)
    cache = EditedPeaksCache()
    first = cache.peaks(base, EditedSource(source, splices))
    cache.peaks(base, EditedSource(source, []))  # everything undone: the passes stop
    again = cache.peaks(base, EditedSource(source, splices))  # redone: they go on
    assert [id(r) for r in again.regions] == [id(r) for r in first.regions]
    assert again.wait(20.0)
