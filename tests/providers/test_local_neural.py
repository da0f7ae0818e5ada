"""The neural speech path: DeepFilterNet3's estimate fused with the span background (exact sum,
improvement, chunk seams, worker process, cancel), the `auto` choice, the fallback without the
network, doing no harm to a nearly clean voice, and no network access."""

from __future__ import annotations

import itertools
import multiprocessing as mp
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from isolde.core.errors import Cancelled
from isolde.core.progress import CancelToken
from isolde.core.spans import Span
from isolde.dsp import deepfilter, deepfilter_graph, denoised_stream, rnnoise
from isolde.dsp.denoise_worker import DenoisePipeline
from isolde.dsp.denoised_stream import DenoisedStream
from isolde.dsp.method_choice import choose_method
from isolde.dsp.separation import estimate_profiles
from isolde.dsp.sources import ArraySource
from isolde.dsp.speech_mask import SpeechParams, line_steadiness, rumble_bins
from isolde.dsp.speech_separation import separate_speech, speech_grid
from isolde.dsp.wiener import WienerParams
from isolde.providers.base import JobEvent, Request, RequestKind
from isolde.providers.local import LocalProvider

needs_network = pytest.mark.skipif(
    not deepfilter.available(), reason=deepfilter.unavailable_reason()
)
RATE = 48_000


def separate(
    mix: np.ndarray, rate: int, excluded, chunk=None, use_process=False, backend="deepfilter"
):
    """The speech driver on an in-memory source: (target, residual), (n, ch) each."""
    source = ArraySource(mix if mix.ndim == 2 else mix[:, None], rate)
    grid = speech_grid(rate)
    wiener = WienerParams()
    profiles = estimate_profiles(source, grid, wiener, excluded, [], lambda n: None)
    targets, residuals = [], []
    with DenoisedStream(source, use_process=use_process, backend=backend) as denoised:
        separate_speech(
            source,
            grid,
            SpeechParams(floor=wiener.floor, blend=backend == "deepfilter"),
            profiles,
            excluded,
            denoised,
            lambda t, r: (targets.append(t), residuals.append(r)),
            lambda n: None,
            chunk,
        )
    return np.concatenate(targets), np.concatenate(residuals)


def speech_in_noise(sig, snr_db: float, seconds: float = 6.0, rate: int = RATE, seed: int = 0):
    """(speech, noise): syllables from 2 s on over pink noise at `snr_db` (active level)."""
    speech = sig.speech(seconds, rate, seed)
    speech[: 2 * rate] = 0
    noise = sig.pink(len(speech), 1, seed + 7)[:, 0]
    level = np.mean(speech[speech != 0] ** 2)
    noise *= np.sqrt(level / np.mean(noise**2) / 10 ** (snr_db / 10))
    return speech, noise


@needs_network
def test_network_path_improves_speech_and_sums_to_the_input(sig) -> None:
    speech, noise = speech_in_noise(sig, 0.0)
    mix = np.stack([speech + noise, speech + 0.8 * noise], axis=1)  # two channels, one mask
    target, residual = separate(mix, RATE, [(0, int(1.9 * RATE))])
    assert target.shape == mix.shape and np.isfinite(target).all()
    np.testing.assert_allclose(target + residual, mix, atol=1e-6)
    before = sig.si_sdr(mix[:, 0], speech)
    assert sig.si_sdr(target[:, 0], speech) > before + 8


def test_line_steadiness_tells_a_held_line_from_struck_notes() -> None:
    rng = np.random.default_rng(3)
    power = rng.exponential(1.0, (200, 60))  # noise everywhere: steady enough
    power[:, 10] = 400.0  # a held line (hum, a pad's chord)
    hits = np.where(np.arange(200) % 10 == 0, 4_000.0, 0.0)  # a struck partial, silence between
    power[:, 39:42] = hits[:, None]  # (over the bins a window's main lobe spreads it)
    steady = line_steadiness(power, SpeechParams(floor=0.03))
    assert steady[10] == 1.0 and steady[25] == 1.0
    assert steady[40] == 0.0


def test_quiet_input_is_raised_for_the_network_and_loud_input_is_not(sig) -> None:
    speech = sig.speech(6.0, RATE, 1)
    at = 10 * np.log10(np.mean(speech[speech != 0] ** 2))  # roughly the louder frames' level
    for shift_db in (-25.0, 0.0, 10.0):
        x = speech * 10 ** ((denoised_stream.LEVEL_DBFS - at + shift_db) / 20)
        gain_db = 20 * np.log10(denoised_stream.input_gain(ArraySource(x[:, None], RATE)))
        assert gain_db == pytest.approx(max(-shift_db, 0.0), abs=3.0)
    silent = ArraySource(np.zeros((RATE, 1)), RATE)
    assert denoised_stream.input_gain(silent) == 1.0


@needs_network
def test_the_network_estimate_does_not_depend_on_the_input_level(sig) -> None:
    speech, noise = speech_in_noise(sig, 5.0, seconds=4.0, seed=4)
    loud = (speech + noise) / np.abs(speech + noise).max() / 10  # well below the level...
    loud *= 1.01 * denoised_stream.input_gain(ArraySource(loud[:, None], RATE))
    loud_source = ArraySource(loud[:, None], RATE)  # just above the level that is raised
    assert denoised_stream.input_gain(loud_source) == 1.0
    with DenoisedStream(loud_source, backend="deepfilter") as one:
        a = one.read(0, len(loud))
    quiet = ArraySource(loud[:, None] / 10, RATE)  # −20 dB: the gain brings it back up
    with DenoisedStream(quiet, backend="deepfilter") as two:
        b = two.read(0, len(loud)) * 10
    assert sig.si_sdr(b, a) > 30


@needs_network
def test_network_estimate_is_the_same_in_pieces_and_whole(sig) -> None:
    speech, noise = speech_in_noise(sig, 5.0, seconds=4.0, rate=44_100)
    x = (speech + noise).astype(np.float32)
    whole = DenoisePipeline(44_100, "deepfilter")
    one = np.concatenate([whole.process(x), whole.finish()])
    pieces = DenoisePipeline(44_100, "deepfilter")
    cuts = [0, 999, 5_000, 44_100, 100_003, len(x)]
    two = np.concatenate(
        [*(pieces.process(x[a:b]) for a, b in itertools.pairwise(cuts)), pieces.finish()]
    )
    assert len(one) == len(two) == len(x)
    assert np.abs(one - two).max() < 1e-5
    assert sig.si_sdr(one, speech) > sig.si_sdr(x, speech) + 6  # 44.1 kHz goes through 48 kHz


@needs_network
def test_speech_driver_chunk_seams_and_worker_process_do_not_change_the_result(sig) -> None:
    speech, noise = speech_in_noise(sig, 0.0, seconds=5.0, seed=2)
    mix = speech + noise
    excluded = [(0, int(1.9 * RATE))]
    whole, _ = separate(mix, RATE, excluded)
    small, _ = separate(mix, RATE, excluded, chunk=3)
    remote, _ = separate(mix, RATE, excluded, use_process=True)
    assert np.abs(whole - small).max() < 1e-5
    assert np.abs(whole - remote).max() < 1e-5


@needs_network
def test_cancel_mid_file_stops_the_network_worker_and_leaves_no_files(
    sig, write_wav, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(denoised_stream, "PROCESS_MIN_S", 1.0)  # use the worker on a short file
    speech, noise = speech_in_noise(sig, 5.0, seconds=8.0, seed=3)
    path = write_wav((speech + noise)[:, None])
    token = CancelToken()
    seen = 0

    def on_event(event: JobEvent) -> None:
        nonlocal seen
        if event.state == "running" and event.message == "separating":
            seen += 1
            if seen == 2:
                token.cancel()

    request = Request(
        RequestKind.SPANS,
        str(path),
        spans=(Span(0.0, 1.9, include=False),),
        options={"method": "neural"},
    )
    with pytest.raises(Cancelled):
        LocalProvider().run(request, tmp_path / "job", on_event=on_event, cancel=token)
    assert seen == 2  # it was stopped while separating, not before
    assert list((tmp_path / "job").iterdir()) == []
    assert not [p for p in mp.active_children() if p.name == "isolde-deepfilter"]


@needs_network
def test_neural_method_reports_its_choice_in_the_details(sig, write_wav, tmp_path: Path) -> None:
    speech, noise = speech_in_noise(sig, 5.0, seed=4)
    path = write_wav((speech + noise)[:, None])
    spans = (Span(0.0, 1.9, include=False),)
    request = Request(RequestKind.SPANS, str(path), spans=spans, options={"method": "auto"})
    result = LocalProvider().run(request, tmp_path / "job")
    assert result.endpoint == "local/neural-fusion"
    details = result.details
    assert details["method_requested"] == "auto" and details["method_chosen"] == "neural"
    assert "speech heard" in details["chosen_because"]
    assert details["speech_estimator"] == deepfilter.MODEL_VERSION
    assert details["rumble_kept_below_hz"] == 0  # pink noise goes on above the cutoff
    heard_well = SpeechParams(floor=0.03).deaf_hearing[1]
    assert details["target_heard"] > heard_well  # a voice it hears
    assert details["target_heard_1_4khz"] > heard_well  # ... its consonants too
    assert details["background_even"] == 1.0  # pink noise never stands out of its profile
    assert details["learned_stage"] is True  # dsp/learned_fusion.py set the gains


@pytest.mark.skipif(not rnnoise.available(), reason="pyrnnoise is not installed")
def test_without_the_network_neural_and_auto_fall_back_and_say_so(
    sig, write_wav, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deepfilter_graph, "networks", lambda: None)
    assert not deepfilter.available()
    speech, noise = speech_in_noise(sig, 5.0, seed=5)
    path = write_wav((speech + noise)[:, None])
    spans = (Span(0.0, 1.9, include=False),)
    for method in ("neural", "auto"):
        request = Request(RequestKind.SPANS, str(path), spans=spans, options={"method": method})
        result = LocalProvider().run(request, tmp_path / method)
        assert result.endpoint == "local/speech-fusion"
        assert result.details["method_chosen"] == "speech"
        assert "DeepFilterNet is not available" in result.details["chosen_because"]
        assert result.details["speech_estimator"] == "RNNoise"


def test_method_choices_are_declared_with_a_description_each() -> None:
    spec = next(o for o in LocalProvider.capabilities.options if o.name == "method")
    assert set(spec.choices) == {"auto", "neural", "speech", "spectral", "hum"}
    for choice in spec.choices:
        assert f"{choice}: " in spec.help
    described = spec.to_json()["choice_help"]  # `isolde providers --json`, one line each
    assert set(described) == set(spec.choices) and all(described.values())


@needs_network
def test_auto_keeps_the_speech_path_with_music_in_the_exclude_spans(sig) -> None:
    rate = RATE
    speech = sig.speech(10.0, rate, 6)
    speech[: 3 * rate] = 0
    bed = sig.plucks(len(speech), rate, 6)
    bed *= np.sqrt(0.1 * np.mean(speech[speech != 0] ** 2) / np.mean(bed**2))  # 10 dB down
    talk = ArraySource((speech + bed)[:, None], rate)
    chosen = choose_method("auto", None, talk, [(0, int(2.9 * rate))], [], lambda: None)
    assert chosen.method == "neural", chosen.reason
    assert "takes the exclude spans' sound down" in chosen.reason
    # A lone voice in the exclude spans is a voice the user wants gone: not a speech target.
    voice_only = ArraySource((speech + 0.01 * bed)[:, None], rate)
    chosen = choose_method("auto", None, voice_only, [(3 * rate, 10 * rate)], [], lambda: None)
    assert chosen.method == "spectral" and "exclude spans hold speech" in chosen.reason


@needs_network
@pytest.mark.parametrize("marked", [True, False])
def test_a_nearly_clean_voice_is_not_made_worse(sig, marked: bool) -> None:
    """Hiss 30 dB under the voice and a sub-sonic rumble that belongs to the recording.

    The voice is the harmonic one: the network keeps it as speech. (`sig.speech`'s consonants
    are white-noise bursts, which the network takes for noise even 30 dB above the hiss.)"""
    rate = RATE
    speech = sig.voice(8.0, rate, 8)
    speech[: 2 * rate] = 0
    level = np.mean(speech[speech != 0] ** 2)
    rng = np.random.default_rng(8)
    rumble = sosfilt(
        butter(4, [3.0, 20.0], "bandpass", fs=rate, output="sos"), rng.standard_normal(len(speech))
    )
    rumble *= np.sqrt(level / np.mean(rumble**2) / 100)  # 20 dB under the voice
    hiss = rng.standard_normal(len(speech)) * np.sqrt(level / 1000)  # 30 dB under it
    reference = speech + rumble
    mix = reference + hiss
    target, _ = separate(mix, rate, [(0, int(1.9 * rate))] if marked else [])
    before = sig.si_sdr(mix, reference)
    assert sig.si_sdr(target[:, 0], reference) >= before - 0.5
    quiet = slice(int(0.2 * rate), int(1.7 * rate))  # the rumble stays in the quiet stretch
    kept = np.sum(target[quiet, 0] * rumble[quiet]) / np.sum(rumble[quiet] ** 2)
    assert kept > 0.9


@needs_network
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_a_nearly_clean_low_male_voice_with_no_spans_keeps_its_rumble(sig) -> None:
    """Real synthetic speech (a low male espeak-ng voice), hiss 30 dB under it, a sub-sonic
    rumble 20 dB under it, short pauses and no spans: the background then comes from the
    quietest frames, where the voice's low harmonics still sound just above the cutoff. The
    rumble must still be seen as the recording's own (it stops at the cutoff) and the target
    must not be worse than the input."""
    rate = RATE
    pause = np.zeros(rate // 2)  # short pauses: few frames free of the voice
    speech = np.concatenate(
        [
            pause,
            sig.espeak("Bring the old lamp down to the cellar before it gets dark.", "en-us+m3"),
            pause,
            sig.espeak("Nobody could remember where the boat was tied.", "en-us+m3"),
            pause,
        ]
    )
    level = np.mean(speech[np.abs(speech) > 1e-3] ** 2)
    rng = np.random.default_rng(3)
    rumble = sosfilt(
        butter(4, [3.0, 20.0], "bandpass", fs=rate, output="sos"), rng.standard_normal(len(speech))
    )
    rumble *= np.sqrt(level / np.mean(rumble**2) / 100)  # 20 dB under the voice
    hiss = rng.standard_normal(len(speech)) * np.sqrt(level / 1000)  # 30 dB under it
    reference = speech + rumble
    mix = reference + hiss
    target, residual = separate(mix, rate, [])
    np.testing.assert_allclose(target[:, 0] + residual[:, 0], mix, atol=1e-6)
    before = sig.si_sdr(mix, reference)
    assert sig.si_sdr(target[:, 0], reference) >= before - 0.5
    kept = np.sum(target[:, 0] * rumble) / np.sum(rumble**2)
    assert kept > 0.9


def test_rumble_rule_is_not_moved_by_a_few_strong_bins() -> None:
    """The band comparison behind the kept rumble uses medians: a voice's low harmonics just
    above the cutoff (a background taken from the quietest frames of an unmarked file) do not
    hide a rumble's step, and a mains line's leakage just below it does not make one."""
    params = SpeechParams(floor=0.03)
    bin_hz = RATE / 6144
    k = int(params.rumble_hz / bin_hz)
    hiss = np.full(3073, 1e-6)
    rumble = hiss.copy()
    rumble[: k - 1] = 1e-2  # a rumble under the cutoff
    voiced = rumble.copy()
    voiced[[k + 3, k + 4, k + 9, k + 10]] = 1.0  # a low voice's harmonics above it
    assert rumble_bins(voiced, bin_hz, params, target_power=1e3) == k + 1
    line = hiss.copy()
    line[k - 1 : k + 4] = [1e-2, 1e-1, 1.0, 1e-1, 1e-2]  # a 50 Hz line across the cutoff
    assert rumble_bins(line, bin_hz, params, target_power=1e3) == 0


NO_SOCKET = """
import sys
def hook(event, args):
    if event.startswith(("socket.", "urllib.", "http.")):
        raise RuntimeError(f"network access: {event} {args}")
sys.addaudithook(hook)
import numpy as np
from isolde.dsp import deepfilter
from isolde.dsp.denoise_worker import DenoisePipeline
x = (0.1 * np.random.default_rng(0).standard_normal(48_000)).astype(np.float32)
p = DenoisePipeline(44_100, "deepfilter")
y = np.concatenate([p.process(x), p.finish()])
print(len(y), deepfilter.MODEL_VERSION)
"""


@needs_network
def test_the_network_path_opens_no_socket() -> None:
    """Load and run the model under an audit hook that fails on any internet socket."""
    done = subprocess.run(
        [sys.executable, "-c", NO_SOCKET], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["48000", deepfilter.MODEL_VERSION]


@needs_network
@pytest.mark.parametrize(
    ("frames", "channels", "rate"),
    [(100, 1, 48_000), (8_000, 6, 8_000), (192_000, 2, 192_000), (30_000, 1, 22_050)],
)
def test_neural_method_on_odd_files(
    sig, write_wav, tmp_path: Path, frames: int, channels: int, rate: int
) -> None:
    """Shorter than a frame, many channels, extreme and odd rates: same shape, exact sum."""
    mix = 0.1 * np.random.default_rng(frames).standard_normal((frames, channels))
    path = write_wav(mix, rate=rate)
    request = Request(RequestKind.SPANS, str(path), options={"method": "neural"})
    result = LocalProvider().run(request, tmp_path / "job")
    target = sig.read_wav(result.files["target"])
    residual = sig.read_wav(result.files["residual"])
    assert target.shape == mix.shape and np.isfinite(target).all()
    np.testing.assert_allclose(target + residual, mix.astype(np.float32), atol=1e-6)
