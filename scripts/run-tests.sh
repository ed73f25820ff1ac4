#!/usr/bin/env bash
# Set everything up (Debian packages, .venv, .venv-core) and run the whole suite:
# lint (ruff), types (mypy), layer contracts (import-linter), the core tests with Qt absent, then all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests

echo "== ruff"; .venv/bin/ruff check desktop_app tests bench models/build scripts packaging
echo "== mypy"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== core tests without PySide6"
.venv-core/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('PySide6') is not None)" \
  || { echo "PySide6 is installed in .venv-core; the Qt-free check would prove nothing" >&2; exit 1; }
.venv-core/bin/python -m pytest tests/core -q -p no:cacheprovider "$@"
echo "== all tests"
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m pytest -q "$@"
echo "screenshots of the real window: $(pwd)/build/screenshots"
