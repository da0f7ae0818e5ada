"""AudioLasso against the fake cloud: upload by file_id, span hints, SSE status, faults, chunks."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from fakecloud import FakeCloud
from fakecloud.testing import fast, noise, read, write_wav
from isolde.core.errors import Cancelled, ValidationError
from isolde.core.progress import CancelToken
from isolde.core.spans import Span
from isolde.providers.audiolasso import AudioLassoProvider
from isolde.providers.base import JobEvent, Request, RequestKind
from isolde.providers.errors import (
    AuthError,
    JobFailedError,
    RemoteValidationError,
    ResultExpiredError,
    ServerUnavailableError,
    SubmissionUnknownError,
)

TEXT, SPANS = RequestKind.TEXT, RequestKind.SPANS


@pytest.fixture
def lasso(cloud: FakeCloud) -> AudioLassoProvider:
    return fast(AudioLassoProvider())


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "take 1.wav", noise(3.0, 48000, channels=2))


def submits(cloud: FakeCloud) -> list:
    return cloud.hits_to("/v1/queue/audio/separate", "POST")


def test_upload_submit_stream_and_result(lasso, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    spans = (Span(0.5, 1.0, True), Span(2.0, 2.5, False))
    events: list[JobEvent] = []
    request = Request(SPANS, str(wav), prompt="isolate the lead vocal", spans=spans)
    result = lasso.run(request, tmp_path / "w", on_event=events.append)
    assert cloud.hits_to("/audiolasso/v1/files", "POST")
    [put] = cloud.hits_to("/audiolasso-upload/", "PUT")
    assert "authorization" not in put.headers  # the signed URL gets no key
    assert put.headers["x-upload-token"].startswith("tok-file_")
    assert put.headers["content-type"] == "audio/wav"
    assert int(put.headers["content-length"]) == wav.stat().st_size
    [submit] = submits(cloud)
    assert set(submit.json) == {"input"}
    assert submit.json["input"]["prompt"] == "isolate the lead vocal"
    assert submit.json["input"]["file_id"].startswith("file_")
    assert submit.json["input"]["spans"] == [
        {"start": 0.5, "end": 1.0, "include": True},
        {"start": 2.0, "end": 2.5, "include": False},
    ]
    assert cloud.hits_to("/status/stream") and not cloud.hits_to("/status", "GET")[1:]
    assert cloud.hits_to("/status/stream")[0].query == {"logs": "true"}
    x, _ = read(wav)
    target, rate = read(result.files["target"])
    residual, _ = read(result.files["residual"])
    assert rate == 48000
    np.testing.assert_allclose(target[:, 0] + residual[:, 0], x.mean(axis=1), atol=1e-6)
    assert [e.message for e in events if e.state == "log"] == ["loading the model", "separating"]
    assert events[-1].state == "done" and result.provider_request_id.startswith("req_")


def test_stream_closing_early_falls_back_to_polling(lasso, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.sse_close_early = 100
    cloud.faults.queue_positions = [0, 0, 0]
    result = lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    assert cloud.hits_to("/status", "GET") and result.files["target"].exists()
    polls = [h for h in cloud.hits_to("/status", "GET") if h.path.endswith("/status")]
    assert polls and polls[0].query == {"logs": "true"}


def test_polling_only(lasso, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lasso.use_stream = False
    cloud.faults.script["al.status"] = [502, "malformed"]
    result = lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    assert not cloud.hits_to("/status/stream") and result.files["residual"].exists()


def test_a_failed_job_says_why(lasso, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.job_fails = "no sound matched the prompt"
    events: list[JobEvent] = []
    with pytest.raises(JobFailedError, match="no sound matched the prompt") as exc:
        lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w", on_event=events.append)
    assert exc.value.reason == "no sound matched the prompt"


def test_expired_result(lasso, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.result_expired = True
    with pytest.raises(ResultExpiredError, match="result_expired"):
        lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")


def test_only_502_and_network_errors_are_retried(lasso, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["al.files"] = [502, "drop"]
    lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    assert len(cloud.hits_to("/audiolasso/v1/files", "POST")) == 3
    cloud.faults.script["al.files"] = [503]
    with pytest.raises(ServerUnavailableError, match="503"):
        lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w2")


def test_submit_state_unknown(lasso, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["al.submit"] = ["drop"]
    with pytest.raises(SubmissionUnknownError):
        lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    assert len(submits(cloud)) == 1


def test_error_envelope_names_the_field(lasso, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["al.submit"] = [400]
    with pytest.raises(RemoteValidationError, match="scripted"):
        lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    cloud.faults.audiolasso_max_s = 1.0
    with pytest.raises(RemoteValidationError) as exc:
        lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w2")
    assert "max_chunk_duration" in str(exc.value)


def test_bad_key(lasso, cloud, wav, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AUDIOLASSO_API_KEY", "nope-nope-77")
    with pytest.raises(AuthError, match="AUDIOLASSO_API_KEY"):
        lasso.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")


def test_long_audio_goes_in_pieces_within_the_engine_limit(lasso, cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.audiolasso_max_s = 6.0
    x = noise(15.0, 16_000, channels=1, seed=8)
    media = write_wav(tmp_path / "long.wav", x, 16_000)
    spans = (Span(1.0, 2.0, True), Span(12.0, 13.0, False))
    options = {"max_chunk_duration": "6", "chunk_overlap": "1"}
    result = lasso.run(
        Request(SPANS, str(media), prompt="x", spans=spans, options=options), tmp_path / "w"
    )
    assert len(submits(cloud)) == 3
    hinted = [h.json["input"].get("spans") for h in submits(cloud)]
    assert hinted[0] == [{"start": 1.0, "end": 2.0, "include": True}] and hinted[1] is None
    target, _ = read(result.files["target"])
    residual, _ = read(result.files["residual"])
    np.testing.assert_allclose(target + residual, x, atol=1e-6)


def test_cancel_while_queued(lasso, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.queue_positions = [0] * 500
    cloud.faults.step_s = 0.02
    cancel = CancelToken()
    seen: list[float] = []

    def on_event(event: JobEvent) -> None:
        if event.state == "queued" and not seen:
            seen.append(time.monotonic())
            cancel.cancel()

    with pytest.raises(Cancelled):
        lasso.run(
            Request(TEXT, str(wav), prompt="x"), tmp_path / "w", on_event=on_event, cancel=cancel
        )
    assert time.monotonic() - seen[0] < 1.0


def test_no_cancel_endpoint_is_reported() -> None:
    from isolde.providers.base import Submission

    sub = Submission("audiolasso", "audio/separate", "r", "https://a/s", "https://a/r")
    assert AudioLassoProvider().cancel_job(sub) == "UNSUPPORTED"


def test_needs_a_prompt(lasso, wav) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="prompt"):
        lasso.validate(Request(SPANS, str(wav), spans=(Span(0, 1),)), 3.0)
