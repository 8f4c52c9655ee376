#!/usr/bin/env bash
# Builds the Kubernetes test control plane from the Go module proxy: kube-apiserver and
# kube-scheduler (k8s.io/kubernetes v1.37.2) and etcd 3.7.3 (go.etcd.io/etcd/server/v3).
#
# Everything goes into a cache outside the repository (never committed):
#   ${XDG_CACHE_HOME:-$HOME/.cache}/clusterhub/k8s-v1.37.2/
#     bin/          the three binaries
#     gomod/ gocache/ work/   Go's module and build caches and the two small build modules
#     build.log     the log of the last build
#     stamp         versions + sha256 of the binaries of the last successful build
#     done | failed marker of the last run (tests wait for one of the two)
#
# Idempotent: when the stamp matches the binaries it exits at once. Safe to run twice at once: the
# second run waits for the first (flock on build.lock), then finds the stamp and exits.
# Runs under `nice -n 19` with `go build -p $K8S_BUILD_JOBS` (default 1: the machine is shared).
# Environment: K8S_CACHE_DIR (the cache above), K8S_BUILD_JOBS, K8S_LOCK_WAIT_S (default 3600).
set -euo pipefail

K8S_VERSION=1.37.2
ETCD_VERSION=3.7.3
CACHE=${K8S_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterhub/k8s-v$K8S_VERSION}
BIN=$CACHE/bin
LOG=$CACHE/build.log
BINARIES=(kube-apiserver kube-scheduler etcd)
JOBS=${K8S_BUILD_JOBS:-1}

mkdir -p "$CACHE"

stamp_text() { # the stamp the current binaries would get (fails when one is missing)
  echo "kubernetes v$K8S_VERSION etcd v$ETCD_VERSION"
  local b
  for b in "${BINARIES[@]}"; do
    [ -x "$BIN/$b" ] || return 1
    (cd "$BIN" && sha256sum "$b")
  done
}
up_to_date() { [ -f "$CACHE/stamp" ] && [ "$(stamp_text 2>/dev/null)" = "$(cat "$CACHE/stamp")" ]; }

exec 9>"$CACHE/build.lock"
if ! flock -n 9; then
  echo "[k8s-build] another build is running; waiting for it (lock $CACHE/build.lock)" >&2
  flock -w "${K8S_LOCK_WAIT_S:-3600}" 9 || { echo "[k8s-build] gave up waiting for the lock" >&2; exit 1; }
fi
if up_to_date; then
  touch "$CACHE/done"; rm -f "$CACHE/failed"
  exit 0
fi
rm -f "$CACHE/done" "$CACHE/failed" "$CACHE/stamp"
: >"$LOG"
log() { printf '[k8s-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$LOG" >&2; }
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
log "building kubernetes v$K8S_VERSION + etcd v$ETCD_VERSION into $BIN (go build -p $JOBS, nice 19)"

# --- the Kubernetes build module: k8s.io/kubernetes needs each of its staging modules (k8s.io/api,
# k8s.io/apiserver, ...) pinned to the matching v0.x release, as its own go.mod replaces them with
# local folders that the module proxy does not have.
KDIR=$CACHE/work/kubernetes
mkdir -p "$KDIR" "$BIN"
if [ ! -f "$KDIR/go.sum" ]; then
  kmod=$(cd "$KDIR" && go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" 2>>"$LOG" | tee -a "$LOG" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' || true)
  [ -f "$kmod" ] || { log "could not fetch the go.mod of k8s.io/kubernetes@v$K8S_VERSION"; exit 1; }
  staging="v0.${K8S_VERSION#*.}"
  goline=$(sed -n 's/^go //p' "$kmod")
  {
    printf 'module clusterhub.test/k8s-build\n\ngo %s\n\n' "$goline"
    printf 'godebug default=go%s\n\n' "$(echo "$goline" | cut -d. -f1,2)"
    printf 'require k8s.io/kubernetes v%s\n\n' "$K8S_VERSION"
    printf 'tool (\n\tk8s.io/kubernetes/cmd/kube-apiserver\n\tk8s.io/kubernetes/cmd/kube-scheduler\n)\n\n'
    echo 'replace ('
    awk -v v="$staging" '/^replace \(/{r=1; next} r && /^\)/{r=0} r && /=>/{printf "\t%s => %s %s\n", $1, $1, v}' "$kmod"
    echo ')'
  } >"$KDIR/go.mod"
  log "go mod tidy (downloads the modules)"
  (cd "$KDIR" && go mod tidy) >>"$LOG" 2>&1
fi
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2) -X $p.gitTreeState=clean"
done
for cmd in kube-apiserver kube-scheduler; do
  t=$(date +%s)
  log "go build $cmd"
  (cd "$KDIR" && nice -n 19 go build -trimpath -ldflags "$ldflags" -o "$BIN/$cmd.partial" "k8s.io/kubernetes/cmd/$cmd") >>"$LOG" 2>&1
  mv -f "$BIN/$cmd.partial" "$BIN/$cmd"
  log "built $cmd in $(($(date +%s) - t)) s"
done

# --- etcd: a module whose main calls etcd's own entry point.
EDIR=$CACHE/work/etcd
mkdir -p "$EDIR"
cat >"$EDIR/main.go" <<'GO'
// Command etcd is etcd's server, built from its published module.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
if [ ! -f "$EDIR/go.sum" ]; then
  (cd "$EDIR" && rm -f go.mod && go mod init clusterhub.test/etcd-build && go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" && go mod tidy) >>"$LOG" 2>&1
fi
t=$(date +%s)
log "go build etcd"
(cd "$EDIR" && nice -n 19 go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.partial" .) >>"$LOG" 2>&1
mv -f "$BIN/etcd.partial" "$BIN/etcd"
log "built etcd in $(($(date +%s) - t)) s"

stamp_text >"$CACHE/stamp.partial" && mv -f "$CACHE/stamp.partial" "$CACHE/stamp"
log "done in $(($(date +%s) - T0)) s"
