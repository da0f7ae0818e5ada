"""Offline engine benchmark (run on purpose; see tests/bench/README.md for what and how):

    .venv/bin/python tests/bench/bench_local_engine.py [--json] [--voices 6] [--hours 0.25]
        [--backgrounds 'pink,babble,clean30,clean30 room'] [--snrs 0,5]
        [--long-methods auto,spectral]
        [--skip-quality] [--skip-long] [--skip-vad] [--vad-voices 2] [--dir DIR] [--no-cache]
        [--references-only] [--json-out FILE]

Quality: espeak-ng voices over noise (pink, brown, hum), music (pad, plucked arpeggio, struck
piano-like notes, drums) and reverberant babble at 0, 5 and 10 dB SNR, exclude spans on the
speech-free stretches, plus nearly clean cases: hiss 30 dB down with a rumble that must stay
(with and without spans), the voice in a room (its echo is part of it), and mains hum 40 dB down.
SI-SDR improvement of the engine as a user gets it (`auto`), of each method the provider
declares, of the DeepFilterNet network alone, of noisereduce (the reference) and of an ideal
mask (the ceiling). Speed and memory: each method once on a long 48 kHz stereo file in
a fresh process (long_runs.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import backgrounds
import mixtures
import numpy as np
import report
from engine_runs import (
    chosen_method,
    declared_methods,
    network_available,
    run_engine,
    run_ideal_mask,
    run_network_alone,
    run_noisereduce,
)
from long_runs import long_file_runs
from mixtures import (
    BACKGROUNDS,
    NEARLY_CLEAN,
    NEARLY_CLEAN_KINDS,
    RATE,
    SNRS_DB,
    VOICES,
    Mixture,
    cache_path,
    mixture,
    nearly_clean,
    si_sdr,
    use_cache,
)
from scipy.signal import resample_poly
from vad_study import vad_study

UNMARKED = f"{NEARLY_CLEAN} unmarked"  # the nearly clean case run with no spans at all


def _improvement(estimate: np.ndarray, mx: Mixture) -> float:
    return si_sdr(estimate, mx.speech) - si_sdr(mx.mix, mx.speech)


def _references_version() -> str:
    """What the cached reference scores depend on besides the mixture: the network's module and
    the way they are computed."""
    here = Path(__file__).parent
    files = [here / "engine_runs.py"]
    try:
        import isolde.dsp.deepfilter as dfn

        files.append(Path(dfn.__file__))
    except ImportError:
        pass
    return hashlib.sha1(b"".join(f.read_bytes() for f in files)).hexdigest()[:8]


def reference_scores(mx: Mixture, variant: str, network: bool) -> dict[str, float]:
    """SI-SDRi of the network alone, noisereduce and the ideal mask: they do not depend on the
    engine, so they are kept beside the cached mixture."""
    path = cache_path(mx.name, f".{variant}.{_references_version()}.json")
    if path is not None and path.exists():
        scores = json.loads(path.read_text())
        if "network" in scores or not network:
            return scores
    scores = {
        "noisereduce": _improvement(run_noisereduce(mx), mx),
        "ideal": _improvement(run_ideal_mask(mx), mx),
    }
    if network:
        scores["network"] = _improvement(run_network_alone(mx.mix), mx)
    if path is not None:
        path.write_text(json.dumps(scores))
    return scores


def score_item(
    mx: Mixture, kind: str, methods: tuple[str, ...], network: bool, engine: bool
) -> dict:
    """One mixture through everything: {name, kind, snr, scores: {label: SI-SDRi}, chose}."""
    variant = "unmarked" if kind == UNMARKED else "marked"
    scores = reference_scores(mx, variant, network)
    row = {"name": mx.name, "kind": kind, "snr": mx.snr_db, "scores": dict(scores), "chose": ""}
    if not engine:
        return row
    runs: dict[str, tuple[np.ndarray, dict]] = {}
    for method in ("auto", *methods):
        options = {} if method == "auto" else {"method": method}  # auto: as a user gets it
        try:
            out, details, seconds = run_engine(mx.mix, list(mx.exclude), options)
        except Exception as e:  # one method failing must not hide the others' figures
            row.setdefault("errors", {})[method] = f"{type(e).__name__}: {e}"
            print(f"  {mx.name} {method} failed: {e}", file=sys.stderr)
            continue
        runs[method] = (out, details)
        row["scores"][method] = _improvement(out, mx)
        row.setdefault("rtf", {})[method] = round(seconds / (len(mx.mix) / RATE), 4)
    if "auto" in runs:
        explicit = {m: out for m, (out, _) in runs.items() if m != "auto"}
        row["chose"] = chosen_method(*runs["auto"], explicit)
    return row


def quality(
    voices: int,
    methods: tuple[str, ...],
    network: bool,
    engine: bool,
    kinds: tuple[str, ...] = (*BACKGROUNDS, *NEARLY_CLEAN_KINDS),
    snrs: tuple[int, ...] = SNRS_DB,
) -> list[dict]:
    """Every mixture of the grid, then the nearly clean ones (the plain one marked and
    unmarked, the room and hum ones marked)."""
    rows = []
    for kind in (k for k in kinds if k not in NEARLY_CLEAN_KINDS):
        for snr in snrs:
            rows += [
                score_item(mixture(v, kind, snr), kind, methods, network, engine)
                for v in range(voices)
            ]
            print(f"  {kind} {snr} dB done", file=sys.stderr)
    for v in range(voices if NEARLY_CLEAN in kinds else 0):
        mx = nearly_clean(v)
        rows.append(score_item(mx, NEARLY_CLEAN, methods, network, engine))
        bare = dataclasses.replace(mx, exclude=())
        rows.append(score_item(bare, UNMARKED, methods, network, engine))
    for kind in (k for k in NEARLY_CLEAN_KINDS[1:] if k in kinds):
        rows += [
            score_item(nearly_clean(v, kind), kind, methods, network, engine) for v in range(voices)
        ]
    print("  nearly clean done", file=sys.stderr)
    return rows


def rates_study(voices: int) -> dict[str, float]:
    """The engine (`auto`) at other rates: the mixtures at 5 dB resampled, mean SI-SDRi per rate
    (the networks run at 48 kHz behind a resampler)."""
    out: dict[str, float] = {}
    for rate in (8_000, 16_000, 44_100, RATE):
        gains = []
        for kind in ("pink", "pad"):
            for v in range(min(voices, 2)):
                mx = mixture(v, kind, 5)
                mix, speech = (
                    resample_poly(x, rate // 100, RATE // 100) for x in (mx.mix, mx.speech)
                )
                target, _, _ = run_engine(mix, list(mx.exclude), rate=rate)
                gains.append(si_sdr(target, speech) - si_sdr(mix, speech))
        out[f"{rate} Hz"] = round(float(np.mean(gains)), 2)
    return out


def stereo_loop(hum: bool = False) -> tuple[np.ndarray, tuple[float, float]]:
    """A stereo speech-over-music stretch (two voices, panned apart) and its speech-free lead;
    with `hum`, 50 Hz mains hum 10 dB under the voices on top (the stretch cut to whole hum
    periods, so the hum runs on seamlessly when the stretch repeats)."""
    a, b = mixture(0, "pad", 5), mixture(1, "pink", 5)
    n = min(len(a.mix), len(b.mix))
    left = a.mix[:n] + 0.4 * b.mix[:n]
    right = 0.5 * a.mix[:n] + b.mix[:n]
    loop = np.stack([left, right], axis=1)
    if hum:
        n -= n % (RATE // 50)
        loop = loop[:n]
        buzz = backgrounds.hum(n, np.random.default_rng(50))
        level = np.mean(a.speech[:n] ** 2) / np.mean(buzz**2) / 10
        loop = loop + np.sqrt(level) * np.stack([buzz, 0.8 * buzz], axis=1)
    return 0.5 * loop / np.abs(loop).max(), (0.0, min(a.exclude[0][1], b.exclude[0][1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--voices", type=int, default=len(VOICES), help="voices per mixture set")
    parser.add_argument(
        "--other-voices", action="store_true",
        help="target voices nothing was tuned on (five other languages, a high English variant)",
    )  # fmt: skip
    parser.add_argument("--backgrounds", help="comma-separated subset (default: all + clean30)")
    parser.add_argument("--snrs", help="comma-separated subset of 0,5,10 (default: all)")
    parser.add_argument("--hours", type=float, default=0.25, help="length of the long file")
    parser.add_argument("--long-methods", help="methods on the long file (default: all)")
    parser.add_argument(
        "--long-hum", action="store_true", help="50 Hz mains hum on the long file (its cost)"
    )
    parser.add_argument(
        "--methods",
        help="explicit methods run beside auto (default: every one the provider declares; "
        "'none': auto alone, a quarter of the time)",
    )
    parser.add_argument("--skip-quality", action="store_true", help="speed and memory only")
    parser.add_argument("--skip-long", action="store_true", help="no long-file speed/memory")
    parser.add_argument("--skip-vad", action="store_true", help="skip the speech-detector study")
    parser.add_argument("--vad-voices", type=int, default=2, help="voices in the detector study")
    parser.add_argument("--dir", type=Path, help="long file and cache (default: $TMPDIR)")
    parser.add_argument("--no-cache", action="store_true", help="make every mixture afresh")
    parser.add_argument(
        "--references-only", action="store_true",
        help="only make the mixtures and the engine-independent scores (fills the cache)",
    )  # fmt: skip
    parser.add_argument("--json-out", type=Path, help="also write the JSON object to this file")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.gettempdir()) / "isolde-bench"
    voices = mixtures.use_voices(args.other_voices)
    use_cache(None if args.no_cache else folder)
    methods = declared_methods()
    if args.methods:
        methods = tuple(m for m in args.methods.split(",") if m in methods)
    network = network_available()
    engine = not args.references_only

    print(f"quality (methods: auto, {', '.join(methods)})…", file=sys.stderr)
    kinds = (
        tuple(args.backgrounds.split(","))
        if args.backgrounds
        else (*BACKGROUNDS, *NEARLY_CLEAN_KINDS)
    )
    snrs = tuple(int(x) for x in args.snrs.split(",")) if args.snrs else SNRS_DB
    rows = [] if args.skip_quality else quality(args.voices, methods, network, engine, kinds, snrs)
    if not engine:
        return 0
    labels = ["auto", *methods] + ["network"] * network + ["noisereduce", "ideal"]
    result = report.summary(rows, "auto")
    per_method = {m: report.summary(rows, m) for m in labels}
    extra: dict = {
        "cores": os.cpu_count(),
        "voices": [v[0] for v in voices[: args.voices]],
        "rtf_items_mono": report.item_rtf(rows, labels),
    }
    long_rows: dict = {}
    if not args.skip_long:
        chosen = args.long_methods.split(",") if args.long_methods else ["auto", *methods]
        print(f"speed and memory on a {args.hours:g}-hour file…", file=sys.stderr)
        loop, lead = stereo_loop(args.long_hum)
        extra["long_file_hum"] = args.long_hum
        long_rows = long_file_runs(loop, lead, args.hours, chosen, folder)
    result |= report.speed_keys(long_rows, args.hours)
    if not args.skip_quality:
        print("other rates…", file=sys.stderr)
        extra["sisdri_by_rate_pink_pad_5db"] = rates_study(args.voices)
    vad = None if args.skip_vad or args.skip_quality else vad_study(args.vad_voices)
    out = dict(result)
    out["details"] = {
        "methods": labels,
        "per_method": per_method,
        "per_background": report.cell_means(rows, labels),
        "auto_chose": report.choices(rows),
        "per_item": rows,
        "long_file": long_rows,
        "long_file_hours": args.hours,
        "speech_detectors": vad,
        **extra,
    }
    if args.json_out:
        args.json_out.write_text(json.dumps(out, indent=2) + "\n")
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        report.print_tables(rows, labels, result, per_method, long_rows, args.hours, vad, extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
