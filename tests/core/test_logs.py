"""The log file: its folder, rotation, and that no key Isolde has seen ever reaches it — also when
a headless command fails unexpectedly."""

from __future__ import annotations

import argparse
import logging
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from isolde.cli import main as cli_main
from isolde.core import logs
from isolde.core.redact import REDACTED, Secret


@pytest.fixture(autouse=True)
def _no_handler_left() -> Iterator[None]:
    yield
    logs.remove_log()


def sentinel_key() -> str:
    """A fresh key-shaped string, made known to the scrubber the way every real key is."""
    value = f"sk-sentinel-{uuid.uuid4().hex}"
    Secret(value)
    return value


def error_entries(text: str) -> int:
    return sum(" ERROR isolde." in line for line in text.splitlines())


def test_the_log_folder_follows_the_override_else_the_platform(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ISOLDE_LOG_DIR", str(tmp_path / "my-logs"))
    assert logs.log_path() == tmp_path / "my-logs" / "isolde.log"
    monkeypatch.delenv("ISOLDE_LOG_DIR")
    assert logs.log_dir() == Path(platformdirs.user_log_dir("isolde", appauthor=False))


def test_records_go_to_the_file_with_the_key_scrubbed_from_message_args_and_trace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = sentinel_key()
    path = logs.install_log()
    log = logging.getLogger("isolde.providers.test")
    log.warning("upload refused for %s", key)
    try:
        raise RuntimeError(f"server said: bad key {key}")
    except RuntimeError:
        log.exception("request with key=%s failed", key)
    logs.remove_log()  # flushes and closes the file

    text = path.read_text(encoding="utf-8")
    assert key not in text
    assert text.count(REDACTED) == 3  # the warning, the error's message, the trace's last line
    assert "Traceback (most recent call last)" in text
    assert "WARNING isolde.providers.test" in text
    assert key not in caplog.text and REDACTED in caplog.text  # handlers after the file's too


def test_installing_twice_keeps_one_handler_and_a_new_folder_moves_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = logs.install_log()
    assert logs.install_log() == first
    ours = [h for h in logging.getLogger("isolde").handlers if h.get_name() == logs.HANDLER_NAME]
    assert len(ours) == 1
    monkeypatch.setenv("ISOLDE_LOG_DIR", str(tmp_path / "elsewhere"))
    second = logs.install_log()
    logging.getLogger("isolde.test").warning("after the move")
    logs.remove_log()
    assert second == tmp_path / "elsewhere" / "isolde.log"
    assert "after the move" in second.read_text(encoding="utf-8")
    assert not first.exists()  # delay=True: nothing was ever written there
    assert logs.installed_handler() is None


def test_the_log_rotates_at_its_size_and_keeps_a_fixed_number_of_files() -> None:
    path = logs.install_log(max_bytes=2_000, backups=2)
    log = logging.getLogger("isolde.test")
    for i in range(200):
        log.info("line %03d %s", i, "x" * 40)
    logs.remove_log()

    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["isolde.log", "isolde.log.1", "isolde.log.2"]
    for file in path.parent.iterdir():
        assert file.stat().st_size <= 2_000
    assert "line 199" in path.read_text(encoding="utf-8")  # the newest stays in the live file
    assert "line 000" not in "".join(p.read_text() for p in path.parent.iterdir())


def test_log_exception_writes_one_entry_with_the_trace() -> None:
    key = sentinel_key()
    try:
        secret_in_a_local = key
        raise ValueError(f"cannot parse {secret_in_a_local}")
    except ValueError:
        path = logs.log_exception("a test", sys.exc_info())  # type: ignore[arg-type]
    assert path is not None
    logs.remove_log()
    text = path.read_text(encoding="utf-8")
    assert error_entries(text) == 1
    assert "Unexpected error in a test" in text
    assert "test_log_exception_writes_one_entry_with_the_trace" in text  # the frame is there
    assert key not in text


def test_log_exception_returns_none_when_the_folder_cannot_be_made(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ISOLDE_LOG_DIR", str(blocker / "logs"))
    try:
        raise ValueError("nowhere to write")
    except ValueError:
        assert logs.log_exception("a test", sys.exc_info()) is None  # type: ignore[arg-type]


def test_an_unexpected_cli_failure_lands_in_the_log_without_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = sentinel_key()

    def broken_info(args: argparse.Namespace) -> int:
        token = key
        raise KeyError(f"no such field in reply for {token}")

    monkeypatch.setattr(cli_main, "_handler", lambda command: broken_info)
    assert cli_main.main(["info", "whatever.wav"]) == 1
    logs.remove_log()

    text = logs.log_path().read_text(encoding="utf-8")
    assert error_entries(text) == 1
    assert "Unexpected error in isolde info" in text and "broken_info" in text
    assert key not in text
    err = capsys.readouterr().err
    assert "Traceback" in err and key not in err
    assert str(logs.log_path()) in err  # the message says where the report went
