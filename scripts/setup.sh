# Shared set-up for run.sh and test.sh: system libraries, a virtual environment, pinned packages.
# Sourced, not run: leaves VENV set. Idempotent and quick when nothing changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ISOLDE_VENV:-$ROOT/.venv}"

# Qt's runtime libraries and fonts (DESIGN.md), PortAudio for sound, the xcb set for real windows,
# and venv support for Debian's Python.
APT_PACKAGES=(libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
  libportaudio2 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xfixes0)

say() { printf '%s\n' "setup: $*" >&2; }

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

missing_apt_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local pkg
  for pkg in "${APT_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$pkg"
  done
}

ensure_system_packages() {
  command -v apt-get >/dev/null 2>&1 || { say "not a Debian/Ubuntu system: install Qt's runtime libraries and PortAudio yourself"; return 0; }
  local missing
  missing="$(missing_apt_packages "$@")"
  [ -n "$missing" ] || return 0
  if [ "$(id -u)" = 0 ]; then
    say "installing system packages: $missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
  else
    say "some system packages are missing; install them with:"
    say "  sudo apt-get install -y $missing"
    say "continuing: the editor or sound may not work until they are installed"
  fi
}

ensure_venv() {
  local python stamp want
  python="$(find_python)" || { say "Python 3.11 or newer is needed (found none)"; exit 1; }
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtual environment in $VENV"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        local ver; ver="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python$ver-venv" >&2 || true
        "$python" -m venv "$VENV"
      else
        say "cannot create a virtual environment; install it with: sudo apt-get install -y python3-venv"
        exit 1
      fi
    fi
  fi
  # Reinstall only when the dependency pins change.
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/setup.sh" | sha256sum | cut -d' ' -f1)"
  stamp="$VENV/.isolde-installed"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing Isolde and its pinned dependencies"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT[test]" >&2
    # The speech extra without its unused dependency tree (see pyproject.toml).
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps pyrnnoise==0.4.5 >&2
    echo "$want" > "$stamp"
  fi
}
