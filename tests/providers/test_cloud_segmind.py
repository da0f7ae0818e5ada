"""Segmind against the fake cloud: the synchronous call, the local residual, credits, chunks."""

from __future__ import annotations

import base64
import io
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fakecloud import FakeCloud
from fakecloud.testing import fast, noise, read, write_wav
from isolde.core.errors import Cancelled, ValidationError
from isolde.core.progress import CancelToken
from isolde.providers.base import JobEvent, Request, RequestKind
from isolde.providers.errors import (
    AuthError,
    NoCreditsError,
    ProtocolError,
    RemoteValidationError,
    ServerUnavailableError,
    SubmissionUnknownError,
)
from isolde.providers.segmind import SegmindProvider

TEXT = RequestKind.TEXT


@pytest.fixture
def segmind(cloud: FakeCloud) -> SegmindProvider:
    return fast(SegmindProvider())


@pytest.fixture
def stereo(tmp_path: Path) -> Path:
    """44.1 kHz stereo 16-bit: Segmind's 48 kHz mono answer must be matched to it."""
    return write_wav(tmp_path / "in.wav", noise(3.0, 44_100, channels=2), 44_100, "PCM_16")


def calls(cloud: FakeCloud) -> list:
    return cloud.hits_to("/segmind/v1/sam-audio-large", "POST")


def test_one_call_and_a_residual_computed_here(segmind, cloud, stereo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events: list[JobEvent] = []
    options = {"reranking_candidates": "6", "output_format": "wav"}
    request = Request(TEXT, str(stereo), prompt="a man speaking", options=options)
    result = segmind.run(request, tmp_path / "w", on_event=events.append)
    [hit] = calls(cloud)
    assert hit.json["description"] == "a man speaking" and hit.json["reranking_candidates"] == 6
    assert hit.json["output_format"] == "wav" and set(hit.json) == {
        "audio",
        "description",
        "output_format",
        "reranking_candidates",
    }
    assert hit.headers["x-api-key"] == "<set>" and "authorization" not in hit.headers
    x, _ = read(stereo)
    target, rate = read(result.files["target"])
    residual, _ = read(result.files["residual"])
    assert rate == 44_100 and target.shape == x.shape  # rate, channels and length matched
    np.testing.assert_allclose(target + residual, x, atol=1e-6)
    np.testing.assert_allclose(target[:, 0], target[:, 1])  # the mono target on both sides
    assert result.details["remaining_credits"] == "99.00"
    assert any(e.state == "log" and "credits left: 99.00" in e.message for e in events)
    assert result.provider_request_id.startswith("sg-") and result.cost_usd == 0.062
    assert events[-1].state == "done"


def test_audio_goes_inline_as_base64_flac(segmind, cloud, stereo, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sent: dict = {}
    from isolde.providers.net.session import HttpSession

    original = HttpSession.request

    def spy(self, method, url, **kw):  # type: ignore[no-untyped-def]
        if kw.get("json"):
            sent.update(kw["json"])
        return original(self, method, url, **kw)

    monkeypatch.setattr(HttpSession, "request", spy)
    segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w")
    data, rate = sf.read(io.BytesIO(base64.b64decode(sent["audio"])), always_2d=True)
    info = sf.info(io.BytesIO(base64.b64decode(sent["audio"])))
    assert info.format == "FLAC" and rate == 44_100 and data.shape == (3 * 44_100, 2)


def test_mp3_answer(segmind, cloud, stereo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    request = Request(TEXT, str(stereo), prompt="x", options={"output_format": "mp3"})
    result = segmind.run(request, tmp_path / "w")
    assert read(result.files["target"])[0].shape == read(stereo)[0].shape
    assert list((tmp_path / "w").glob("engine-target.mp3"))


def test_long_input_is_sent_in_crossfaded_pieces(segmind, cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    x = noise(12.0, 16_000, channels=1, seed=4)
    media = write_wav(tmp_path / "long.wav", x, 16_000)
    options = {"max_chunk_duration": "5", "chunk_overlap": "1"}
    request = Request(TEXT, str(media), prompt="x", options=options)
    assert segmind.estimate_cost(request, 12.0) == 3 * 0.062
    result = segmind.run(request, tmp_path / "w")
    assert len(calls(cloud)) == 3
    target, _ = read(result.files["target"])
    residual, _ = read(result.files["residual"])
    np.testing.assert_allclose(target + residual, x, atol=1e-6)
    assert result.cost_usd == round(3 * 0.062, 4) and len(result.details["parts"]) == 3


def test_a_piece_too_big_to_send_inline(segmind, cloud, stereo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    segmind.inline_limit = 10_000
    with pytest.raises(ValidationError) as exc:
        segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w")
    assert "lower max_chunk_duration" in exc.value.problems["option max_chunk_duration"]
    assert calls(cloud) == []


def test_no_credits(segmind, cloud, stereo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.segmind_credits = 0
    with pytest.raises(NoCreditsError, match="not enough credits"):
        segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w")


def test_bad_key(segmind, cloud, stereo, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SEGMIND_API_KEY", "not-the-key-42")
    with pytest.raises(AuthError) as exc:
        segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w")
    assert "SEGMIND_API_KEY" in str(exc.value) and "not-the-key-42" not in str(exc.value)


def test_rate_limit_and_gateway_errors_are_retried(segmind, cloud, stereo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.retry_after = None  # Segmind sends no Retry-After: our backoff applies
    cloud.faults.script["segmind.run"] = [429, 502, 503]
    result = segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w")
    assert len(calls(cloud)) == 4 and result.files["target"].exists()


def test_server_errors(segmind, cloud, stereo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["segmind.run"] = [500]
    with pytest.raises(ServerUnavailableError, match="500"):
        segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w")
    cloud.faults.script["segmind.run"] = [400]
    with pytest.raises(RemoteValidationError):
        segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w")


def test_connection_lost_after_sending_is_not_resent(segmind, cloud, stereo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["segmind.run"] = ["drop"]
    events: list[JobEvent] = []
    with pytest.raises(SubmissionUnknownError, match="not send it again"):
        segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w", on_event=events.append)
    assert len(calls(cloud)) == 1 and events[-1].state == "unknown"


def test_json_instead_of_audio(segmind, cloud, stereo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["segmind.run"] = ["malformed"]
    with pytest.raises(ProtocolError, match="expected audio"):
        segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w")


def test_cancel_during_the_synchronous_call(segmind, cloud, stereo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.segmind_delay_s = 3.0
    cancel = CancelToken()
    threading.Timer(0.2, cancel.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        segmind.run(Request(TEXT, str(stereo), prompt="x"), tmp_path / "w", cancel=cancel)
    assert time.monotonic() - started < 1.0


def test_segmind_needs_a_prompt(segmind, cloud, stereo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="prompt"):
        segmind.validate(Request(TEXT, str(stereo), prompt=""), 3.0)
    with pytest.raises(ValidationError, match="kind"):
        segmind.validate(Request(RequestKind.SPANS, str(stereo), prompt="x"), 3.0)
