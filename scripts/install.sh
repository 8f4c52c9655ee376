#!/usr/bin/env bash
# Sets up everything the hub needs on a fresh machine: npm packages, the TypeScript build, the
# Python venv (jupyterhub-singleuser 6.1, JupyterLab 4.6, idle culler) and our Lab extension
# installed into it as a wheel. Idempotent: a second run only redoes what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ "${CI:-}" = "true" ] || [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "type generation check"
node scripts/gen-types.mjs --check
log "TypeScript build"
npx tsc -b packages/shared packages/hub-service
log "Python venv (.venv)"
bash scripts/setup-python.sh
log "JupyterLab extension"
bash scripts/build-labextension.sh
