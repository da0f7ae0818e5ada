"""The shared cloud plumbing: URL policy, retries, keys, redaction, SSE, value round trips."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from keyring.backend import KeyringBackend

from isolde.core.errors import Cancelled, MissingKeyError, ValidationError
from isolde.core.progress import CancelToken
from isolde.core.redact import Secret, scrub
from isolde.core.spans import InpaintRegion, Span
from isolde.providers.base import Request, RequestKind, Submission, TimeRange
from isolde.providers.fal import FalProvider
from isolde.providers.net import keys
from isolde.providers.net.retry import PollPolicy, RetryPolicy, parse_retry_after, wait
from isolde.providers.net.sse import parse_events
from isolde.providers.net.transfer import CHUNK, file_body
from isolde.providers.net.urls import UrlPolicyError, base_url, check_url, is_loopback, own_url


# -- URL policy -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "https://queue.fal.run/x",
        "http://127.0.0.1:8080/a",
        "http://127.9.9.9/",
        "http://[::1]:9/",
        "http://localhost:1/",
        "https://10.0.0.1/",
    ],
)
def test_allowed_urls(url: str) -> None:
    assert check_url(url, "test") == url


@pytest.mark.parametrize(
    "url", ["http://example.com/a", "http://10.0.0.1/", "file:///etc/passwd", "ftp://x/", "nohost"]
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(UrlPolicyError):
        check_url(url, "test")


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("128.0.0.1") and not is_loopback("example.com")


def test_base_urls_default_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "ISOLDE_FAL_QUEUE_URL",
        "ISOLDE_FAL_REST_URL",
        "ISOLDE_SEGMIND_URL",
        "ISOLDE_AUDIOLASSO_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    assert base_url("ISOLDE_FAL_QUEUE_URL") == "https://queue.fal.run"
    assert base_url("ISOLDE_FAL_REST_URL") == "https://rest.fal.ai"
    assert base_url("ISOLDE_SEGMIND_URL") == "https://api.segmind.com"
    assert base_url("ISOLDE_AUDIOLASSO_URL") == "https://audiolasso.dev"
    monkeypatch.setenv("ISOLDE_SEGMIND_URL", "https://gateway.example/segmind/")
    assert base_url("ISOLDE_SEGMIND_URL") == "https://gateway.example/segmind"
    monkeypatch.setenv("ISOLDE_SEGMIND_URL", "http://gateway.example")
    with pytest.raises(UrlPolicyError, match="ISOLDE_SEGMIND_URL"):
        base_url("ISOLDE_SEGMIND_URL")


def test_job_urls_on_another_host_are_rebuilt_on_ours() -> None:
    base = "https://gateway.example/fal"
    mine = "https://gateway.example/fal/app/requests/1/status"
    assert own_url(mine, base + "/built", base) == mine
    assert own_url("https://queue.fal.run/app/requests/1", base + "/built", base) == base + "/built"
    assert own_url(None, base + "/built", base) == base + "/built"
    with pytest.raises(UrlPolicyError):
        own_url("http://evil.example/x", base + "/built", base)


# -- retries and waits ------------------------------------------------------------------------
def test_retry_after_forms() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < parse_retry_after(later) <= 30  # type: ignore[operator]


def test_backoff_grows_with_bounded_jitter() -> None:
    policy = RetryPolicy(base_s=1.0, factor=2.0, max_s=5.0, jitter=0.25)
    for attempt, raw in enumerate([1, 2, 4, 5, 5]):
        for _ in range(20):
            assert raw * 0.75 <= policy.delay(attempt) <= raw * 1.25
    assert RetryPolicy().statuses == {408, 429, 502, 503, 504}
    poll = PollPolicy(0.5, 2.0, 3.0)
    assert [poll.next(None), poll.next(0.5), poll.next(2.0)] == [0.5, 1.0, 3.0]


def test_wait_is_cut_short_by_cancel() -> None:
    cancel = CancelToken()
    started = time.monotonic()
    import threading

    threading.Timer(0.05, cancel.cancel).start()
    with pytest.raises(Cancelled):
        wait(30.0, cancel)
    assert time.monotonic() - started < 0.5


# -- keys ---------------------------------------------------------------------------------------
class MemoryKeyring(KeyringBackend):
    priority = 10  # type: ignore[assignment]

    def __init__(self, broken: bool = False) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.broken = broken

    def get_password(self, service: str, username: str) -> str | None:
        if self.broken:
            raise RuntimeError("the keyring is locked")
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.store[(service, username)]


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    import keyring

    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    monkeypatch.setattr(keyring, "get_password", backend.get_password)
    monkeypatch.setattr(keyring, "set_password", backend.set_password)
    monkeypatch.setattr(keyring, "delete_password", backend.delete_password)
    monkeypatch.delenv("FAL_KEY", raising=False)
    return backend


def test_key_from_environment_first_then_keyring(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert keys.get_key("FAL_KEY") is None and keys.key_source("FAL_KEY") is None
    keys.set_key("FAL_KEY", "  from-keyring-1  ")
    assert memory_keyring.store[("isolde", "FAL_KEY")] == "from-keyring-1"
    assert keys.key_source("FAL_KEY") == "keyring"
    assert keys.get_key("FAL_KEY").reveal() == "from-keyring-1"  # type: ignore[union-attr]
    monkeypatch.setenv("FAL_KEY", "from-env-2")
    assert keys.key_source("FAL_KEY") == "environment"
    assert keys.get_key("FAL_KEY").reveal() == "from-env-2"  # type: ignore[union-attr]
    status = keys.key_status("FAL_KEY")
    assert status.configured and status.source == "environment" and status.keyring
    assert "from-env" not in repr(status)
    monkeypatch.delenv("FAL_KEY")
    assert keys.delete_key("FAL_KEY") is True and keys.delete_key("FAL_KEY") is False
    assert keys.key_source("FAL_KEY") is None


def test_no_keyring_backend_is_handled(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    monkeypatch.delenv("SEGMIND_API_KEY", raising=False)
    assert keys.get_key("SEGMIND_API_KEY") is None
    assert keys.keyring_name() is None
    assert keys.delete_key("SEGMIND_API_KEY") is False
    with pytest.raises(keys.KeyStoreError, match="SEGMIND_API_KEY in the environment"):
        keys.set_key("SEGMIND_API_KEY", "abcd1234")


def test_without_a_keyring_the_missing_key_message_offers_only_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    monkeypatch.delenv("FAL_KEY", raising=False)
    text = keys.missing_key_message("FAL_KEY", "fal")
    assert "set the environment variable FAL_KEY" in text
    assert "keyring set" not in text and "no OS keyring" in text


def test_a_broken_keyring_reads_as_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: MemoryKeyring(broken=True))
    monkeypatch.setattr(keyring, "get_password", MemoryKeyring(broken=True).get_password)
    monkeypatch.delenv("FAL_KEY", raising=False)
    assert keys.get_key("FAL_KEY") is None


def test_missing_key_message_names_env_and_keyring(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDIOLASSO_API_KEY", raising=False)
    with pytest.raises(MissingKeyError) as exc:
        keys.require_key("AUDIOLASSO_API_KEY", "AudioLasso")
    text = str(exc.value)
    assert "AUDIOLASSO_API_KEY" in text and "-m keyring set isolde AUDIOLASSO_API_KEY" in text
    assert exc.value.exit_code == 4
    # The command is one this interpreter runs: it has `keyring` installed.
    python = text.split("`")[1].split(" -m keyring")[0]
    assert python == "python" or python == sys.executable
    monkeypatch.setenv("AUDIOLASSO_API_KEY", "bad key\nwith newline")
    with pytest.raises(MissingKeyError) as exc:
        keys.require_key("AUDIOLASSO_API_KEY", "AudioLasso")
    assert "newline" not in str(exc.value)


def test_secrets_never_print_themselves() -> None:
    secret = Secret("sk-abcdef-999")
    assert (
        "abcdef" not in repr(secret) and "abcdef" not in str(secret) and "abcdef" not in f"{secret}"
    )
    assert secret.reveal() == "sk-abcdef-999"
    assert scrub("server said: bad key sk-abcdef-999!") == "server said: bad key [redacted]!"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)


# -- values ------------------------------------------------------------------------------------
def test_submission_round_trip() -> None:
    sub = Submission(
        "fal",
        "fal-ai/sam-audio/separate",
        "r1",
        "https://q/s",
        "https://q/r",
        "https://q/c",
        "https://q/s/stream",
        details={"roles": ["target"]},
    )
    import json

    again = Submission.from_json(json.loads(json.dumps(sub.to_json())))
    assert again == sub
    with pytest.raises(ValueError, match="not a saved submission"):
        Submission.from_json({"format": "other"})
    with pytest.raises(ValueError, match="newer"):
        Submission.from_json({**sub.to_json(), "version": 9})


def test_request_round_trip_with_selection_and_video() -> None:
    request = Request(
        RequestKind.VISUAL,
        "a.mp4",
        prompt="p",
        video_path="a.mp4",
        mask_path="m.mp4",
        options={"acceleration": "fast"},
        selection=TimeRange(1.0, 2.0),
    )
    assert Request.from_json(request.to_json()) == request
    inpaint = Request(
        RequestKind.INPAINT, "a.wav", region=InpaintRegion(1, 2, "x", seed=3), spans=(Span(0, 1),)
    )
    assert Request.from_json(inpaint.to_json()) == inpaint


def test_options_for_another_kind_are_refused() -> None:
    fal = FalProvider()
    with pytest.raises(ValidationError) as exc:
        fal.validate(
            Request(RequestKind.TEXT, "x.wav", prompt="dog", options={"negative_prompt": "hiss"}),
            10.0,
        )
    assert "inpaint requests only" in exc.value.problems["option negative_prompt"]
    resolved = fal.resolve_options({}, RequestKind.INPAINT)
    assert resolved["seed"] is None and resolved["variant"] == "small/sfx"


def test_selection_checks() -> None:
    fal = FalProvider()
    bad = Request(RequestKind.TEXT, "x.wav", prompt="dog", selection=TimeRange(5, 20))
    with pytest.raises(ValidationError, match="inside the media"):
        fal.validate(bad, 10.0)
    visual = Request(RequestKind.VISUAL, "x.mp4", video_path="x.mp4", selection=TimeRange(1, 2))
    fal.validate(visual, 10.0)  # a visual selection is cut and sent (test_visual_range.py)
    outside = Request(
        RequestKind.INPAINT,
        "x.wav",
        prompt="p",
        region=InpaintRegion(1, 2, "p"),
        selection=TimeRange(3, 4),
    )
    with pytest.raises(ValidationError, match="inside the selection"):
        fal.validate(outside, 10.0)


# -- event streams and bodies -----------------------------------------------------------------
def test_sse_parsing() -> None:
    lines = [
        "event: status",
        'data: {"a":',
        "data: 1}",
        "",
        ": keep-alive",
        "",
        "data: x",
        "id: 7",
        "",
        "data: cut off",
    ]
    events = list(parse_events(lines))
    assert [(e.event, e.data, e.id) for e in events] == [
        ("status", '{"a":\n1}', None),
        ("message", "x", "7"),
    ]


def test_file_bodies_stream_in_small_chunks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "blob"
    path.write_bytes(bytes(range(256)) * 2000)  # 512 000 bytes
    chunks = list(file_body(path, 1000, 300_000)())
    assert max(len(c) for c in chunks) <= CHUNK and len(chunks) > 1
    assert b"".join(chunks) == path.read_bytes()[1000:301_000]
    assert b"".join(file_body(path)()) == path.read_bytes()  # each call starts afresh
