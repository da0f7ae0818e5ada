"""Benchmark mixtures for the offline engine: espeak-ng speech over synthetic backgrounds.

Every mixture is 48 kHz mono, built from a known clean track and a known background, so SI-SDR
can be measured against the truth. The layout leaves two speech-free stretches (the lead-in and a
long pause) that serve as the exclude spans a user would mark.

`Mixture.speech` is the reference — what the engine should keep. For every background but one it
is the clean voice. The exception is the nearly clean case (`clean30`): a voice with faint white
hiss 30 dB below it (active speech level) and a sub-sonic rumble (3–20 Hz, 20 dB below the voice)
that belongs to the recording, as an unfiltered microphone keeps it. There the reference is the
voice PLUS the rumble, the background is the hiss alone: removing the rumble counts as damage,
and the mixture itself scores about 28 dB, so "not worse than the input" means keeping almost
everything. Two more nearly clean cases: the voice in a room (`clean30 room`, its echo part of the
reference) and mains hum 40 dB under the voice with the hiss (`clean30 hum`).

Mixtures take a few seconds each to make (espeak-ng, the pad's many partials); `use_cache(dir)`
keeps them on disk as float32, under a folder named after this file's and backgrounds.py's
contents, so changing either makes new ones.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from math import gcd
from pathlib import Path

import backgrounds as bg
import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

RATE = bg.RATE
NOISE_BACKGROUNDS = ("pink", "brown", "hum")
MUSIC_BACKGROUNDS = ("pad", "arpeggio", "piano", "drums")  # the last two: sharp onsets
BABBLE_BACKGROUNDS = ("babble",)
BACKGROUNDS = NOISE_BACKGROUNDS + MUSIC_BACKGROUNDS + BABBLE_BACKGROUNDS
SNRS_DB = (0, 5, 10)
NEARLY_CLEAN = "clean30"
NEARLY_CLEAN_SNR_DB = 30
RUMBLE_BELOW_VOICE_DB = 20
# Two more nearly clean voices (hiss 30 dB below, no rumble): the voice in a room (RT60 0.3–0.7 s;
# the reference is the voice as the room made it, so taking its echo for noise is damage, and the
# exclude spans right after a sentence hold its tail), and mains hum 40 dB under the voice.
NEARLY_CLEAN_ROOM = "clean30 room"
NEARLY_CLEAN_HUM = "clean30 hum"
NEARLY_CLEAN_KINDS = (NEARLY_CLEAN, NEARLY_CLEAN_ROOM, NEARLY_CLEAN_HUM)
HUM_BELOW_VOICE_DB = 40

# (espeak-ng voice, words per minute, the sentences it says): three men, three women, four
# accents (US, British, RP, Scottish, Caribbean).
VOICES = (
    ("en-us", 165, (
        "The quick brown fox jumps over the lazy dog near the riverbank.",
        "Please call Stella and ask her to bring these things with her from the store.",
        "We will meet again tomorrow morning at the old station by the bridge.",
    )),
    ("en-gb+f3", 150, (
        "Six spoons of fresh snow peas, five thick slabs of blue cheese.",
        "The birch canoe slid on the smooth planks of the quiet harbour.",
        "Glue the sheet to the dark blue background before the paint dries.",
    )),
    ("en-us+m3", 175, (
        "It is easy to tell the depth of a well when you drop a stone into it.",
        "These days a chicken leg is a rare dish, served only on Sundays.",
        "Rice is often served in round bowls at the long wooden table.",
    )),
    ("en-gb-x-rp+f4", 160, (
        "The juice of lemons makes fine punch on a warm summer evening.",
        "The box was thrown beside the parked truck in the narrow lane.",
        "Four hours of steady work faced us when the storm finally passed.",
    )),
    ("en-gb-scotland+f2", 155, (
        "The hogs were fed chopped corn and garbage on the cold farm.",
        "A wisp of cloud hung in the blue air above the green hills.",
        "The young girl gave no clear response to the teacher's question.",
    )),
    ("en-029+m7", 170, (
        "The fish twisted and turned on the bent hook near the pier.",
        "Press the pants and sew a button on the vest before you leave.",
        "The swan dive was far short of perfect, but the crowd cheered anyway.",
    )),
)  # fmt: skip
TUNED_VOICES = VOICES

# Voices nothing was tuned on (`--other-voices`): five other languages and a high English variant
# (espeak-ng's Andrea, 200–265 Hz) on which the network fails most. Three men, three women.
OTHER_VOICES = (
    ("de+m2", 150, ("Der alte Mann ging langsam über die Brücke zum Markt.",
                    "Morgen früh fahren wir mit dem Zug nach Hamburg.",
                    "Das Wasser im kleinen See war ganz klar und kalt.")),
    ("fr-fr+f3", 160, ("Le petit chat dort tranquillement sur le vieux canapé.",
                       "Nous partirons demain matin avant le lever du soleil.",
                       "La boulangère vend du pain frais tous les jours.")),
    ("es+m4", 165, ("El tren de la mañana llega siempre con retraso.",
                    "Mi hermana compró flores rojas en el mercado.",
                    "Las montañas estaban cubiertas de nieve blanca.")),
    ("it+f2", 160, ("La nonna prepara la pasta fresca ogni domenica.",
                    "Il cielo sopra la città era grigio e pesante.",
                    "Abbiamo camminato lungo il fiume fino al tramonto.")),
    ("nl+m6", 155, ("De fiets staat al de hele dag bij de deur.",
                    "Wij drinken koffie in het kleine café op de hoek.",
                    "Het regende zacht toen de bus eindelijk kwam.")),
    ("en-us+Andrea", 170, ("My neighbour plants tomatoes every spring in tidy rows.",
                           "The library closes early on the first Monday of the month.",
                           "Bring a warm coat, the wind by the lake is fierce.")),
)  # fmt: skip


def use_voices(other: bool) -> tuple:
    """Make the target voices the tuned ones (default) or OTHER_VOICES; returns them."""
    global VOICES
    VOICES = OTHER_VOICES if other else TUNED_VOICES
    return VOICES


# The babble talkers: espeak-ng voices none of the targets uses, each with its own sentences.
BABBLE_TALKERS = (
    ("en-us+m1", 170, ("A large size in stockings is hard to sell.",
                       "The boy was there when the sun rose over the hill.")),
    ("en-gb+f1", 160, ("A rod is used to catch pink salmon in the stream.",
                       "The source of the huge river is the clear spring.")),
    ("en-gb-x-gbclan+m5", 165, ("Kick the ball straight and follow through.",
                                "Help the woman get back to her feet.")),
    ("en-us-nyc+f5", 175, ("A pot of tea helps to pass the evening.",
                           "Smoky fires lack flame and heat in the winter.")),
    ("en-gb-x-gbcwmd+m6", 155, ("The soft cushion broke the man's fall.",
                                "The salt breeze came across from the sea.")),
    ("en-us+f2", 170, ("The girl at the booth sold fifty bonds.",
                       "Wipe the grease off his dirty face with a towel.")),
    ("en-us+m2", 160, ("The wrist was badly strained and hung limp.",
                       "The stray cat gave birth to kittens.")),
    ("en-gb+m4", 170, ("The ship was torn apart on the sharp reef.",
                       "Sickness kept him home the third week.")),
    ("en-gb-scotland+m4", 165, ("The wide road shimmered in the hot sun.",
                                "The lazy cow lay in the cool grass.")),
    ("en-029+f1", 160, ("Lift the square stone over the fence.",
                        "The rope will bind the seven books at once.")),
)  # fmt: skip
BABBLE_COUNT = 6  # talkers per babble background, out of the ten

LEAD_S = 2.5  # background alone before the first sentence
SHORT_PAUSE_S = 0.6
LONG_PAUSE_S = 2.0  # the second speech-free stretch, between sentences two and three
TAIL_S = 1.0
MARGIN_S = 0.05  # exclude spans stop this far short of any speech

_cache_dir: Path | None = None


@dataclass(frozen=True)
class Mixture:
    name: str
    background_kind: str
    snr_db: float
    speech: np.ndarray  # the reference (clean voice; voice + rumble for clean30), float64 (n,)
    background: np.ndarray  # what should go, scaled, float64 (n,)
    exclude: tuple[tuple[float, float], ...]  # speech-free stretches, seconds

    @property
    def mix(self) -> np.ndarray:
        return self.speech + self.background

    def exclude_samples(self) -> list[tuple[int, int]]:
        return [(round(a * RATE), round(b * RATE)) for a, b in self.exclude]


def _trim(x: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x) > threshold * np.abs(x).max())
    return x[loud[0] : loud[-1] + 1] if len(loud) else x


@cache
def sentence(voice: str, wpm: int, text: str) -> np.ndarray:
    """One sentence from espeak-ng, trimmed of silence and resampled to 48 kHz."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed; the benchmark needs it for speech")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), text], check=True
        )
        data, rate = sf.read(path, dtype="float64")
    g = gcd(RATE, rate)
    return resample_poly(_trim(data), RATE // g, rate // g)


def speech_track(voice_index: int) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
    """A voice's three sentences laid out with pauses; returns the track and the exclude spans."""
    voice, wpm, texts = VOICES[voice_index]
    parts = [sentence(voice, wpm, t) for t in texts]
    pauses = (LEAD_S, SHORT_PAUSE_S, LONG_PAUSE_S)
    layout: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    t = 0.0
    for pause, part in zip(pauses, parts, strict=True):
        if pause >= 1.0:
            spans.append((t + MARGIN_S * (t > 0), t + pause - MARGIN_S))
        layout += [np.zeros(round(pause * RATE)), part]
        t += pause + len(part) / RATE
    layout.append(np.zeros(round(TAIL_S * RATE)))
    track = np.concatenate(layout)
    return 0.1 * track / np.sqrt(np.mean(track[track != 0] ** 2)), tuple(spans)


def active_power(speech: np.ndarray, frame: int = RATE // 50) -> float:
    """Mean power over 20 ms frames within 40 dB of the loudest: speech level while speaking."""
    n = len(speech) // frame * frame
    powers = (speech[:n].reshape(-1, frame) ** 2).mean(axis=1)
    return float(powers[powers > powers.max() * 1e-4].mean())


def background(kind: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    simple = {
        "pink": lambda: bg.coloured_noise(n, 1.0, rng),
        "brown": lambda: bg.coloured_noise(n, 2.0, rng),
        "hum": lambda: bg.hum(n, rng),
        "pad": lambda: bg.pad(n, rng),
        "arpeggio": lambda: bg.arpeggio(n, rng),
        "piano": lambda: bg.piano(n, rng),
        "drums": lambda: bg.drums(n, rng),
        NEARLY_CLEAN: lambda: rng.standard_normal(n),  # the hiss
        NEARLY_CLEAN_ROOM: lambda: rng.standard_normal(n),
        NEARLY_CLEAN_HUM: lambda: rng.standard_normal(n),
    }
    if kind in simple:
        return simple[kind]()
    if kind == "babble":
        chosen = rng.choice(len(BABBLE_TALKERS), BABBLE_COUNT, replace=False)
        talkers = [
            [sentence(BABBLE_TALKERS[i][0], BABBLE_TALKERS[i][1], t) for t in BABBLE_TALKERS[i][2]]
            for i in chosen
        ]
        return bg.babble(n, talkers, rng)
    raise ValueError(f"unknown background {kind!r}")


def _seed(voice_index: int, kind: str) -> int:
    kinds = (*BACKGROUNDS, *NEARLY_CLEAN_KINDS)
    return 100 * voice_index + kinds.index(kind)


def _make(voice_index: int, kind: str, snr_db: float) -> Mixture:
    speech, exclude = speech_track(voice_index)
    if kind == NEARLY_CLEAN_ROOM:
        rng = np.random.default_rng(_seed(voice_index, kind) + 60)
        speech = bg.reverberate(speech, rng, rt60_s=rng.uniform(0.3, 0.7))[: len(speech)]
    level = active_power(speech)
    noise = background(kind, len(speech), _seed(voice_index, kind))
    noise *= np.sqrt(level / np.mean(noise**2) / 10 ** (snr_db / 10))
    if kind == NEARLY_CLEAN_HUM:
        hum = bg.hum(len(speech), np.random.default_rng(_seed(voice_index, kind) + 70))
        noise += hum * np.sqrt(level / np.mean(hum**2) / 10 ** (HUM_BELOW_VOICE_DB / 10))
    if kind == NEARLY_CLEAN:  # the rumble belongs to the recording: part of the reference
        low = bg.rumble(len(speech), np.random.default_rng(_seed(voice_index, kind) + 50))
        speech = speech + low * np.sqrt(
            level / np.mean(low**2) / 10 ** (RUMBLE_BELOW_VOICE_DB / 10)
        )
    name = f"{VOICES[voice_index][0]}/{kind}/{snr_db:g}dB"
    # float32 and back: a mixture read from the cache is the same as a fresh one
    f32 = [np.asarray(x, np.float32).astype(np.float64) for x in (speech, noise)]
    return Mixture(name, kind, snr_db, f32[0], f32[1], exclude)


@cache
def _version() -> str:
    here = Path(__file__).parent
    data = b"".join((here / f).read_bytes() for f in ("mixtures.py", "backgrounds.py"))
    return hashlib.sha1(data).hexdigest()[:10]


def use_cache(folder: Path | None) -> Path | None:
    """Keep mixtures under `folder` (None: make them afresh each time); returns the folder used."""
    global _cache_dir
    _cache_dir = None if folder is None else folder / f"mixtures-{_version()}"
    if _cache_dir is not None:
        _cache_dir.mkdir(parents=True, exist_ok=True)
    return _cache_dir


def cache_path(mx_name: str, suffix: str) -> Path | None:
    """Where something derived from the mixture `mx_name` is kept, if there is a cache."""
    if _cache_dir is None:
        return None
    return _cache_dir / (mx_name.replace("/", "_").replace("+", "-") + suffix)


def mixture(voice_index: int, kind: str, snr_db: float) -> Mixture:
    name = f"{VOICES[voice_index][0]}/{kind}/{snr_db:g}dB"
    path = cache_path(name, ".npz")
    if path is not None and path.exists():
        with np.load(path) as z:
            speech, noise = (z[k].astype(np.float64) for k in ("speech", "background"))
        return Mixture(name, kind, snr_db, speech, noise, speech_track(voice_index)[1])
    mx = _make(voice_index, kind, snr_db)
    if path is not None:
        tmp = path.with_suffix(".tmp.npz")
        np.savez(
            tmp, speech=mx.speech.astype(np.float32), background=mx.background.astype(np.float32)
        )
        tmp.replace(path)
    return mx


def nearly_clean(voice_index: int, kind: str = NEARLY_CLEAN) -> Mixture:
    return mixture(voice_index, kind, NEARLY_CLEAN_SNR_DB)


def all_mixtures(voices: int = len(VOICES)) -> list[Mixture]:
    return [mixture(v, kind, snr) for kind in BACKGROUNDS for snr in SNRS_DB for v in range(voices)]


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Scale-invariant signal-to-distortion ratio, dB."""
    scale = estimate @ reference / (reference @ reference)
    target = scale * reference
    return float(10 * np.log10(np.sum(target**2) / max(np.sum((estimate - target) ** 2), 1e-30)))
