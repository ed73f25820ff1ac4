#!/usr/bin/env bash
# The CUDA flavour in its own environment (.venv-cuda): the app with onnxruntime-gpu and the CUDA + cuDNN
# runtime libraries from PyPI (the `cuda` extra, about 2.1 GB), so only the NVIDIA driver is needed on the
# machine. Never two ONNX Runtime wheels in one environment: this one has no `onnxruntime`.
# Usage: scripts/setup-cuda.sh   then   .venv-cuda/bin/desktop-app providers
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv-cuda/bin/python ] || "$PY" -m venv .venv-cuda
stamp=".venv-cuda/.installed-$(cat pyproject.toml packaging/constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup-cuda: installing the app with onnxruntime-gpu[cuda,cudnn] into .venv-cuda (downloads about 2 GB)"
  mapfile -t reqs < <("$PY" scripts/cuda_requirements.py)
  .venv-cuda/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1
  { .venv-cuda/bin/python -m pip install -q -c packaging/constraints.txt "${reqs[@]}" && .venv-cuda/bin/python -m pip install -q --no-deps -e .; } \
    > .venv-cuda/pip.log 2>&1 || { cat .venv-cuda/pip.log; exit 1; }
  if .venv-cuda/bin/python -m pip show -q onnxruntime >/dev/null 2>&1; then
    echo "setup-cuda: the CPU onnxruntime wheel got into .venv-cuda; remove it" >&2; exit 1
  fi
  rm -f .venv-cuda/.installed-*
  touch "$stamp"
fi
