"""fal against the fake cloud: retries, unknown submits, status faults, result errors, cancel,
and resuming a saved submission."""

from __future__ import annotations

import json
import threading
import time

import pytest
from fal_cases import SPANS, TEXT, run

from fakecloud.testing import fast, read
from isolde.core.errors import Cancelled
from isolde.core.progress import CancelToken
from isolde.core.spans import Span
from isolde.providers.base import JobEvent, Request, Submission
from isolde.providers.errors import (
    AuthError,
    JobFailedError,
    RateLimitedError,
    RemoteValidationError,
    ResultExpiredError,
    ServerUnavailableError,
    SubmissionUnknownError,
)
from isolde.providers.fal import FalProvider
from isolde.providers.net.urls import UrlPolicyError


# -- retries, unknown submits, status ---------------------------------------------------------
def test_submit_is_retried_when_refused(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.submit"] = [429, 503, 408]
    cloud.faults.retry_after = "0.05"
    started = time.monotonic()
    run(fal, Request(TEXT, str(wav), prompt="x"), tmp_path)
    assert len(cloud.hits_to("/fal/queue/fal-ai/sam-audio/separate")) == 4
    assert len(cloud.jobs) == 1
    assert time.monotonic() - started >= 0.1  # Retry-After was honoured twice


@pytest.mark.parametrize("fault", ["drop", 502, 504, "malformed"])
def test_a_submit_that_may_have_landed_is_never_resent(fal, cloud, wav, tmp_path, fault) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.submit"] = [fault]
    events: list[JobEvent] = []
    with pytest.raises(SubmissionUnknownError) as exc:
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w", on_event=events.append)
    assert len(cloud.hits_to("/fal/queue/fal-ai/sam-audio/separate")) == 1
    assert "dashboard" in str(exc.value)
    assert events[-1].state == "unknown"


def test_rate_limit_that_does_not_end(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.submit"] = [429] * 10
    with pytest.raises(RateLimitedError, match="rate limiting"):
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    assert len(cloud.hits_to("sam-audio/separate")) == fal.retry.attempts
    cloud.faults.retry_after = "3600"  # longer than we would wait: say so at once
    cloud.faults.script["fal.submit"] = [429]
    with pytest.raises(RateLimitedError) as exc:
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    assert exc.value.retry_after_s == 3600 and "3600 s" in str(exc.value)


def test_status_stream_closing_early_falls_back_to_polling(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.sse_close_early = 10
    cloud.faults.queue_positions = [3, 2, 1, 0]
    result, events = run(fal, Request(TEXT, str(wav), prompt="x"), tmp_path)
    assert cloud.hits_to("/status/stream") and cloud.hits_to("/status", "GET")
    assert result.files["target"].exists()
    positions = [e.queue_position for e in events if e.state == "queued"]
    assert positions == sorted(positions, reverse=True) and len(set(positions)) == len(positions)


def test_status_faults_are_survived(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fal.use_stream = False
    cloud.faults.script["fal.status"] = [503, "malformed", 502, "drop"]
    result, events = run(fal, Request(TEXT, str(wav), prompt="x"), tmp_path)
    assert result.files["residual"].exists() and events[-1].state == "done"
    assert not cloud.hits_to("/status/stream")


def test_stream_errors_fall_back_to_polling(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.stream"] = [500, "malformed", 404, 500]
    result, _ = run(fal, Request(TEXT, str(wav), prompt="x"), tmp_path)
    assert result.files["target"].exists()


# -- result errors, downloads ----------------------------------------------------------------
def test_schema_error_at_the_result_call(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.result"] = [422]
    with pytest.raises(RemoteValidationError) as exc:
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    assert exc.value.problems == {"prompt": "scripted: prompt too long"}


def test_schema_error_at_submit(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.submit"] = [422]
    with pytest.raises(RemoteValidationError, match="prompt"):
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    assert len(cloud.hits_to("sam-audio/separate")) == 1


def test_a_job_that_fails(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.job_fails = "CUDA out of memory"
    with pytest.raises(JobFailedError, match="CUDA out of memory"):
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")


def test_an_expired_result(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.result_expired = True
    with pytest.raises(ResultExpiredError, match="run the job again"):
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")


def test_download_cut_off_is_retried_then_given_up(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.drop_downloads = 1
    result, _ = run(fal, Request(TEXT, str(wav), prompt="x"), tmp_path)
    x, _ = read(wav)
    t, _ = read(result.files["target"])
    assert t.shape[0] == x.shape[0] and len(cloud.hits_to("/cdn/files/", "GET")) == 3
    cloud.faults.drop_downloads = 100
    with pytest.raises(ServerUnavailableError, match="connection broke"):
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w2")
    assert not list((tmp_path / "w2").glob("*.part"))


def test_bad_key_is_reported_and_never_echoed(fal, cloud, wav, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FAL_KEY", "wrong-key-0123")
    with pytest.raises(AuthError) as exc:
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")
    assert "FAL_KEY" in str(exc.value) and "wrong-key-0123" not in str(exc.value)
    assert "[redacted]" in str(exc.value)  # the fake echoed it; we scrubbed it


def test_server_unreachable(fal, wav, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ISOLDE_FAL_REST_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(ServerUnavailableError, match="could not reach"):
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w")


def test_key_goes_only_to_fals_own_hosts(fal, cloud) -> None:  # type: ignore[no-untyped-def]
    with fal.open_session() as session, pytest.raises(UrlPolicyError, match="not its own"):
        session.request("GET", "http://127.0.0.2:9/x", what="test")
    with fal.open_session() as session, pytest.raises(UrlPolicyError, match="https"):
        session.request("GET", "http://example.com/x", what="test", auth=False)


# -- cancel, resume ----------------------------------------------------------------------------
def _cancel_on(state: str, cancel: CancelToken, seen: list[float]):  # type: ignore[no-untyped-def]
    def on_event(event: JobEvent) -> None:
        hit = state in (event.state, event.message) or event.message.startswith(state)
        if hit and not seen:
            seen.append(time.monotonic())
            cancel.cancel()

    return on_event


def test_cancel_while_queued_cancels_remotely(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.queue_positions = list(range(500, 0, -1))
    cloud.faults.step_s = 0.02
    cancel, seen = CancelToken(), []
    with pytest.raises(Cancelled):
        fal.run(
            Request(TEXT, str(wav), prompt="x"),
            tmp_path / "w",
            on_event=_cancel_on("queued", cancel, seen),
            cancel=cancel,
        )
    assert time.monotonic() - seen[0] < 1.0
    assert len(cloud.hits_to("/cancel", "PUT")) == 1
    assert next(iter(cloud.jobs.values())).cancelled


def test_cancel_during_a_stalled_download(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.stall_downloads = True
    cancel, seen = CancelToken(), []
    with pytest.raises(Cancelled):
        fal.run(
            Request(TEXT, str(wav), prompt="x"),
            tmp_path / "w",
            on_event=_cancel_on("downloading", cancel, seen),
            cancel=cancel,
        )
    assert time.monotonic() - seen[0] < 1.0
    assert not list((tmp_path / "w").glob("*.wav*"))


def test_cancel_from_another_thread_interrupts_the_stream(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.queue_positions = [1]
    cloud.faults.step_s = 10.0  # the stream sits idle between events
    cancel = CancelToken()
    threading.Timer(0.3, cancel.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        fal.run(Request(TEXT, str(wav), prompt="x"), tmp_path / "w", cancel=cancel)
    assert time.monotonic() - started < 1.5


def test_a_submission_survives_a_restart(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    request = Request(TEXT, str(wav), prompt="x")
    saved = json.dumps(fal.submit(request, tmp_path).to_json())
    later = fast(FalProvider())  # a new process, as far as the provider knows
    submission = Submission.from_json(json.loads(saved))
    assert later.poll(submission).state == "queued"
    events = list(later.watch(submission))
    assert events[-1].state == "done"
    result = later.fetch(submission, tmp_path / "fetched")
    assert result.files["target"].exists() and result.provider_request_id == submission.request_id
    assert later.cancel_job(submission) == "ALREADY_COMPLETED"


def test_cost_estimates() -> None:
    fal = FalProvider()
    assert fal.estimate_cost(Request(TEXT, "x", prompt="p"), 45.0) == 0.1
    three = Request(TEXT, "x", prompt="p", options={"reranking_candidates": 3})
    assert fal.estimate_cost(three, 45.0) == 0.2
    trimmed = Request(SPANS, "x", spans=(Span(100, 110),), options={"trim_to_span": True})
    assert fal.estimate_cost(trimmed, 3600.0) == 0.05
