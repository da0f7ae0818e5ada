"""No module below isolde.ui may import Qt: import them all with Qt made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, pkgutil, sys

    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"):
                raise ImportError(f"Qt is blocked below isolde.ui: {name}")
            return None

    sys.meta_path.insert(0, BlockQt())
    import isolde
    seen = []
    for mod in pkgutil.walk_packages(isolde.__path__, "isolde."):
        if mod.name == "isolde.ui" or mod.name.startswith("isolde.ui."):
            continue
        if mod.name == "isolde.__main__":
            continue
        __import__(mod.name)
        seen.append(mod.name)
    print(len(seen))
    """
)


def test_no_qt_below_ui() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 20  # every package was really walked


def test_headless_commands_run_with_qt_blocked() -> None:
    script = BLOCKER.split("import isolde\n")[0] + (
        "from isolde.cli.main import main\nsys.exit(main(['providers', '--json']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert '"local"' in result.stdout
