#!/usr/bin/env bash
# One command from a fresh clone to a running hub with its embedded default: SQLite in .data/,
# local accounts (the first admin's password is printed once), local-process servers running
# jupyterhub-singleuser + JupyterLab from .venv, and the built-in proxy on http://127.0.0.1:8000.
# Extra arguments go to `clusterhub serve` (e.g. --config my-hub.yaml). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec node packages/hub-service/lib/cli/main.js serve "$@"
