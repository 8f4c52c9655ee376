#!/usr/bin/env bash
# Creates .venv with the real Jupyter components the hub runs and the tests use:
# jupyterhub 6.1 (jupyterhub-singleuser), JupyterLab 4.6, jupyterhub-idle-culler 2.0, and the
# build tools for our Lab extension's wheel. Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CLUSTERHUB_VENV:-.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  'jupyterhub==6.1.*' 'jupyterlab==4.6.*' 'jupyterhub-idle-culler==2.0.*' \
  'hatchling>=1.21' 'hatch-jupyter-builder>=0.9' build
echo "python venv ready: $VENV ($("$VENV/bin/jupyterhub-singleuser" --version 2>/dev/null || echo '?'))"
