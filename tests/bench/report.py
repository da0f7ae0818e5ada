"""Figures and tables of the offline-engine benchmark, from its per-item rows
({name, kind, snr, scores: {label: SI-SDRi dB}, chose})."""

from __future__ import annotations

from collections import Counter

import numpy as np
from mixtures import (
    BABBLE_BACKGROUNDS,
    BACKGROUNDS,
    MUSIC_BACKGROUNDS,
    NEARLY_CLEAN,
    NEARLY_CLEAN_KINDS,
    NOISE_BACKGROUNDS,
    SNRS_DB,
)

# key: (limit, "min" or "max"); the issue's figures, held by the default method (`auto`)
TARGETS = {
    "sisdri_noise_0db": (16.0, "min"),
    "sisdri_music_0db": (13.0, "min"),
    "sisdri_babble_0db": (10.0, "min"),
    "margin_over_noisereduce": (5.5, "min"),
    "items_worse_than_input": (0, "max"),
    "items_below_noisereduce_1db": (0, "max"),
    "nearly_clean_worst_db": (-0.5, "min"),
    "rtf_48k_stereo": (0.10, "max"),
    "rtf_48k_stereo_spectral": (0.03, "max"),
    "peak_rss_mb": (600.0, "max"),
}
GROUPS = {"noise": NOISE_BACKGROUNDS, "music": MUSIC_BACKGROUNDS, "babble": BABBLE_BACKGROUNDS}


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def summary(rows: list[dict], label: str) -> dict:
    """The issue's figures for one method (label): group means at 0 dB, the grid's mean and its
    margin over noisereduce, items below their input and > 1 dB below noisereduce, the nearly
    clean worst case, and the grid's worst item."""
    grid = [r for r in rows if r["kind"] in BACKGROUNDS and label in r["scores"]]
    out: dict = {
        f"sisdri_{g}_0db": _mean(
            [r["scores"][label] for r in grid if r["kind"] in kinds and r["snr"] == 0]
        )
        for g, kinds in GROUPS.items()
    }
    out["sisdri_mean"] = _mean([r["scores"][label] for r in grid])
    out["noisereduce_mean"] = _mean([r["scores"]["noisereduce"] for r in grid])
    if out["sisdri_mean"] is not None and out["noisereduce_mean"] is not None:
        out["margin_over_noisereduce"] = out["sisdri_mean"] - out["noisereduce_mean"]
    out["items_worse_than_input"] = sum(r["scores"][label] < 0 for r in grid) if grid else None
    out["items_below_noisereduce_1db"] = (
        sum(r["scores"][label] < r["scores"]["noisereduce"] - 1 for r in grid) if grid else None
    )
    clean = [r for r in rows if r["kind"].startswith(NEARLY_CLEAN) and label in r["scores"]]
    worst_clean = min(clean, key=lambda r: r["scores"][label], default=None)
    out["nearly_clean_worst_db"] = worst_clean["scores"][label] if worst_clean else None
    worst = min(grid, key=lambda r: r["scores"][label], default=None)
    out["worst_item"] = f"{worst['name']} {worst['scores'][label]:.2f}" if worst else None
    return out


def speed_keys(long_rows: dict, hours: float) -> dict:
    """RTF of `auto` and each method on the long file, and the highest peak memory of any."""
    out: dict = {"rtf_48k_stereo": None, "rtf_48k_stereo_spectral": None, "peak_rss_mb": None}
    peaks = []
    for method, row in long_rows.items():
        if "rtf" in row:
            key = "rtf_48k_stereo" if method == "auto" else f"rtf_48k_stereo_{method}"
            out[key] = round(float(row["rtf"]), 4)
            peaks.append(float(row["peak_mb"]))
    out["peak_rss_mb"] = round(max(peaks), 1) if peaks else None
    out["long_file_hours"] = hours
    return out


def cell_means(rows: list[dict], labels: list[str]) -> dict[str, float]:
    cells: dict[str, list[float]] = {}
    for r in rows:
        for label in labels:
            if label in r["scores"]:
                cells.setdefault(f"{label}/{r['kind']}/{r['snr']:g}dB", []).append(
                    r["scores"][label]
                )
    return {k: round(float(np.mean(v)), 3) for k, v in cells.items()}


def item_rtf(rows: list[dict], labels: list[str]) -> dict[str, float]:
    """Mean RTF per engine method over the short items (mono, in-process, files included)."""
    out = {m: _mean([r["rtf"][m] for r in rows if m in r.get("rtf", {})]) for m in labels}
    return {m: round(v, 4) for m, v in out.items() if v is not None}


def choices(rows: list[dict]) -> dict[str, dict[str, int]]:
    """What `auto` chose, per background."""
    out: dict[str, Counter] = {}
    for r in rows:
        out.setdefault(r["kind"], Counter())[r["chose"]] += 1
    return {k: dict(v) for k, v in out.items()}


def verdict(key: str, value: float | None) -> str:
    if value is None:
        return "not measured"
    limit, kind = TARGETS[key]
    ok = value >= limit if kind == "min" else value <= limit
    return f"{'met' if ok else 'NOT MET'} ({'≥' if kind == 'min' else '≤'} {limit:g})"


def _cells(values: list[float | None], width: int) -> str:
    return " ".join(f"{'—':>{width}}" if v is None else f"{v:{width}.2f}" for v in values)


def _count(value: int | None) -> str:
    """A count, or a dash where the grid had no items (e.g. only the nearly clean case ran)."""
    return "—" if value is None else str(value)


def print_quality(rows: list[dict], labels: list[str]) -> None:
    voices = len({r["name"].split("/")[0] for r in rows})
    print(f"SI-SDR improvement, dB (mean over {voices} voices; `auto` is the engine's default)")
    print(f"{'background':<18} {'SNR':>3} " + " ".join(f"{x[:11]:>11}" for x in labels)
          + "  auto chose")  # fmt: skip
    kinds = [*BACKGROUNDS, NEARLY_CLEAN, f"{NEARLY_CLEAN} unmarked", *NEARLY_CLEAN_KINDS[1:]]
    for kind in kinds:
        for snr in sorted({r["snr"] for r in rows if r["kind"] == kind}):
            cell = [r for r in rows if r["kind"] == kind and r["snr"] == snr]
            means = [_mean([r["scores"][x] for r in cell if x in r["scores"]]) for x in labels]
            chose = Counter(r["chose"] for r in cell)
            said = ", ".join(f"{m} {n}" for m, n in chose.most_common())
            print(f"{kind:<18} {snr:>3g} {_cells(means, 11)}  {said}")
            if kind.startswith(NEARLY_CLEAN):
                worst = [min((r["scores"][x] for r in cell if x in r["scores"]), default=None)
                         for x in labels]  # fmt: skip
                print(f"{'  worst item':<18} {'':>3} {_cells(worst, 11)}")
    for name, kinds_ in GROUPS.items():
        cell = [r for r in rows if r["kind"] in kinds_ and r["snr"] == 0]
        means = [_mean([r["scores"][x] for r in cell if x in r["scores"]]) for x in labels]
        print(f"{'= ' + name:<18} {0:>3} {_cells(means, 11)}")
    grid = [r for r in rows if r["kind"] in BACKGROUNDS]
    means = [_mean([r["scores"][x] for r in grid if x in r["scores"]]) for x in labels]
    print(f"{'= all (grid)':<18} {'*':>3} {_cells(means, 11)}")


def print_methods(per_method: dict[str, dict]) -> None:
    print("Per method (grid = backgrounds × SNRs " + "/".join(map(str, SNRS_DB)) + " dB)")
    print(f"{'method':<12} {'noise 0':>8} {'music 0':>8} {'babble 0':>8} {'mean':>7} "
          f"{'vs NR':>7} {'<input':>6} {'<NR-1':>6} {'clean worst':>11}  worst item")  # fmt: skip
    for label, s in per_method.items():
        vals = [s["sisdri_noise_0db"], s["sisdri_music_0db"], s["sisdri_babble_0db"]]
        margin = s.get("margin_over_noisereduce")
        clean = s["nearly_clean_worst_db"]
        print(
            f"{label:<12} {_cells(vals, 8)} {_cells([s['sisdri_mean']], 7)} "
            f"{'—' if margin is None else f'{margin:+.2f}':>7} "
            f"{_count(s['items_worse_than_input']):>6} "
            f"{_count(s['items_below_noisereduce_1db']):>6} "
            f"{'—' if clean is None else f'{clean:+.2f}':>11}  {s['worst_item']}"
        )


def print_tables(
    rows: list[dict],
    labels: list[str],
    result: dict,
    per_method: dict[str, dict],
    long_rows: dict,
    hours: float,
    vad: dict | None,
    extra: dict,
) -> None:
    if rows:
        print_quality(rows, labels)
        failed = [(r["name"], m, e) for r in rows for m, e in r.get("errors", {}).items()]
        if failed:
            print(f"{len(failed)} engine runs failed (left out of the means); first: {failed[0]}")
        print()
        print_methods(per_method)
        said = ", ".join(f"{m} {v:.3f}" for m, v in item_rtf(rows, labels).items())
        print(f"RTF on the items (mono, ~17 s, through files, in-process): {said}")
        print()
    if long_rows:
        hum = ", with 50 Hz mains hum" if extra.get("long_file_hum") else ""
        print(f"Long file: {hours:g} h of 48 kHz stereo 16-bit{hum}, fresh process per method")
        print(f"{'method':<10} {'RTF':>7} {'seconds':>8} {'peak MB':>8} {'engine':>7} "
              f"{'worker':>7}  engine says")  # fmt: skip
        for method, r in long_rows.items():
            if "error" in r:
                print(f"{method:<10} failed: {r['error']}")
                continue
            print(f"{method:<10} {r['rtf']:7.4f} {r['seconds']:8.1f} {r['peak_mb']:8.1f} "
                  f"{r['engine_mb']:7.1f} {r['worker_mb']:7.1f}  {r['engine_says']}")  # fmt: skip
        print()
    print("Targets (the engine's default, `auto`)")
    for key in TARGETS:
        value = result.get(key)
        shown = "—" if value is None else f"{value:.4g}"
        print(f"{key:<28} {shown:>10}   {verdict(key, value)}")
    if result["noisereduce_mean"] is not None:
        print(f"{'noisereduce_mean':<28} {result['noisereduce_mean']:>10.4g}")
        print(f"{'worst item':<28} {result['worst_item']}")
    for key, value in extra.items():
        print(f"  {key}: {value}")
    if vad:
        print()
        print("speech detectors (suggested spans, 5 dB)")
        print(f"{'detector':<9} {'accuracy':>9} {'speech in excl':>15} {'free covered':>13} "
              f"{'SI-SDRi':>8} {'RTF':>7}")  # fmt: skip
        for name, r in vad.items():
            print(
                f"{name:<9} {r['accuracy']:9.3f} {r['speech_in_exclude']:15.3f} "
                f"{r['speech_free_covered']:13.3f} {r['sisdri_with_suggested']:8.2f} "
                f"{r['rtf']:7.4f}"
            )
