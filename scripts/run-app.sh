#!/usr/bin/env bash
# Set everything up and launch the app on its bundled models. Extra arguments go to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run-app: no display found; opening the window on a virtual screen (Xvfb)."
  exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/desktop-app gui "$@"
fi
exec .venv/bin/desktop-app gui "$@"
