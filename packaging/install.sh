#!/usr/bin/env bash
# Install Isolde for the current user (no root): the built app, its desktop entry, icon,
# AppStream metadata and project file type; or take all of that away again.
#
#   packaging/install.sh [DIST]       copy DIST (default dist/isolde, from build.sh) to
#                                     ~/.local/lib/isolde and link ~/.local/bin/isolde to it
#   packaging/install.sh --desktop    only the desktop files, for an `isolde` already on PATH
#                                     (pip install . / pipx)
#   packaging/install.sh --uninstall  remove everything the two above put in place
#
# Folders: $XDG_DATA_HOME (default ~/.local/share), ISOLDE_BIN_DIR (~/.local/bin),
# ISOLDE_APP_DIR (~/.local/lib/isolde). Settings, logs and projects are left alone.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APP_ID="io.github.isolde.Isolde"
DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"
BIN_DIR="${ISOLDE_BIN_DIR:-$HOME/.local/bin}"
APP_DIR="${ISOLDE_APP_DIR:-$HOME/.local/lib/isolde}"

DESKTOP="$DATA_HOME/applications/$APP_ID.desktop"
ICON="$DATA_HOME/icons/hicolor/scalable/apps/$APP_ID.svg"
METAINFO="$DATA_HOME/metainfo/$APP_ID.metainfo.xml"
MIME="$DATA_HOME/mime/packages/$APP_ID.xml"

say() { printf '%s\n' "install: $*" >&2; }

# The desktop's caches, where their tools exist (they are optional: menus refresh anyway).
refresh_caches() {
  if command -v update-mime-database >/dev/null 2>&1 && [ -d "$DATA_HOME/mime/packages" ]; then
    update-mime-database "$DATA_HOME/mime" >/dev/null 2>&1 || true
  fi
  if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$DATA_HOME/applications" ]; then
    update-desktop-database "$DATA_HOME/applications" >/dev/null 2>&1 || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$DATA_HOME/icons/hicolor" ]; then
    gtk-update-icon-cache -f -t "$DATA_HOME/icons/hicolor" >/dev/null 2>&1 || true
  fi
}

install_desktop_files() {
  local exec_path="$1"
  mkdir -p "$(dirname "$DESKTOP")" "$(dirname "$ICON")" "$(dirname "$METAINFO")" "$(dirname "$MIME")"
  # The menu entry runs the exact program installed: a desktop session's PATH often lacks
  # ~/.local/bin.
  sed -e "s|^Exec=isolde |Exec=$exec_path |" -e "s|^TryExec=isolde$|TryExec=$exec_path|" \
    "$HERE/$APP_ID.desktop" > "$DESKTOP"
  cp "$HERE/isolde.svg" "$ICON"
  cp "$HERE/$APP_ID.metainfo.xml" "$METAINFO"
  cp "$HERE/$APP_ID.mime.xml" "$MIME"
  refresh_caches
  say "menu entry $DESKTOP (runs $exec_path)"
}

install_app() {
  local dist="$1"
  [ -x "$dist/isolde" ] || { say "no built app in $dist: run packaging/build.sh first"; exit 1; }
  dist="$(cd "$dist" && pwd)"
  [ "$dist" != "$APP_DIR" ] || { say "$dist is already the installed copy"; exit 1; }
  mkdir -p "$(dirname "$APP_DIR")" "$BIN_DIR"
  rm -rf "$APP_DIR.new"
  cp -a "$dist" "$APP_DIR.new"
  rm -rf "$APP_DIR"
  mv "$APP_DIR.new" "$APP_DIR"
  ln -sfn "$APP_DIR/isolde" "$BIN_DIR/isolde"
  say "installed $APP_DIR, linked from $BIN_DIR/isolde"
  install_desktop_files "$BIN_DIR/isolde"
  case ":$PATH:" in
    *":$BIN_DIR:"*) ;;
    *) say "$BIN_DIR is not on PATH: add it to use \`isolde\` in a terminal" ;;
  esac
}

uninstall() {
  rm -f "$DESKTOP" "$ICON" "$METAINFO" "$MIME"
  # Only our own link: an `isolde` installed by pip in the same folder stays.
  if [ -L "$BIN_DIR/isolde" ] && [ "$(readlink "$BIN_DIR/isolde")" = "$APP_DIR/isolde" ]; then
    rm -f "$BIN_DIR/isolde"
  fi
  rm -rf "$APP_DIR"
  refresh_caches
  say "removed Isolde's app and desktop files (settings, logs and projects are kept)"
}

case "${1:-}" in
  --uninstall) uninstall ;;
  --desktop)
    exec_path="$(command -v isolde)" || { say "no \`isolde\` on PATH: pip install . first"; exit 1; }
    install_desktop_files "$exec_path"
    ;;
  -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) install_app "${1:-$HERE/../dist/isolde}" ;;
esac
