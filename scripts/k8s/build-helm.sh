#!/usr/bin/env bash
# Builds `helm` (helm.sh/helm/v3, pinned below) from the Go module proxy for the chart tests
# (packages/hub-service/test/helm-chart.test.ts), into a cache beside the Kubernetes binaries,
# outside the repository (never committed):
#   ${XDG_CACHE_HOME:-$HOME/.cache}/clusterhub/helm-v3.22.0/
#     bin/helm      the binary
#     gomod/ gocache/   Go's module and build caches
#     build.log     the log of the last build
#     stamp         version + sha256 of the binary of the last successful build
#     done | failed marker of the last run
#
# Same rules as build.sh: idempotent (exits at once when the stamp matches), locked (a second run
# waits on build.lock, then finds the stamp), `nice -n 19` and `go build -p $HELM_BUILD_JOBS`
# (default 1). The version is stamped in as helm's own Makefile does (else `helm version` says
# v3.x-dev and `helm template` assumes Kubernetes 1.20).
# Environment: HELM_CACHE_DIR (the cache above), HELM_BUILD_JOBS, HELM_LOCK_WAIT_S (default 3600).
set -euo pipefail

HELM_VERSION=3.22.0
# The Kubernetes minor version of the client-go that helm v3.22.0 requires (v0.37.0): what
# `helm template` reports as .Capabilities.KubeVersion without --kube-version.
HELM_K8S_MINOR=37
CACHE=${HELM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterhub/helm-v$HELM_VERSION}
BIN=$CACHE/bin
LOG=$CACHE/build.log
JOBS=${HELM_BUILD_JOBS:-1}

mkdir -p "$CACHE"

stamp_text() { # the stamp the current binary would get (fails when it is missing)
  echo "helm v$HELM_VERSION"
  [ -x "$BIN/helm" ] || return 1
  (cd "$BIN" && sha256sum helm)
}
up_to_date() { [ -f "$CACHE/stamp" ] && [ "$(stamp_text 2>/dev/null)" = "$(cat "$CACHE/stamp")" ]; }

exec 9>"$CACHE/build.lock"
if ! flock -n 9; then
  echo "[helm-build] another build is running; waiting for it (lock $CACHE/build.lock)" >&2
  flock -w "${HELM_LOCK_WAIT_S:-3600}" 9 || { echo "[helm-build] gave up waiting for the lock" >&2; exit 1; }
fi
if up_to_date; then
  touch "$CACHE/done"; rm -f "$CACHE/failed"
  exit 0
fi
rm -f "$CACHE/done" "$CACHE/failed" "$CACHE/stamp"
: >"$LOG"
log() { printf '[helm-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$LOG" >&2; }
on_exit() {
  local rc=$?
  if [ "$rc" -eq 0 ]; then touch "$CACHE/done"; else
    tail -n 20 "$LOG" >&2
    log "FAILED (exit $rc); the log: $LOG"
    echo "$rc" >"$CACHE/failed"
  fi
}
trap on_exit EXIT

export PATH=/usr/local/go/bin:$PATH
export GOMODCACHE=$CACHE/gomod GOCACHE=$CACHE/gocache
export GOFLAGS="-buildvcs=false -p=$JOBS" GOTOOLCHAIN=local CGO_ENABLED=0
command -v go >/dev/null || { log "go not found (expected in /usr/local/go/bin or PATH)"; exit 1; }
T0=$(date +%s)
log "building helm v$HELM_VERSION into $BIN (go build -p $JOBS, nice 19)"

# helm's go.mod has no replace directives, so `go install module@version` builds it as released.
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$HELM_K8S_MINOR"
done
mkdir -p "$BIN"
GOBIN=$CACHE/gobin nice -n 19 go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" >>"$LOG" 2>&1
mv -f "$CACHE/gobin/helm" "$BIN/helm"
"$BIN/helm" version --short >>"$LOG" 2>&1

stamp_text >"$CACHE/stamp.partial" && mv -f "$CACHE/stamp.partial" "$CACHE/stamp"
log "done in $(($(date +%s) - T0)) s"
