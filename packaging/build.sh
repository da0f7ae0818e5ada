#!/usr/bin/env bash
# Build the one-folder app dist/isolde/ (the `isolde` executable: editor and headless commands)
# from a checkout, with PyInstaller and packaging/isolde.spec.
#
# Uses its own virtual environment (ISOLDE_BUILD_VENV, default packaging/.build-venv), never the
# developer's .venv: Isolde is installed into it as a user would (`pip install .`, not editable),
# with the pinned `packaging` extra and RNNoise as scripts/setup.sh installs it (--no-deps).
# Idempotent: packages are reinstalled only when pyproject.toml or this script changes; Isolde
# itself and the app are rebuilt from scratch every run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# Qt's runtime libraries and PortAudio: the same set the editor needs from a checkout.
source "$ROOT/scripts/setup.sh"
say() { printf '%s\n' "build: $*" >&2; }
BUILD_VENV="${ISOLDE_BUILD_VENV:-$HERE/.build-venv}"
DIST="${ISOLDE_DIST:-$ROOT/dist}"
WORK="$ROOT/build/pyinstaller"

ensure_system_packages

python="$(find_python)" || { say "Python 3.11 or newer is needed (found none)"; exit 1; }
if [ ! -x "$BUILD_VENV/bin/python" ]; then
  say "creating the build environment in $BUILD_VENV"
  "$python" -m venv "$BUILD_VENV"
fi
stamp="$BUILD_VENV/.isolde-build-installed"
want="$(cat "$ROOT/pyproject.toml" "$HERE/build.sh" | sha256sum | cut -d' ' -f1)"
pip=("$BUILD_VENV/bin/python" -m pip install -q --disable-pip-version-check)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing PyInstaller and Isolde's pinned dependencies into the build environment"
  "${pip[@]}" --upgrade pip >&2
  "${pip[@]}" "$ROOT[packaging]" >&2
  "${pip[@]}" --no-deps pyrnnoise==0.4.5 >&2
  echo "$want" > "$stamp"
fi
# Isolde itself every time (not editable: the build must see what `pip install .` ships);
# setuptools builds in build/lib and would ship files since deleted from src/ if it were kept.
rm -rf "$ROOT/build/lib"
"${pip[@]}" --no-deps --force-reinstall "$ROOT" >&2

say "building with PyInstaller (a few minutes the first time)"
start=$SECONDS
"$BUILD_VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" "$HERE/isolde.spec" >&2
size="$(du -sh "$DIST/isolde" | cut -f1)"
say "built $DIST/isolde ($size) in $((SECONDS - start)) s"
say "run it: $DIST/isolde/isolde   check it: $BUILD_VENV/bin/python $HERE/smoke_test.py $DIST/isolde"
echo "$DIST/isolde"
