#!/usr/bin/env bash
# Builds the JupyterLab extension and installs it into .venv the standard way, as a wheel:
#   1. tsc for @clusterhub/shared and the extension (incremental);
#   2. `jupyter labextension build` (the prebuilt extension in clusterhub_lab/labextension);
#   3. `python -m build --wheel` (hatchling; the jupyter-builder hook skips npm since step 2 ran);
#   4. `pip install` the wheel into .venv, and check that JupyterLab lists it as enabled and OK.
# Idempotent: each step is skipped when its inputs are older than its output. FORCE=1 rebuilds all.
# Needs .venv from scripts/setup-python.sh and the npm workspace installed (node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${CLUSTERHUB_VENV:-.venv}
EXT=packages/lab-extension
OUT=$EXT/clusterhub_lab/labextension
DIST=$EXT/dist
STAMP=$VENV/.clusterhub-lab-installed
FORCE=${FORCE:-0}

if [ ! -x "$VENV/bin/jupyter" ]; then
  echo "build-labextension: $VENV/bin/jupyter is missing; run scripts/setup-python.sh first" >&2
  exit 1
fi
export PATH="$ROOT/$VENV/bin:$ROOT/node_modules/.bin:$PATH"

# True when a file under the given inputs is newer than $1 (or $1 does not exist).
stale() {
  local target=$1
  shift
  [ "$FORCE" = 1 ] && return 0
  [ -e "$target" ] || return 0
  [ -n "$(find "$@" -newer "$target" -type f -not -path '*/node_modules/*' -print -quit 2>/dev/null)" ]
}

echo "build-labextension: tsc (shared, lab-extension)"
tsc -b packages/shared "$EXT"

if stale "$OUT/package.json" "$EXT/lib" "$EXT/style" "$EXT/schema" "$EXT/package.json" packages/shared/lib; then
  echo "build-labextension: jupyter labextension build"
  rm -rf "$OUT"
  # Build against the JupyterLab in .venv (its core package.json), not a core-meta from the network.
  core=$("$VENV/bin/python" -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging", "package.json"))')
  jupyter labextension build --core-package-file "$core" "$EXT" 2>&1 | { grep -v -e 'is deprecated, use' -e '^ *.\[0m$' || true; }
else
  echo "build-labextension: labextension up to date"
fi

if stale "$STAMP" "$OUT" "$EXT/pyproject.toml" "$EXT/hatch_build.py" "$EXT/install.json" "$EXT/clusterhub_lab/__init__.py"; then
  echo "build-labextension: wheel"
  rm -rf "$DIST"
  # No isolation: the build tools come from .venv (setup-python.sh), so no download is needed;
  # HATCH_JUPYTER_BUILDER_SKIP_NPM guarantees the hook never runs npm (the extension is built above).
  if ! log=$(HATCH_JUPYTER_BUILDER_SKIP_NPM=1 "$VENV/bin/python" -m build --wheel --no-isolation --outdir "$DIST" "$EXT" 2>&1); then
    echo "$log" >&2
    echo "build-labextension: the wheel build failed" >&2
    exit 1
  fi
  wheel=$(ls "$DIST"/clusterhub_lab-*.whl)
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheel"
  touch "$STAMP"
  echo "build-labextension: installed $(basename "$wheel")"
else
  echo "build-labextension: wheel up to date and installed"
fi

listing=$(jupyter labextension list 2>&1)
if ! grep -E '@clusterhub/lab-extension v[^ ]+ .*enabled.*OK' <<<"$listing" >/dev/null; then
  echo "$listing" >&2
  echo "build-labextension: @clusterhub/lab-extension is not listed as enabled and OK" >&2
  exit 1
fi
echo "build-labextension: $(grep '@clusterhub/lab-extension' <<<"$listing" | sed 's/\x1b\[[0-9;]*m//g' | xargs)"
