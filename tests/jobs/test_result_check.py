"""The result check on synthetic takes (real files), stored with the take and in the project."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio import OutputFormat
from isolde.core.project import Project
from isolde.core.spans import Span
from isolde.core.takes import Take
from isolde.jobs.result_check import check_take_files, frame_energies
from isolde.jobs.runner import run_to_take
from isolde.providers.base import Request, RequestKind
from isolde.providers.local import LocalProvider

RATE = 44_100
INCLUDE, EXCLUDE = Span(1.0, 2.0, include=True), Span(3.0, 4.0, include=False)


def tone_over_hiss(seconds: float = 5.0) -> np.ndarray:
    """Stereo: faint hiss throughout, a loud 220 Hz tone from 1 s to 2 s."""
    t = np.arange(int(seconds * RATE)) / RATE
    x = 0.02 * np.random.default_rng(3).standard_normal(t.size)
    inside = (t >= 1.0) & (t < 2.0)
    x[inside] += 0.5 * np.sin(2 * np.pi * 220 * t[inside])
    return np.stack([x, 0.8 * x], axis=1).astype(np.float32)


def write(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    sf.write(path, samples, rate, subtype="FLOAT")
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write(tmp_path / "source.wav", tone_over_hiss())


def codes(checks: dict) -> list[str]:
    return [p["code"] for p in checks["problems"]]


def test_a_good_target_has_no_problems(source: Path, tmp_path: Path) -> None:
    x = tone_over_hiss()
    target = x.copy()
    target[: RATE * 1] = 0  # only the tone: nothing before 1 s or after 2 s
    target[RATE * 2 :] = 0
    checks = check_take_files(write(tmp_path / "t.wav", target), source, (INCLUDE, EXCLUDE))
    assert codes(checks) == []
    m = checks["measures"]
    assert m["include_kept_db"] == pytest.approx(0.0, abs=0.1)
    assert m["exclude_db"] == -200.0  # all zeros in the exclude span


def test_a_silent_target_is_reported_in_the_users_words(source: Path, tmp_path: Path) -> None:
    silent = np.full((RATE * 5, 2), 1e-5, dtype=np.float32)
    checks = check_take_files(write(tmp_path / "t.wav", silent), source, (INCLUDE,))
    assert codes(checks) == ["silent"]
    message = checks["problems"][0]["message"]
    assert message.startswith("the target is nearly silent inside your include spans")
    assert "try another prompt or engine" in message
    # Without spans the wording does not mention them.
    plain = check_take_files(write(tmp_path / "t.wav", silent), source)
    assert plain["problems"][0]["message"].startswith("the target is nearly silent throughout")


def test_a_target_silent_only_inside_the_include_spans(source: Path, tmp_path: Path) -> None:
    target = tone_over_hiss()
    target[RATE * 1 : RATE * 2] *= 1e-3  # the tone gone, the hiss elsewhere kept
    checks = check_take_files(write(tmp_path / "t.wav", target), source, (INCLUDE,))
    assert codes(checks) == ["silent_include"]
    # The usual cause: the stretch was marked with the include tool (the default) but holds
    # only what should go; the message says how to mend that.
    message = checks["problems"][0]["message"]
    assert "flip them to exclude spans" in message and "try another prompt or engine" in message


def test_a_target_that_leaks_into_the_exclude_spans(source: Path, tmp_path: Path) -> None:
    target = tone_over_hiss()  # the whole source came back as the target
    checks = check_take_files(write(tmp_path / "t.wav", target), source, (INCLUDE, EXCLUDE))
    assert codes(checks) == ["leak"]
    assert "leaks into your exclude spans" in checks["problems"][0]["message"]
    assert checks["measures"]["exclude_kept_db"] == pytest.approx(0.0, abs=0.1)
    target[RATE * 3 : RATE * 4] *= 0.05  # -26 dB there: no longer a leak
    again = check_take_files(write(tmp_path / "t.wav", target), source, (INCLUDE, EXCLUDE))
    assert codes(again) == []


def test_an_echo_the_engine_kept_at_a_span_start_is_no_leak(tmp_path: Path) -> None:
    """The local engine keeps a voice's fading echo at the start of an exclude span with the
    voice (it names those stretches in its details); the rest of the span it clears."""
    t = np.arange(5 * RATE) / RATE
    x = 0.002 * np.random.default_rng(4).standard_normal(t.size)
    echo = (t >= 3.0) & (t < 3.3)
    x[echo] += 0.3 * np.exp(-(t[echo] - 3.0) / 0.05) * np.sin(2 * np.pi * 300 * t[echo])
    source = write(tmp_path / "source.wav", x[:, None].astype(np.float32))
    target = x.copy()
    target[(t >= 3.3) & (t < 4.0)] = 0
    kept = write(tmp_path / "t.wav", target[:, None].astype(np.float32))
    assert codes(check_take_files(kept, source, (EXCLUDE,))) == ["leak"]
    checks = check_take_files(kept, source, (EXCLUDE,), echoes=[(3.0, 3.3)])
    assert codes(checks) == [] and checks["measures"]["exclude_db"] == -200.0


def test_a_target_kept_outside_rather_than_inside_the_includes(
    source: Path, tmp_path: Path
) -> None:
    target = tone_over_hiss()
    target[RATE * 1 : RATE * 2] *= 0.1  # -20 dB inside, untouched outside
    checks = check_take_files(write(tmp_path / "t.wav", target), source, (INCLUDE,))
    assert codes(checks) == ["outside_louder"]


def test_only_the_selection_is_judged(source: Path, tmp_path: Path) -> None:
    target = np.zeros((RATE * 5, 2), dtype=np.float32)
    target[RATE * 1 : RATE * 2] = tone_over_hiss()[RATE * 1 : RATE * 2]
    path = write(tmp_path / "t.wav", target)
    assert codes(check_take_files(path, source, selection=(1.0, 2.0))) == []
    assert codes(check_take_files(path, source, selection=(2.5, 4.5))) == ["silent"]


def test_a_silent_source_gives_nothing_to_judge(tmp_path: Path) -> None:
    quiet = write(tmp_path / "q.wav", np.zeros((RATE, 1), dtype=np.float32))
    checks = check_take_files(quiet, quiet, (Span(0.1, 0.5),))
    assert codes(checks) == [] and checks["measures"]["kept_db"] is None


def test_files_at_other_rates_and_channels_line_up_by_time(tmp_path: Path) -> None:
    t48 = np.arange(48_000 * 2) / 48_000
    mono48 = (0.5 * np.sin(2 * np.pi * 220 * t48)).astype(np.float32)[:, None]
    e48 = frame_energies(write(tmp_path / "a.wav", mono48, 48_000))
    e44 = frame_energies(write(tmp_path / "b.wav", tone_over_hiss(2.0)))
    assert len(e48) == len(e44) == 100  # 20 ms frames


def test_the_local_engine_stores_its_check_in_take_json_and_the_project(
    source: Path, tmp_path: Path
) -> None:
    request = Request(RequestKind.SPANS, str(source), spans=(INCLUDE, EXCLUDE))
    outcome = run_to_take(LocalProvider(), request, tmp_path / "o", OutputFormat())
    doc = json.loads(outcome.take_file.read_text())
    stored = doc["take"]["checks"]
    assert stored["version"] == 1 and stored["problems"] == []
    assert stored["measures"]["include_kept_db"] > -3.0
    assert Take.from_json(doc["take"]).checks == outcome.take.checks

    from isolde.audio.media_ref import describe_media

    project = Project.new_for_media(describe_media(str(source)))
    project.add_take(outcome.take.resolved(tmp_path / "o"))
    path = project.save(tmp_path / "p.isolde")
    loaded = Project.load(path).state.takes[0]
    assert loaded.checks == outcome.take.checks
    assert loaded.problems == []


def test_a_wrong_include_is_flagged_for_the_local_engine(source: Path, tmp_path: Path) -> None:
    # The include marks only faint hiss while a loud tone sits elsewhere: the spectral engine
    # keeps little of the hiss where the user said the sound is.
    request = Request(RequestKind.SPANS, str(source), spans=(Span(3.0, 4.0),))
    outcome = run_to_take(LocalProvider(), request, tmp_path / "o", OutputFormat())
    found = [p["code"] for p in outcome.take.checks["problems"]]
    assert found and found[0] in ("silent_include", "outside_louder")
    assert outcome.take.problems[0].startswith("the target ")


def test_takes_made_before_the_check_read_and_write_as_before() -> None:
    data = {
        "id": "t1",
        "kind": "separate",
        "provider": "local",
        "endpoint": "local/x",
        "created_at": "2026-01-01T00:00:00Z",
        "files": {"target": "target.wav"},
    }
    take = Take.from_json(data)
    assert take.checks == {} and take.problems == [] and take.predicted_spans == []
    assert "checks" not in take.to_json()
