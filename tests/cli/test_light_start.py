"""`isolde --help` and `isolde info` start fast: the parser and `info` import nothing heavy.

Not timed (tests/bench/bench_startup.py times them): each case runs in a fresh interpreter and
checks which top-level packages ended up in `sys.modules`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from isolde.resources import sample_path

SAMPLE = sample_path()
# Imported where they are used (resampling, engines, video masks, cloud calls, playback, the UI).
HEAVY = ("scipy", "cv2", "httpx", "sounddevice", "PySide6", "pyqtgraph", "onnxruntime", "torch")
# Reading a file's header needs these; the parser alone does not.
DECODERS = ("av", "soundfile")


def _loaded_after(code: str) -> set[str]:
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, sys
        print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_building_the_parser_imports_nothing_heavy() -> None:
    loaded = _loaded_after(
        """
        from isolde.cli.main import build_parser
        parser = build_parser()
        parser.format_help()
        for action in parser._subparsers._group_actions:  # every command's own --help
            for sub in action.choices.values():
                sub.format_help()
        """
    )
    assert "isolde" in loaded
    assert loaded.isdisjoint(HEAVY + DECODERS), sorted(loaded & {*HEAVY, *DECODERS})


def test_info_imports_only_what_reading_a_header_needs() -> None:
    loaded = _loaded_after(
        f"""
        import contextlib, io
        from isolde.cli.main import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["info", {str(SAMPLE)!r}]) == 0
        """
    )
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_help_text_is_whole() -> None:
    """Lazy imports changed nothing the user sees: every command is still listed."""
    from isolde.cli.main import COMMANDS, build_parser

    text = build_parser().format_help()
    for command in COMMANDS:
        assert command in text
