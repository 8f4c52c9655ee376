#!/usr/bin/env bash
# Content stamps for the install steps (sourced by install.sh): a step records a hash of its inputs
# in .cache/stamps/<step> when it succeeds, and is skipped while the inputs hash the same and its
# output exists. Hashes cover file contents (not times), so a checkout, a pull or an edit that
# changes an input re-runs the step, and nothing else does. CI=true or FORCE=1 ignores stamps.
STAMP_DIR=.cache/stamps

# Prints one hash of the given files and folders (contents and paths; node_modules and caches
# excluded; name only source folders, never build outputs) plus any extra words after `--`.
inputs_hash() {
  local paths=() extra=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do paths+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift && extra=("$@")
  {
    printf '%s\n' "${extra[@]}"
    find "${paths[@]}" -type f -not -path '*/node_modules/*' -not -path '*/__pycache__/*' -not -name '*.tsbuildinfo' -print0 2>/dev/null |
      sort -z | xargs -0 -r sha256sum
  } | sha256sum | cut -d' ' -f1
}

# True when step $1 last succeeded with inputs hashing to $2 and every output path after them exists.
up_to_date() {
  local step=$1 hash=$2
  shift 2
  [ "${CI:-}" = "true" ] || [ "${FORCE:-0}" = 1 ] && return 1
  [ "$(cat "$STAMP_DIR/$step" 2>/dev/null)" = "$hash" ] || return 1
  local out
  for out in "$@"; do [ -e "$out" ] || return 1; done
  return 0
}

# Records that step $1 succeeded with inputs hashing to $2.
mark_done() {
  mkdir -p "$STAMP_DIR"
  printf '%s\n' "$2" >"$STAMP_DIR/$1"
}
