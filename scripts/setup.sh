#!/usr/bin/env bash
# Set up everything the app (and, with --tests, the test suite) needs on a Debian-like machine:
# Debian packages (installed when missing, as root), the .venv with the app and its dev tools.
# Usage: scripts/setup.sh [--tests]
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--tests" ] && want_tests=1

# Qt's xcb platform plugin and PortAudio; Xvfb so the app can open a window on a machine with no screen.
APP_DEBS=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libxcb-cursor0
          libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
          libxcb-xkb1 libxcb-randr0 libxcb1 libglib2.0-0 libzstd1 libportaudio2 libsndfile1 xvfb xauth)
# Virtual microphone (PulseAudio fed by espeak-ng), screenshots and the desktop-entry check for the tests.
# The frozen-app tests build the bundle: reference BLAS/LAPACK replace OpenCV's own OpenBLAS there (packaging/README.md).
TEST_DEBS=(pulseaudio pulseaudio-utils libasound2-plugins espeak-ng imagemagick desktop-file-utils libblas3 liblapack3)

debs=("${APP_DEBS[@]}")
[ "$want_tests" = 1 ] && debs+=("${TEST_DEBS[@]}")

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (install them with sudo apt-get install): ${missing[*]}" >&2
  fi
fi

PY=${PYTHON:-python3}
"$PY" -c "import sys; sys.exit(sys.version_info < (3, 11))" || { echo "setup: Python 3.11 or newer is needed" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
# Versions that drive the bundle's size are pinned (packaging/constraints.txt); a change of either file reinstalls.
stamp=".venv/.installed-$(cat pyproject.toml packaging/constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing the app and its dev tools into .venv (takes a minute the first time)"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1
  .venv/bin/python -m pip install -q -c packaging/constraints.txt -e ".[dev]" > .venv/pip.log 2>&1 || { cat .venv/pip.log; exit 1; }
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if [ "$want_tests" = 1 ]; then
  # A second environment without PySide6: the core tests must pass with Qt absent.
  if [ ! -x .venv-core/bin/python ]; then
    "$PY" -m venv .venv-core
  fi
  core_stamp=".venv-core/.installed-$(cat pyproject.toml packaging/constraints.txt | sha256sum | cut -c1-16)"
  if [ ! -f "$core_stamp" ]; then
    echo "setup: installing the Qt-free core test environment into .venv-core"
    mapfile -t reqs < <(.venv/bin/python scripts/core_requirements.py)
    .venv-core/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1
    { .venv-core/bin/python -m pip install -q -c packaging/constraints.txt "${reqs[@]}" && .venv-core/bin/python -m pip install -q --no-deps -e .; } \
      > .venv-core/pip.log 2>&1 || { cat .venv-core/pip.log; exit 1; }
    rm -f .venv-core/.installed-*
    touch "$core_stamp"
  fi
fi
