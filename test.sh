#!/usr/bin/env bash
# Set everything up (first time only), then lint and run the test suite (Qt offscreen, no sound card needed).
source "$(dirname "$0")/scripts/setup.sh"
ensure_system_packages espeak-ng appstream desktop-file-utils  # speech for the engine tests; validators for packaging/
ensure_venv
cd "$ROOT"
"$VENV/bin/ruff" check src tests
QT_QPA_PLATFORM=offscreen exec "$VENV/bin/python" -m pytest "$@"
