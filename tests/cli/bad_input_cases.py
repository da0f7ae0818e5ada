"""A table of bad inputs for every `isolde` command, and the files they are tried on.

Shared by tests/cli/test_bad_inputs.py (most cases in-process, a few as real processes) and
tests/bench/bad_inputs_report.py (every case as a real process, with the counts). No pytest
imports here. Each case says which exit codes are documented for it (2 usage, 3 bad input,
4 key/provider) and a piece of the message that must name the problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 48_000


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]  # {placeholders} filled from the fixture files; {out} a fresh folder
    codes: frozenset[int]
    needle: str  # must appear in stderr (case-insensitive)


def _case(name: str, argv: str, codes: int | tuple[int, ...], needle: str) -> Case:
    wanted = frozenset(codes if isinstance(codes, tuple) else (codes,))
    return Case(name, tuple(argv.split("|")), wanted, needle)


# argv as "|"-separated words so that values with spaces stay whole.
CASES: list[Case] = [
    # info
    _case("info-missing", "info|{missing}", 3, "no such file"),
    _case("info-folder", "info|{dir}", 3, "folder"),
    _case("info-text", "info|{txt}", 3, "not an audio"),
    _case("info-empty", "info|{empty}", 3, "empty"),
    _case("info-bad-project", "info|{bad_project}", 3, "bad.isolde"),
    _case("info-unknown-flag", "info|{wav}|--bogus", 2, "--bogus"),
    # separate
    _case("sep-no-args", "separate", 2, "path"),
    _case("sep-missing", "separate|{missing}|--exclude|0-1|--out|{out}/t", 3, "no such file"),
    _case("sep-text", "separate|{txt}|--exclude|0-1|--out|{out}/t", 3, "not an audio"),
    _case(
        "sep-provider",
        "separate|{wav}|--exclude|0-1|--provider|no-such-engine",
        2,
        "unknown provider",
    ),
    _case("sep-format", "separate|{wav}|--exclude|0-1|--format|aiff|--out|{out}/t", 2, "aiff"),
    _case("sep-format-depth", "separate|{wav}|--exclude|0-1|--format|flac:float", 2, "flac"),
    _case("sep-mp3-kbps", "separate|{wav}|--exclude|0-1|--format|mp3:999", 2, "bitrate"),
    _case(
        "sep-mp3-192k",
        "separate|{hirate}|--exclude|0-0.5|--format|mp3|--out|{out}/t",
        3,
        "MP3 cannot store 192000 Hz",
    ),
    _case(
        "sep-mp3-6ch",
        "separate|{sixch}|--exclude|0-0.5|--format|mp3|--out|{out}/t",
        3,
        "at most 2 channels",
    ),
    _case("sep-bad-time", "separate|{wav}|--exclude|x-2|--out|{out}/t", 3, "bad time"),
    _case("sep-span-past-end", "separate|{wav}|--exclude|1-60|--out|{out}/t", 3, "after the end"),
    _case("sep-inverted-span", "separate|{wav}|--exclude|1.5-0.5|--out|{out}/t", 3, "span"),
    _case("sep-nothing", "separate|{wav}|--out|{out}/t", 3, "nothing to go on"),
    _case("sep-option-syntax", "separate|{wav}|--exclude|0-1|--option|noequals", 3, "KEY=VALUE"),
    _case(
        "sep-option-unknown",
        "separate|{wav}|--exclude|0-1|--option|bogus=1|--out|{out}/t",
        3,
        "no such option",
    ),
    _case(
        "sep-option-value",
        "separate|{wav}|--exclude|0-1|--option|reduction_db=loud|--out|{out}/t",
        3,
        "expected a number",
    ),
    _case(
        "sep-range-outside", "separate|{wav}|--exclude|0-1|--range|5-9|--out|{out}/t", 3, "--range"
    ),
    _case(
        "sep-range-garbage",
        "separate|{wav}|--exclude|0-1|--range|soon|--out|{out}/t",
        3,
        "bad range",
    ),
    _case("sep-out-is-file", "separate|{wav}|--exclude|0-1|--out|{txt}", 3, "is a file"),
    _case("sep-out-holds-input", "separate|{wav}|--exclude|0-1|--out|{base}", 3, "holds"),
    _case(
        "sep-out-foreign-folder",
        "separate|{wav}|--exclude|0-1|--out|{music}",
        3,
        "already holds other files (song.txt)",
    ),
    _case("sep-out-cwd", "separate|{wav}|--exclude|0-1|--out|.", 3, "current folder"),
    _case(
        "sep-out-is-take-of-input",
        "separate|{take}/target.wav|--exclude|0-0.5|--out|{take}",
        3,
        "holds the input",
    ),
    _case("sep-out-unwritable", "separate|{wav}|--exclude|0-1|--out|/proc/isolde-take", 3, "/proc"),
    _case(
        "sep-mask-without-video",
        "separate|{wav}|--prompt|x|--mask|{video}|--out|{out}/t",
        3,
        "--mask goes with --video",
    ),
    _case(
        "sep-video-missing",
        "separate|{wav}|--provider|fal|--video|{missing}|--out|{out}/t",
        3,
        "no such video",
    ),
    _case("sep-absurd-rate", "separate|{absurd}|--exclude|0-0.5|--out|{out}/t", 3, "Hz"),
    _case("sep-bad-project", "separate|{bad_project}|--out|{out}/t", 3, "bad.isolde"),
    _case(
        "sep-cloud-no-key", "separate|{wav}|--provider|fal|--prompt|x|--out|{out}/t", 4, "FAL_KEY"
    ),
    # inpaint
    _case("inp-no-region", "inpaint|{wav}|--out|{out}/t", 3, "--region"),
    _case("inp-region-past-end", "inpaint|{wav}|--region|1-99|--out|{out}/t", 3, "region"),
    _case("inp-seed-text", "inpaint|{wav}|--region|0.5-0.6|--seed|abc", 2, "--seed"),
    _case("inp-steps-zero", "inpaint|{wav}|--region|0.5-0.6|--steps|0", 2, "--steps"),
    _case("inp-provider", "inpaint|{wav}|--region|0.5-0.6|--provider|nope", 2, "unknown provider"),
    _case("inp-out-is-file", "inpaint|{wav}|--region|0.5-0.6|--out|{txt}", 3, "is a file"),
    _case(
        "inp-absurd-rate",
        "inpaint|{absurd}|--region|0.5-0.6|--out|{out}/t",
        3,
        "outside the 1000–768000 Hz",
    ),
    # suggest
    _case("sug-missing", "suggest|{missing}", 3, "no such file"),
    _case("sug-text", "suggest|{txt}", 3, "not an audio"),
    _case("sug-detector", "suggest|{wav}|--detector|psychic", 2, "--detector"),
    _case("sug-absurd-rate", "suggest|{absurd}", 3, "outside the 1000–768000 Hz"),
    _case("sug-bad-project", "suggest|{bad_project}", 3, "bad.isolde"),
    # remix
    _case("rmx-file-as-take", "remix|{txt}|--out|{out}/a.wav", 3, "not a take folder"),
    _case("rmx-no-take", "remix|{dir}|--out|{out}/a.wav", 3, "no take.json"),
    _case("rmx-bad-take-json", "remix|{bad_take}|--out|{out}/a.wav", 3, "not a take file"),
    _case(
        "rmx-gain-text", "remix|{take}|--residual-gain|abc|--out|{out}/a.wav", 2, "--residual-gain"
    ),
    _case("rmx-gain-nan", "remix|{take}|--target-gain|nan|--out|{out}/a.wav", 2, "--target-gain"),
    _case("rmx-gain-huge", "remix|{take}|--residual-gain|40|--out|{out}/a.wav", 2, "out of range"),
    _case("rmx-out-is-source", "remix|{take}|--out|{source}", 3, "source recording"),
    _case("rmx-out-is-target", "remix|{take}|--out|{take}/target.wav", 3, "target file"),
    _case("rmx-out-suffix", "remix|{take}|--out|{out}/a.txt", 3, ".wav, .flac or .mp3"),
    _case(
        "rmx-format-mismatch",
        "remix|{take}|--out|{out}/a.wav|--format|flac",
        3,
        "does not end in .flac",
    ),
    _case("rmx-rate-huge", "remix|{take}|--out|{out}/a.wav|--rate|3000000000", 2, "--rate"),
    _case("rmx-rate-text", "remix|{take}|--out|{out}/a.wav|--rate|fast", 2, "--rate"),
    _case("rmx-range-past-end", "remix|{take}|--range|1-50|--out|{out}/a.wav", 3, "media"),
    _case("rmx-out-folder", "remix|{take}|--out|{dir_wav}", 3, "is a folder"),
    _case("rmx-out-no-folder", "remix|{take}|--out|{out}/nowhere/a.wav", 3, "does not exist"),
    # export
    _case("exp-rate-huge", "export|{project}|--out|{out}/e.wav|--rate|3000000000", 2, "--rate"),
    _case("exp-out-is-source", "export|{project}|--out|{source}", 3, "source recording"),
    _case("exp-out-is-take-file", "export|{project}|--out|{take}/residual.wav", 3, "residual"),
    _case("exp-missing-project", "export|{missing}.isolde|--out|{out}/e.wav", 3, "no such file"),
    _case("exp-bad-project", "export|{bad_project}|--out|{out}/e.wav", 3, "bad.isolde"),
    _case("exp-what", "export|{project}|--what|everything|--out|{out}/e.wav", 2, "--what"),
    _case("exp-take-edited", "export|{take}|--what|edited|--out|{out}/e.wav", 3, "take folder"),
    _case(
        "exp-take-no-inpainted",
        "export|{take}|--what|inpainted|--out|{out}/e.wav",
        3,
        "no inpainted file",
    ),
    _case(
        "exp-take-mp3-192k",
        "export|{hitake}|--what|target|--out|{out}/e.mp3",
        3,
        "MP3 cannot store",
    ),
    _case("exp-take-out-is-own", "export|{take}|--out|{take}/target.wav", 3, "target file"),
    _case(
        "exp-unknown-take",
        "export|{project}|--what|target|--take|nope|--out|{out}/e.wav",
        3,
        "nope",
    ),
    # batch
    _case("bat-out-is-file", "batch|{wav}|--prompt|x|--out|{txt}", 3, "is a file"),
    _case(
        "bat-concurrency",
        "batch|{wav}|--prompt|x|--concurrency|0|--out|{out}/b",
        2,
        "--concurrency",
    ),
    _case(
        "bat-provider",
        "batch|{wav}|--prompt|x|--provider|nope|--out|{out}/b",
        2,
        "unknown provider",
    ),
    _case("bat-format", "batch|{wav}|--prompt|x|--format|ogg|--out|{out}/b", 2, "ogg"),
    _case("bat-missing", "batch|{wav}|{missing}|--exclude|0-1|--out|{out}/b", 3, "no such file"),
    _case("bat-nothing", "batch|{wav}|--out|{out}/b", 3, "--prompt"),
    _case("bat-absurd-rate", "batch|{absurd}|--exclude|0-0.5|--out|{out}/b", 3, "2 Hz"),
    _case(
        "bat-mp3-6ch",
        "batch|{sixch}|--exclude|0-0.5|--format|mp3|--out|{out}/b",
        3,
        "at most 2 channels",
    ),
    # jobs
    _case("jobs-no-action", "jobs", 2, "ACTION"),
    _case("jobs-cancel-unknown", "jobs|cancel|nope|--store|{out}", 3, "nope"),
    _case("jobs-store-is-file", "jobs|list|--store|{txt}", 3, "notes.txt"),
    _case("jobs-store-missing", "jobs|list|--store|{missing}", 3, "no such folder"),
    _case("exp-folder-no-take", "export|{dir}|--out|{out}/e.wav", 3, "without take.json"),
    _case("jobs-bad-project", "jobs|list|--project|{txt}", 3, "notes.txt"),
    # mask
    _case("mask-no-box", "mask|{video}|--out|{out}/m.mp4", 2, "--box"),
    _case("mask-bad-box", "mask|{video}|--box|1,2,3@0|--out|{out}/m.mp4", 3, "four numbers"),
    _case("mask-out-is-input", "mask|{video}|--box|1,1,8,8@0|--out|{video}", 3, "input video"),
    _case(
        "mask-provider",
        "mask|{video}|--box|1,1,8,8@0|--provider|nope|--out|{out}/m.mp4",
        2,
        "unknown provider",
    ),
    _case(
        "mask-threshold",
        "mask|{video}|--assist|x|--assist-threshold|2|--out|{out}/m.mp4",
        2,
        "--assist-threshold",
    ),
    _case("mask-no-picture", "mask|{wav}|--box|1,1,8,8@0|--out|{out}/m.mp4", 3, "no picture"),
    # mux
    _case("mux-out-is-video", "mux|{video}|{wav}|--out|{video}", 3, "input"),
    _case(
        "mux-out-is-audio",
        "mux|{video}|{take}/target.wav|--out|{take}/target.wav",
        3,
        "AUDIO input",
    ),
    _case("mux-missing-audio", "mux|{video}|{missing}|--out|{out}/v.mp4", 3, "no such file"),
    _case("mux-text-video", "mux|{txt}|{wav}|--out|{out}/v.mp4", 3, "notes.txt"),
    _case("mux-absurd-rate", "mux|{video}|{absurd}|--out|{out}/v.mp4", 3, "2 Hz"),
    # providers
    _case("prov-unknown-flag", "providers|--bogus", 2, "--bogus"),
    # top level
    _case("top-unknown-flag", "--bogus-flag", 2, "--bogus-flag"),
]


def _wav_with_rate(path: Path, rate: int) -> Path:
    """A WAV whose header claims `rate` (the data as for 48 kHz): a damaged or hand-made file."""
    sf.write(path, np.zeros((RATE, 1), np.float32) + 0.01, RATE, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    fmt = data.index(b"fmt ") + 8
    data[fmt + 4 : fmt + 8] = struct.pack("<I", rate)
    data[fmt + 8 : fmt + 12] = struct.pack("<I", rate * 2)
    path.write_bytes(bytes(data))
    return path


def build_fixtures(base: Path) -> dict[str, str]:
    """The files the cases name, made under `base` (a take, a project, odd files)."""
    from fakecloud.testing import make_video
    from isolde.audio import OutputFormat
    from isolde.audio.media_ref import describe_media
    from isolde.core.project import Project
    from isolde.core.spans import Span
    from isolde.jobs.runner import run_to_take
    from isolde.providers.base import Request, RequestKind
    from isolde.providers.local import LocalProvider

    base.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    fx = {"base": str(base), "missing": str(base / "missing.wav"), "dir": str(base / "folder")}
    (base / "folder").mkdir(exist_ok=True)
    (base / "folder.wav").mkdir(exist_ok=True)
    (base / "music").mkdir(exist_ok=True)
    (base / "music" / "song.txt").write_text("la la\n")
    fx["music"] = str(base / "music")
    fx["dir_wav"] = str(base / "folder.wav")
    wav = base / "speech.wav"
    sf.write(
        wav, (rng.standard_normal((2 * RATE, 2)) * 0.1).astype(np.float32), RATE, subtype="PCM_16"
    )
    fx["wav"] = str(wav)
    hirate = base / "hirate.wav"
    sf.write(hirate, (rng.standard_normal((192_000, 2)) * 0.1).astype(np.float32), 192_000)
    fx["hirate"] = str(hirate)
    sixch = base / "six.wav"
    sf.write(sixch, (rng.standard_normal((RATE, 6)) * 0.1).astype(np.float32), RATE)
    fx["sixch"] = str(sixch)
    fx["absurd"] = str(_wav_with_rate(base / "absurd.wav", 2))
    (base / "notes.txt").write_text("not audio at all\n" * 50)
    fx["txt"] = str(base / "notes.txt")
    (base / "empty.wav").write_bytes(b"")
    fx["empty"] = str(base / "empty.wav")
    (base / "bad.isolde").write_text('{"format": "isolde-project", "version": 1, "media": [')
    fx["bad_project"] = str(base / "bad.isolde")
    source = base / "source.wav"
    sf.write(
        source, (rng.standard_normal((2 * RATE, 2)) * 0.1).astype(np.float32), RATE, subtype="FLOAT"
    )
    fx["source"] = str(source)
    take = base / "take"
    spans = (Span(0, 0.5, include=False),)
    run_to_take(
        LocalProvider(), Request(RequestKind.SPANS, str(source), spans=spans), take, OutputFormat()
    )
    fx["take"] = str(take)
    hitake = base / "hitake"
    run_to_take(
        LocalProvider(),
        Request(RequestKind.SPANS, str(hirate), spans=spans),
        hitake,
        OutputFormat(),
    )
    fx["hitake"] = str(hitake)
    bad_take = base / "badtake"
    bad_take.mkdir(exist_ok=True)
    (bad_take / "take.json").write_text('{"take": 12}')
    fx["bad_take"] = str(bad_take)
    from isolde.jobs.export import read_take_dir

    project = Project.new_for_media(describe_media(str(source)))
    project.add_take(read_take_dir(take).take)
    fx["project"] = str(project.save(base / "project.isolde"))
    fx["video"] = str(make_video(base / "clip.mp4"))
    return fx


def argv_for(case: Case, fx: dict[str, str], out: Path) -> list[str]:
    return [word.format(**fx, out=out) for word in case.argv]


def hash_tree(base: Path) -> dict[str, str]:
    """sha256 of every file under `base` (what must not change)."""
    found = {}
    for root, _, files in os.walk(base):
        for name in files:
            path = Path(root, name)
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@dataclass(frozen=True)
class Outcome:
    case: Case
    code: int
    err: str

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.err

    @property
    def documented(self) -> bool:
        return self.code in self.case.codes

    @property
    def named(self) -> bool:
        return self.case.needle.lower() in self.err.lower()


def quiet_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a case process: no cloud keys, no OS keyring."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_KEY", "_API_KEY"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return {**env, **(extra or {})}


def start_case(case: Case, fx: dict[str, str], out: Path, env: dict[str, str]) -> subprocess.Popen:
    out.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "isolde", *argv_for(case, fx, out)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_all(
    cases: list[Case], fx: dict[str, str], out_root: Path, env: dict[str, str], parallel: int = 4
) -> list[Outcome]:
    """Every case as a real `python -m isolde` process, `parallel` at a time."""
    outcomes: list[Outcome] = []
    pending = list(enumerate(cases))
    running: list[tuple[Case, subprocess.Popen]] = []
    while pending or running:
        while pending and len(running) < parallel:
            i, case = pending.pop(0)
            running.append((case, start_case(case, fx, out_root / f"{i:03d}", env)))
        case, proc = running.pop(0)
        _, err = proc.communicate(timeout=120)
        outcomes.append(Outcome(case, proc.returncode, err))
    return outcomes


def summary(outcomes: list[Outcome], changed: int) -> dict[str, int]:
    return {
        "cases": len(outcomes),
        "tracebacks": sum(o.traceback for o in outcomes),
        "undocumented_exit_codes": sum(not o.documented for o in outcomes),
        "messages_missing": sum(not o.named for o in outcomes),
        "inputs_changed": changed,
    }


if __name__ == "__main__":  # pragma: no cover - a quick look: python bad_input_cases.py
    print(json.dumps([c.name for c in CASES]))
