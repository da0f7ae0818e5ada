"""The key test against the fake cloud: good key, bad key, no network, for every provider."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from fakecloud import FakeCloud
from fakecloud.testing import start_cloud
from isolde.core.errors import InputError
from isolde.core.redact import Secret
from isolde.providers.net.key_check import PROBES, check_key

PROVIDERS = ("fal", "segmind", "audiolasso")
BAD = "bad-key-sentinel-7f3a9c"


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCloud]:
    cloud = start_cloud(monkeypatch)
    yield cloud
    cloud.stop()


def good_key(cloud: FakeCloud, provider: str) -> Secret:
    return Secret(getattr(cloud, f"{provider}_key"))


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_good_key_is_accepted(cloud: FakeCloud, provider: str) -> None:
    key = good_key(cloud, provider)
    result = check_key(provider, key)
    title = PROBES[provider].title
    assert result.ok is True, result.message
    assert result.message == f"{title} accepted the key"
    assert key.reveal() not in result.message
    assert len(cloud.hits) == 1  # one call, no retries


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_bad_key_is_refused_in_words(cloud: FakeCloud, provider: str) -> None:
    result = check_key(provider, Secret(BAD))
    title = PROBES[provider].title
    assert result.ok is False
    assert result.message == f"{title} refused the key (401): check it was copied whole"
    assert BAD not in result.message


@pytest.mark.parametrize("provider", PROVIDERS)
def test_no_network_says_so(monkeypatch: pytest.MonkeyPatch, provider: str) -> None:
    monkeypatch.setenv(PROBES[provider].base_env, f"http://127.0.0.1:{closed_port()}/x")
    result = check_key(provider, Secret(BAD))
    title = PROBES[provider].title
    assert result.ok is None
    assert result.message.startswith(f"could not reach {title}: ")
    assert result.message.endswith(" — check the connection")
    assert "refused" in result.message.lower()
    assert BAD not in result.message


def test_the_cheap_calls_are_the_unbilled_ones(cloud: FakeCloud) -> None:
    credits = cloud.faults.segmind_credits
    for provider in PROVIDERS:
        assert check_key(provider, good_key(cloud, provider)).ok is True
    fal, segmind, audiolasso = cloud.hits
    assert (fal.method, fal.path) == ("POST", "/fal/rest/storage/auth/token")
    assert fal.query == {"storage_type": "fal-cdn-v3"}
    assert (segmind.method, segmind.path) == ("POST", "/segmind/v1/sam-audio-large")
    assert cloud.faults.segmind_credits == credits  # nothing was billed
    assert audiolasso.method == "GET" and audiolasso.path.endswith("/status")
    assert not cloud.jobs and not cloud.files  # no job and no upload made


def test_a_base_url_passed_in_wins_over_the_environment(
    cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISOLDE_FAL_REST_URL", f"http://127.0.0.1:{closed_port()}")
    result = check_key("fal", good_key(cloud, "fal"), base=f"{cloud.url}/fal/rest")
    assert result.ok is True
    lost = check_key("fal", good_key(cloud, "fal"), base=f"{cloud.url}/elsewhere")
    assert lost.ok is None and "answered 404" in lost.message and "base URL" in lost.message


def test_server_trouble_is_neither_accepted_nor_refused(cloud: FakeCloud) -> None:
    cloud.faults.script["fal.token"] = [503]
    result = check_key("fal", good_key(cloud, "fal"))
    assert result.ok is None and "(503)" in result.message and "try again" in result.message


def test_keys_that_cannot_be_sent_and_urls_we_refuse_are_caught_before_sending(
    cloud: FakeCloud,
) -> None:
    assert check_key("fal", Secret("two words")).ok is False
    assert check_key("fal", Secret("   ")).message == "no key to test for fal.ai"
    plain = check_key("segmind", good_key(cloud, "segmind"), base="http://example.com")
    assert plain.ok is None and "https" in plain.message
    assert not cloud.hits
    with pytest.raises(InputError, match="keys belong to"):
        check_key("local", Secret("whatever-key"))
