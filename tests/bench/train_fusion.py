"""Train the speech path's learned stage (src/isolde/dsp/learned_fusion.py) and write its weights.

    .venv/bin/pip install scikit-learn==1.9.1   # only for this script
    .venv/bin/python tests/bench/train_fusion.py [--dir /tmp/isolde-fusion] [--out PATH]

The material is disjoint from what the benchmark plays: ten espeak-ng voices in other languages
and variants (five men, five women), babble from talkers the benchmark's babble never uses, and
backgrounds from the same families as the benchmark's (noise, hum, chords, plucks, piano, drums,
babble, a nearly clean voice, a voice in a room) on seeds it never draws. Each mixture goes
through the real engine with the learned stage held open: what the stage would read (the fused
gains, the mixture, the network's speech, the tracked background, the span profile) is kept per
frame, and the answer is the gain size that brings that bin closest to the clean voice, with the
fused gain's phase. Bins are drawn in proportion to the mixture's power (the error a listener
hears is power-weighted), plus a share drawn evenly. A perceptron (scikit-learn's MLPRegressor)
is fitted and its weights are saved as float32 arrays: the engine needs numpy alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import mixtures as M
import numpy as np
from engine_runs import run_engine

from isolde.dsp import learned_fusion, speech_separation
from isolde.dsp.speech_mask import blended_gains
from isolde.dsp.speech_separation import speech_grid

TRAIN_VOICES = (
    ("hu+Steph", 155, ("A kis kutya vidáman szaladt át a zöld réten.",
                       "Holnap reggel korán indulunk a hegyekbe.",
                       "A nagymama friss kenyeret sütött a vacsorához.")),
    ("cs+Michael", 160, ("Starý most přes řeku byl opraven minulé léto.",
                         "Večer jsme seděli u ohně a zpívali písně.",
                         "Na trhu prodávali čerstvé jahody a třešně.")),
    ("fi+Belinda", 150, ("Pieni vene keinui hiljaa järven rannalla.",
                         "Huomenna lähdemme mökille koko perheen kanssa.",
                         "Talvella lunta satoi niin paljon, ettei ovea saanut auki.")),
    ("el+Paul", 160, ("Το παλιό καράβι έφτασε αργά στο λιμάνι.",
                      "Αύριο το πρωί θα πάμε στην αγορά.",
                      "Τα παιδιά έπαιζαν στην παραλία όλο το απόγευμα.")),
    ("tr+shelby", 165, ("Küçük kedi bütün gün pencerenin önünde uyudu.",
                        "Yarın sabah erkenden otobüsle şehre gideceğiz.",
                        "Bahçedeki ağaçlar bu yıl çok meyve verdi.")),
    ("da+Alex", 155, ("Den gamle fisker sad stille ved havnen hele dagen.",
                      "I morgen skal vi cykle ud til skoven.",
                      "Børnene byggede et stort slot af sand på stranden.")),
    ("ro+anika", 160, ("Bunicul a plantat un măr în grădina din spate.",
                       "Mâine dimineață plecăm cu trenul spre munte.",
                       "Ploaia a căzut toată noaptea peste satul liniștit.")),
    ("en-us+Gene", 170, ("The painter mixed a bright shade of green for the fence.",
                         "Our train was late because of snow on the tracks.",
                         "She folded the letter twice and hid it in a book.")),
    ("id+Caleb", 160, ("Anak itu membaca buku di bawah pohon mangga.",
                       "Besok pagi kami akan pergi ke pasar ikan.",
                       "Hujan turun deras sepanjang malam di desa kecil itu.")),
    ("hr+Auntie", 155, ("Stara kuća na brdu ima crveni krov.",
                        "Sutra ujutro idemo autobusom na more.",
                        "Djeca su se igrala u parku do mraka.")),
)  # fmt: skip
TRAIN_TALKERS = (
    ("sk+m1", 165, ("Vlak prišiel na stanicu neskoro večer.",
                    "Mama varí polievku pre celú rodinu.")),
    ("sl+f2", 160, ("Na vrtu rastejo rdeče rože.", "Jutri bomo šli na izlet v gore.")),
    ("lt+m3", 165, ("Senas namas stovi prie upės.", "Vaikai žaidžia kieme po pamokų.")),
    ("lv+f4", 160, ("Mazais suns skrien pa pļavu.", "Rīt mēs brauksim uz jūru.")),
    ("et+m5", 165, ("Vana paat seisab kaldal.", "Homme läheme metsa seenele.")),
    ("bg+f1", 160, ("Старият мост е над реката.", "Утре ще отидем на планина.")),
    ("en-gb+m6", 170, ("The kettle whistled while we talked about the trip.",
                       "A flock of geese flew low over the marsh.")),
    ("en-us+f3", 165, ("Turn left at the bakery and walk two blocks.",
                       "The museum opens an hour later on Sundays.")),
)  # fmt: skip
KINDS = ("pink", "brown", "hum", "pad", "arpeggio", "piano", "drums", "babble")
NEARLY = (M.NEARLY_CLEAN, M.NEARLY_CLEAN_ROOM)
SNRS = (0.0, 5.0, 10.0)
SEED_OFFSET = 50_000  # no seed the benchmark draws (it uses 100 × voice + kind, + ≤ 70)
PER_ITEM = 24_000  # bins drawn from each mixture
EVEN_SHARE = 0.25  # of them drawn evenly, the rest by power
HIDDEN = (32, 16)


def training_mixture(voice: int, kind: str, snr_db: float) -> M.Mixture:
    """A mixture built like the benchmark's (mixtures._make) from the training voices, talkers
    and seeds."""
    saved = M.VOICES, M.BABBLE_TALKERS, M._seed
    M.VOICES, M.BABBLE_TALKERS = TRAIN_VOICES, TRAIN_TALKERS
    M._seed = lambda v, k: SEED_OFFSET + saved[2](v, k) + 17 * int(snr_db)
    try:
        return M._make(voice, kind, snr_db)
    finally:
        M.VOICES, M.BABBLE_TALKERS, M._seed = saved


class Capture:
    """Stands in for learned_fusion.refined_gains during a run: keeps what it would read and
    hands the fused gains on unchanged. `blended` wraps speech_separation.blended_gains, which
    runs just before in each batch, for the mixture's spectrum (the stage reads only its power;
    the answer needs its phase)."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.spectra: list[np.ndarray] = []
        self.profile: np.ndarray | None = None
        self.bin_hz = 0.0

    def blended(self, mono, *rest):  # type: ignore[no-untyped-def]
        self.spectra.append(mono.copy())
        return blended_gains(mono, *rest)

    def __call__(self, gains, power, speech, background, profile, bin_hz, floor):  # type: ignore[no-untyped-def]
        self.parts.append((gains.copy(), speech.copy(), background.copy()))
        self.profile, self.bin_hz = profile.copy(), bin_hz
        return gains

    def arrays(self) -> tuple[np.ndarray, ...]:
        assert len(self.spectra) == len(self.parts)
        gains, speech, background = (np.concatenate([p[i] for p in self.parts]) for i in range(3))
        return gains, np.concatenate(self.spectra), speech, background


def item_samples(mx: M.Mixture, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(features, answers) for PER_ITEM bins of one mixture run through the engine."""
    capture = Capture()
    learned_fusion.refined_gains, kept = capture, learned_fusion.refined_gains  # type: ignore[assignment]
    learned_fusion.available, kept_available = (lambda: True), learned_fusion.available  # type: ignore[assignment]
    speech_separation.blended_gains = capture.blended  # type: ignore[assignment]
    try:
        exclude = [(a / M.RATE, b / M.RATE) for a, b in mx.exclude_samples()]
        run_engine(mx.mix, exclude, {"method": "neural"})
    finally:
        learned_fusion.refined_gains, learned_fusion.available = kept, kept_available  # type: ignore[assignment]
        speech_separation.blended_gains = blended_gains  # type: ignore[assignment]
    gains, mono, speech, background = capture.arrays()
    assert capture.profile is not None
    power = mono.real**2 + mono.imag**2
    planes = learned_fusion.planes(
        power, speech, gains, background, capture.profile, capture.bin_hz
    )
    top = planes.shape[2]
    # The clean voice on the engine's grid; the gains apply to `mono`, the mixture as analysed
    # (after hum cancellation, when the engine found hum).
    grid = speech_grid(M.RATE)
    padded = np.zeros(grid.frame_start(len(mono) - 1) + grid.n_fft - grid.frame_start(0))
    voice = mx.speech[: len(padded) - grid.lead]
    padded[grid.lead : grid.lead + len(voice)] = voice
    clean = grid.analyse(padded[:, None])[0][:, :top]
    mixed = mono[:, :top]
    size = np.abs(gains[:, :top])
    phase = np.where(size > 1e-20, gains[:, :top] / np.maximum(size, 1e-20), 1.0)
    turned = phase * mixed
    answer = np.real(clean * np.conj(turned)) / np.maximum(np.abs(turned) ** 2, 1e-20)
    answer = np.clip(answer, 0.0, 1.0)
    weight = np.abs(mixed).ravel() ** 2
    by_power = rng.choice(weight.size, int(PER_ITEM * (1 - EVEN_SHARE)), p=weight / weight.sum())
    even = rng.choice(weight.size, int(PER_ITEM * EVEN_SHARE))
    picked = np.concatenate([by_power, even])
    return planes.reshape(len(planes), -1)[:, picked].T, answer.ravel()[picked]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/isolde-fusion"))
    parser.add_argument("--out", type=Path, default=learned_fusion.WEIGHTS)
    args = parser.parse_args()
    from sklearn.neural_network import MLPRegressor

    args.dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    xs, ys = [], []
    items = [(v, k, s) for v in range(len(TRAIN_VOICES)) for k in KINDS for s in SNRS]
    items += [(v, k, M.NEARLY_CLEAN_SNR_DB) for v in range(len(TRAIN_VOICES)) for k in NEARLY]
    for n, (v, kind, snr) in enumerate(items):
        kept = args.dir / f"{v}_{kind.replace(' ', '-')}_{snr:g}.npz"
        if not kept.exists():
            x, y = item_samples(training_mixture(v, kind, snr), rng)
            np.savez(kept, x=x, y=y)
        with np.load(kept) as z:
            xs.append(z["x"])
            ys.append(z["y"])
        print(f"{n + 1}/{len(items)} {TRAIN_VOICES[v][0]} {kind} {snr:g} dB", flush=True)
    x, y = np.concatenate(xs), np.concatenate(ys)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = MLPRegressor(
        hidden_layer_sizes=HIDDEN, early_stopping=True, max_iter=200, random_state=0,
        batch_size=1024, learning_rate_init=1e-3,
    )  # fmt: skip
    model.fit((x - mean) / scale, y)
    score = model.best_validation_score_
    print(f"fitted on {len(y)} bins, {model.n_iter_} epochs, validation R² {score:.3f}")
    arrays = {"mean": mean, "scale": scale}
    for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_, strict=True)):
        arrays[f"w{i}"], arrays[f"b{i}"] = w, b
    tmp = args.out.with_suffix(".tmp.npz")
    np.savez(tmp, **{k: np.asarray(v, np.float32) for k, v in arrays.items()})
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
