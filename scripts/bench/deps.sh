#!/usr/bin/env bash
# What `npm run bench` needs besides the npm workspace: wrk (Debian package) and the venv's
# JupyterHub 6.1 (scripts/setup-python.sh). Installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v wrk >/dev/null; then
  echo "==> apt-get install wrk"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk
fi
[ -x .venv/bin/jupyterhub ] || bash scripts/setup-python.sh
[ -x node_modules/configurable-http-proxy/bin/configurable-http-proxy ] || { echo "configurable-http-proxy is missing: run npm install first" >&2; exit 1; }
