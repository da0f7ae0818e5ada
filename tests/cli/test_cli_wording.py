"""The terminal's words: a fix a terminal user can do (no dragging), and only the key storage
this computer has."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from isolde.cli.main import main
from isolde.core.errors import SpanError
from isolde.core.spans import Span


class _EmptyKeyring(KeyringBackend):
    priority = 10  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("nothing is stored by listing the engines")

    def delete_password(self, service: str, username: str) -> None:
        raise AssertionError("nothing is deleted by listing the engines")


@pytest.mark.parametrize(
    ("argv", "fix"),
    [
        (["separate", "{wav}", "--exclude", "3-1"], "e.g. --exclude 1-3"),
        (["separate", "{wav}", "--include", "0:02.5-1"], "e.g. --include 1-0:02.5"),
        (["inpaint", "{wav}", "--region", "2.5-2"], "e.g. --region 2-2.5"),
    ],
)
def test_an_inverted_span_on_the_command_line_is_fixed_by_typing(
    argv: list[str], fix: str, noisy_wav: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.format(wav=noisy_wav) for a in argv]) == 3
    err = capsys.readouterr().err
    assert "must be before end" in err and "write the earlier time first" in err and fix in err
    assert "drag" not in err and "swap" not in err


def test_the_span_rule_itself_names_no_gesture() -> None:
    with pytest.raises(SpanError) as exc:
        Span(3.0, 1.0).validate(10.0)
    assert "must be before end" in str(exc.value) and "drag" not in str(exc.value)


def test_providers_without_a_keyring_offers_only_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    monkeypatch.delenv("FAL_KEY", raising=False)
    assert main(["providers"]) == 0
    out = capsys.readouterr().out
    assert "not ready: set FAL_KEY" in out
    assert "keyring set" not in out  # no advice that cannot work here…
    assert "no OS keyring" in out  # …and why


def test_providers_with_a_keyring_gives_a_command_this_python_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    backend = _EmptyKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    monkeypatch.setattr(keyring, "get_password", backend.get_password)
    monkeypatch.delenv("FAL_KEY", raising=False)
    assert main(["providers"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("fal "))
    assert "-m keyring set isolde FAL_KEY" in line
    assert "no OS keyring" not in out
