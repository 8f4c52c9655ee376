#!/usr/bin/env bash
# Sets up everything the hub needs on a fresh machine: npm packages, the TypeScript build, the
# Python venv (jupyterhub-singleuser 6.1, JupyterLab 4.6, idle culler) and our Lab extension
# installed into it as a wheel. A second run only redoes what changed: each step is skipped while
# a hash of its inputs matches the one recorded when it last succeeded (scripts/stamp.sh), so
# `npm start` on an unchanged checkout starts at once. CI=true or FORCE=1 runs every step.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
# shellcheck source=scripts/stamp.sh
. scripts/stamp.sh
VENV=${CLUSTERHUB_VENV:-.venv}

if [ "${CI:-}" = "true" ] || [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -e node_modules/.bin/clusterhub ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

build_hash=$(inputs_hash package-lock.json tsconfig.base.json tsconfig.json schema scripts/gen-types.mjs \
  packages/shared/src packages/shared/package.json packages/shared/tsconfig.json \
  packages/hub-service/src packages/hub-service/package.json packages/hub-service/tsconfig.json -- "node $(node --version)")
if up_to_date build "$build_hash" packages/shared/lib/index.js packages/hub-service/lib/cli/main.js; then
  log "TypeScript build up to date"
else
  log "type generation check"
  node scripts/gen-types.mjs --check
  log "TypeScript build"
  npx tsc -b packages/shared packages/hub-service
  mark_done build "$build_hash"
fi

python_hash=$(inputs_hash scripts/setup-python.sh scripts/ensure-reachable.sh -- "uid $(id -u)" "python ${PYTHON:-} $(/usr/bin/python3 --version 2>&1 || true)" "venv $VENV")
if up_to_date python "$python_hash" "$VENV/bin/jupyterhub-singleuser" "$VENV/bin/jupyter"; then
  log "Python venv ($VENV) up to date"
else
  log "Python venv ($VENV)"
  bash scripts/setup-python.sh
  mark_done python "$python_hash"
fi

ext_hash=$(inputs_hash scripts/build-labextension.sh packages/shared/src packages/lab-extension/src packages/lab-extension/style \
  packages/lab-extension/schema packages/lab-extension/package.json packages/lab-extension/pyproject.toml \
  packages/lab-extension/hatch_build.py packages/lab-extension/install.json packages/lab-extension/clusterhub_lab/__init__.py \
  packages/lab-extension/tsconfig.json -- "python $python_hash")
if up_to_date labextension "$ext_hash" "$VENV/.clusterhub-lab-installed" packages/lab-extension/clusterhub_lab/labextension/package.json; then
  log "JupyterLab extension up to date"
else
  log "JupyterLab extension"
  bash scripts/build-labextension.sh
  mark_done labextension "$ext_hash"
fi
