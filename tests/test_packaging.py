"""What packaging ships, checked without building the app: the wheel `pip install .` makes carries
the sample where `isolde.resources` looks for it, the desktop entry, project file type and
AppStream metadata are well formed and agree with each other and pyproject.toml, and the user
install script puts everything in place and takes it away again.

The PyInstaller build itself is checked on purpose: packaging/build.sh, then
packaging/smoke_test.py (packaging/README.md).
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from isolde.core.projectfile import SUFFIX

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.isolde.Isolde"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SVG = "{http://www.w3.org/2000/svg}svg"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(PACKAGING / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds for `pip install .`, from a copy of the checkout (so the build's
    scratch folders never land in the repository)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q",
         "-w", str(tmp / "out"), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    (built,) = (tmp / "out").glob("isolde-*.whl")
    return built


def test_the_installed_package_finds_the_sample_in_its_package_data(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)  # what pip puts in site-packages
    # -S: no site-packages, so the checkout's editable install cannot answer instead.
    script = (
        f"import sys; sys.path.insert(0, {str(site)!r}); "
        "from isolde.resources import sample_path; print(sample_path())"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", script], capture_output=True, text=True, timeout=60,
        check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = Path(result.stdout.strip())
    assert found == site / "isolde" / "data" / "sample.flac"
    assert found.read_bytes()[:4] == b"fLaC"
    # The speech path's learned stage reads its weights from beside its module (else skipped).
    weights = site / "isolde" / "dsp" / "fusion_weights.npz"
    assert weights.read_bytes()[:2] == b"PK"  # an .npz is a zip of arrays


def test_the_wheel_provides_the_isolde_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (entry_points,) = [n for n in archive.namelist() if n.endswith("/entry_points.txt")]
        text = archive.read(entry_points).decode()
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    assert parser["console_scripts"]["isolde"] == "isolde.cli.main:main"


def test_the_desktop_entry_starts_isolde_on_a_file_with_its_icon() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Isolde"
    assert entry["Exec"] == "isolde %f"
    assert entry["Exec"].split()[0] in PYPROJECT["scripts"]
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    types = entry["MimeType"].rstrip(";").split(";")
    assert {"application/x-isolde-project", "audio/flac", "audio/x-wav", "video/mp4"} <= set(types)
    assert "AudioVideo" in entry["Categories"].split(";")
    icon = ElementTree.parse(PACKAGING / "isolde.svg").getroot()
    assert icon.tag == SVG and icon.get("viewBox") == "0 0 128 128"


def test_the_desktop_entry_passes_desktop_file_validate() -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    result = subprocess.run(
        [tool, str(PACKAGING / f"{APP_ID}.desktop")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_project_files_are_a_mime_type_of_their_own() -> None:
    root = ElementTree.parse(PACKAGING / f"{APP_ID}.mime.xml").getroot()
    (kind,) = root.findall(f"{MIME_NS}mime-type")
    assert kind.get("type") == "application/x-isolde-project"
    assert [g.get("pattern") for g in kind.findall(f"{MIME_NS}glob")] == [f"*{SUFFIX}"]
    assert kind.findtext(f"{MIME_NS}comment")


def test_the_metainfo_describes_the_app_the_desktop_entry_launches() -> None:
    root = ElementTree.parse(PACKAGING / f"{APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    for field in ("name", "summary", "metadata_license"):
        assert (root.findtext(field) or "").strip(), field
    assert root.findtext("project_license") == PYPROJECT["license"] == "MIT"
    assert root.find("description/p") is not None
    (launchable,) = root.findall("launchable")
    assert launchable.get("type") == "desktop-id" and launchable.text == f"{APP_ID}.desktop"
    assert (PACKAGING / launchable.text).is_file()
    assert [b.text for b in root.findall("provides/binary")] == list(PYPROJECT["scripts"])
    assert root.find("content_rating").get("type") == "oars-1.1"  # type: ignore[union-attr]
    versions = [r.get("version") for r in root.findall("releases/release")]
    assert PYPROJECT["version"] in versions


def test_the_metainfo_passes_appstreamcli_validate() -> None:
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli is not installed (apt-get install appstream)")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(PACKAGING / f"{APP_ID}.metainfo.xml")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_puts_the_app_and_its_desktop_files_in_place_and_uninstall_removes_them(
    tmp_path: Path,
) -> None:
    dist = tmp_path / "dist" / "isolde"
    dist.mkdir(parents=True)
    (dist / "isolde").write_text("#!/bin/sh\necho isolde\n")
    (dist / "isolde").chmod(0o755)
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "share")}
    env.pop("ISOLDE_BIN_DIR", None), env.pop("ISOLDE_APP_DIR", None)
    script = str(PACKAGING / "install.sh")

    done = subprocess.run(
        ["bash", script, str(dist)], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    link = home / ".local" / "bin" / "isolde"
    assert link.is_symlink() and link.resolve() == home / ".local" / "lib" / "isolde" / "isolde"
    assert subprocess.run([str(link)], capture_output=True, text=True).stdout == "isolde\n"
    share = home / "share"
    installed = [
        share / "applications" / f"{APP_ID}.desktop",
        share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        share / "metainfo" / f"{APP_ID}.metainfo.xml",
        share / "mime" / "packages" / f"{APP_ID}.xml",
    ]
    assert all(path.is_file() for path in installed), [p for p in installed if not p.is_file()]
    assert f"Exec={link} %f" in installed[0].read_text().splitlines()

    undone = subprocess.run(
        ["bash", script, "--uninstall"], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert undone.returncode == 0, undone.stderr
    assert not link.exists() and not link.is_symlink()
    assert not (home / ".local" / "lib" / "isolde").exists()
    assert not any(path.exists() for path in installed)
    assert dist.is_dir()  # the build it was installed from is left alone
