"""Running a request to a stored take: all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from isolde.audio import OutputFormat
from isolde.core.errors import Cancelled, ValidationError
from isolde.core.progress import CancelToken
from isolde.core.spans import Span
from isolde.jobs.runner import run_to_take
from isolde.providers.base import JobEvent, Request, RequestKind
from isolde.providers.local import LocalProvider


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    path = tmp_path / "in.wav"
    sf.write(path, (rng.standard_normal((48000 * 4, 2)) * 0.1).astype(np.float32), 48000)
    return path


def test_take_records_provenance(wav: Path, tmp_path: Path) -> None:
    events: list[JobEvent] = []
    request = Request(RequestKind.SPANS, str(wav), spans=(Span(0, 1, include=False),))
    outcome = run_to_take(
        LocalProvider(), request, tmp_path / "o", OutputFormat(), on_event=events.append
    )
    doc = json.loads(outcome.take_file.read_text())
    assert doc["take"]["files"] == {"target": "target.wav", "residual": "residual.wav"}
    assert doc["take"]["endpoint"] == outcome.take.endpoint
    assert doc["media"]["path"] == str(wav)
    assert events and events[-1].state == "done"


def _cancel_while_running(wav: Path, out: Path) -> None:
    """Run into `out` and cancel as soon as the engine runs."""
    cancel = CancelToken()

    def on_event(event: JobEvent) -> None:
        if event.state == "running":
            cancel.cancel()

    request = Request(RequestKind.SPANS, str(wav), spans=(Span(0, 1, include=False),))
    with pytest.raises(Cancelled):
        run_to_take(LocalProvider(), request, out, OutputFormat(), on_event=on_event, cancel=cancel)


def test_cancel_leaves_no_take(wav: Path, tmp_path: Path) -> None:
    _cancel_while_running(wav, tmp_path / "new" / "o")
    # The folders the run created are taken away again; the one that was there stays.
    assert list(tmp_path.iterdir()) == [wav]


def test_cancel_keeps_a_folder_that_was_there(wav: Path, tmp_path: Path) -> None:
    empty, full = tmp_path / "empty", tmp_path / "full"
    empty.mkdir()
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    _cancel_while_running(wav, empty)
    _cancel_while_running(wav, full / "new")
    assert empty.is_dir() and list(empty.iterdir()) == []
    assert [p.name for p in full.iterdir()] == ["notes.txt"]


def test_invalid_request_fails_before_any_file(wav: Path, tmp_path: Path) -> None:
    request = Request(RequestKind.VISUAL, str(wav))
    with pytest.raises(ValidationError) as exc:
        run_to_take(LocalProvider(), request, tmp_path / "o", OutputFormat())
    assert "kind" in exc.value.problems
    assert not (tmp_path / "o").exists()
