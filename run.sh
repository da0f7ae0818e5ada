#!/usr/bin/env bash
# Set everything up (first time only) and open the editor: on FILE, or on the bundled sample.
source "$(dirname "$0")/scripts/setup.sh"
ensure_system_packages
ensure_venv
exec "$VENV/bin/isolde" "$@"
