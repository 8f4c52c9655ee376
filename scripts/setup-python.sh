#!/usr/bin/env bash
# Creates .venv with the real Jupyter components the hub runs and the tests use:
# jupyterhub 6.1 (jupyterhub-singleuser), JupyterLab 4.6, jupyterhub-idle-culler 2.0, batchspawner 1.3
# (batchspawner-singleuser, which reports a batch job's port to the hub), and the
# build tools for our Lab extension's wheel. Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CLUSTERHUB_VENV:-.venv}
# User servers run as the users' own accounts, so the venv's interpreter must be readable by
# everyone: prefer the system Python (a pyenv build under /root is not) and rebuild a venv whose
# interpreter other accounts cannot run.
if [ -n "${PYTHON:-}" ]; then PY=$PYTHON
elif [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then PY=/usr/bin/python3
else PY=python3; fi
if [ -x "$VENV/bin/python" ] && [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
  bash scripts/ensure-reachable.sh "$VENV/bin"
  if ! runuser -u nobody -- "$VENV/bin/python" -c pass 2>/dev/null; then
    echo "setup-python: $VENV uses an interpreter other accounts cannot run ($(readlink -f "$VENV/bin/python")); rebuilding it with $PY"
    rm -rf "$VENV"
  fi
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
  bash scripts/ensure-reachable.sh "$VENV/bin"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  'jupyterhub==6.1.*' 'jupyterlab==4.6.*' 'jupyterhub-idle-culler==2.0.*' 'batchspawner==1.3.*' \
  'hatchling>=1.21' 'hatch-jupyter-builder>=0.9' build
echo "python venv ready: $VENV ($("$VENV/bin/jupyterhub-singleuser" --version 2>/dev/null || echo '?'))"
