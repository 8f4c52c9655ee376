#!/usr/bin/env bash
# The Kubernetes test control plane: etcd, kube-apiserver and kube-scheduler (binaries from
# scripts/k8s/build.sh) on free loopback ports, state under <repo>/.cache/k8s/ (K8S_RUN_DIR).
#
#   cluster.sh start   reuse the running cluster when it answers /readyz, else start a fresh one;
#                      prints the path of cluster.json (ports, CA, tokens, kubeconfigs) on stdout
#   cluster.sh stop    stop the processes it started (by pid) and remove the state
#   cluster.sh status  exit 0 when a started cluster answers /readyz
#
# Starting and stopping take a lock (cluster.lock), so jest workers that call it at the same time
# share one cluster. Identities (static bearer tokens): an admin in system:masters, the restricted
# hub identity "clusterhub" (its rights are granted by the test harness, RBAC in one namespace), and
# the scheduler. Objects (namespace, RBAC, RuntimeClass, fake nodes) are created by the test harness
# (packages/hub-service/test/harness/k8s/).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN=${K8S_RUN_DIR:-$REPO_ROOT/.cache/k8s}
CACHE=${K8S_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterhub/k8s-v1.37.2}
BIN=$CACHE/bin
PKI=$RUN/pki
mkdir -p "$RUN"

log() { echo "k8s-test-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# pid_alive NAME: the pid recorded for NAME is a live process running that binary.
pid_alive() {
  local f=$RUN/pids/$1.pid pid
  [ -s "$f" ] || return 1
  pid=$(tr -dc 0-9 <"$f")
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "${1:0:15}" ]
}
stop_one() { # TERM, up to 15 s, then KILL
  local f=$RUN/pids/$1.pid pid i
  pid_alive "$1" || { rm -f "$f"; return 0; }
  pid=$(tr -dc 0-9 <"$f")
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}
stop_all() { local n; for n in kube-scheduler kube-apiserver etcd; do stop_one "$n"; done; }

healthy() {
  [ -f "$RUN/cluster.json" ] && pid_alive etcd && pid_alive kube-apiserver && pid_alive kube-scheduler || return 1
  local port token
  port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apiPort"])' "$RUN/cluster.json")
  token=$(cat "$PKI/admin.token")
  [ "$(curl -s --max-time 5 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $token" "https://127.0.0.1:$port/readyz")" = ok ]
}

wait_ok() { # wait_ok NAME SECONDS CURL-ARGS...: until the URL answers "ok"
  local name=$1 secs=$2 i
  shift 2
  for i in $(seq 1 $((secs * 5))); do
    [ "$(curl -s --max-time 2 "$@" 2>/dev/null)" = ok ] && return 0
    pid_alive "$name" || { tail -20 "$RUN/logs/$name.log" >&2; die "$name exited"; }
    sleep 0.2
  done
  tail -20 "$RUN/logs/$name.log" >&2
  die "$name not ready after $secs s"
}

start_bg() { # start_bg NAME ARGS...: runs $BIN/NAME in its own session, output to logs/NAME.log
  local name=$1
  shift
  setsid "$BIN/$name" "$@" >"$RUN/logs/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/pids/$name.pid"
}

# cert NAME CA SUBJECT EKU [SAN]: a key and a certificate signed by CA
cert() {
  local n=$1 ca=$2 subj=$3 eku=$4 san=${5:-}
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$n.key" -subj "$subj" -out "$PKI/$n.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n%s' \
    "$eku" "${san:+subjectAltName=$san}" >"$PKI/$n.ext"
  openssl x509 -req -in "$PKI/$n.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial -days 30 \
    -extfile "$PKI/$n.ext" -out "$PKI/$n.crt" 2>/dev/null
  rm -f "$PKI/$n.csr" "$PKI/$n.ext"
}
ca() { openssl req -x509 -new -newkey rsa:2048 -nodes -days 30 -subj "/CN=$2" -keyout "$PKI/$1.key" -out "$PKI/$1.crt" 2>/dev/null; }
token() { openssl rand -hex 24; }

kubeconfig() { # kubeconfig FILE USER TOKEN PORT
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: clusterhub-test
  cluster:
    server: https://127.0.0.1:$4
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $2
  user:
    token: $3
contexts:
- name: $2@clusterhub-test
  context: {cluster: clusterhub-test, user: $2}
current-context: $2@clusterhub-test
KC
  chmod 600 "$1"
}

start() {
  local t0 api etcd_client etcd_peer sched admin hub schedtok
  t0=$(date +%s%N)
  for b in etcd kube-apiserver kube-scheduler; do [ -x "$BIN/$b" ] || die "$BIN/$b missing: run scripts/k8s/build.sh"; done
  stop_all
  rm -rf "$PKI" "$RUN/logs" "$RUN/pids" "$RUN/etcd" "$RUN/cluster.json" "$RUN"/*.kubeconfig
  mkdir -p "$PKI" "$RUN/logs" "$RUN/pids"
  api=$(free_port) etcd_client=$(free_port) etcd_peer=$(free_port) sched=$(free_port)

  ca ca clusterhub-test-ca
  cert apiserver ca /CN=kube-apiserver serverAuth \
    "IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1"
  ca front-proxy-ca clusterhub-test-front-proxy-ca
  cert front-proxy-client front-proxy-ca /CN=front-proxy-client clientAuth
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  admin=$(token) hub=$(token) schedtok=$(token)
  echo "$admin" >"$PKI/admin.token"
  {
    echo "$admin,clusterhub-test-admin,uid-admin,\"system:masters\""
    echo "$hub,clusterhub,uid-clusterhub"
    echo "$schedtok,system:kube-scheduler,uid-scheduler"
  } >"$PKI/tokens.csv"
  chmod 600 "$PKI"/*.key "$PKI/tokens.csv" "$PKI/admin.token"
  kubeconfig "$RUN/admin.kubeconfig" clusterhub-test-admin "$admin" "$api"
  kubeconfig "$RUN/hub.kubeconfig" clusterhub "$hub" "$api"
  kubeconfig "$RUN/scheduler.kubeconfig" system:kube-scheduler "$schedtok" "$api"

  start_bg etcd --name clusterhub-test --data-dir "$RUN/etcd" --unsafe-no-fsync --log-level warn \
    --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "clusterhub-test=http://127.0.0.1:$etcd_peer" --listen-metrics-urls ''
  wait_ok etcd 30 -o /dev/null -w ok "http://127.0.0.1:$etcd_client/health"

  # No controller-manager runs: the harness creates the namespace's default ServiceAccount and
  # removes the not-ready taint from the fake nodes itself.
  start_bg kube-apiserver --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api" \
    --etcd-servers "http://127.0.0.1:$etcd_client" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" --token-auth-file "$PKI/tokens.csv" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$PKI/sa.pub" \
    --service-account-signing-key-file "$PKI/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
    --endpoint-reconciler-type none --profiling=false \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key"
  wait_ok kube-apiserver 120 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $admin" "https://127.0.0.1:$api/readyz"

  start_bg kube-scheduler --kubeconfig "$RUN/scheduler.kubeconfig" \
    --authentication-kubeconfig "$RUN/scheduler.kubeconfig" --authorization-kubeconfig "$RUN/scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port "$sched"
  wait_ok kube-scheduler 60 -k "https://127.0.0.1:$sched/readyz"

  python3 - "$RUN/cluster.json.partial" <<PY
import json, sys
json.dump({
  "apiUrl": "https://127.0.0.1:$api", "apiPort": $api, "caFile": "$PKI/ca.crt",
  "adminToken": "$admin", "hubToken": "$hub", "hubUser": "clusterhub",
  "adminKubeconfig": "$RUN/admin.kubeconfig", "hubKubeconfig": "$RUN/hub.kubeconfig",
  "etcdUrl": "http://127.0.0.1:$etcd_client", "schedulerUrl": "https://127.0.0.1:$sched",
  "runDir": "$RUN", "binDir": "$BIN"}, open(sys.argv[1], "w"), indent=2)
PY
  chmod 600 "$RUN/cluster.json.partial"
  mv "$RUN/cluster.json.partial" "$RUN/cluster.json"
  log "control plane up in $((($(date +%s%N) - t0) / 1000000)) ms (API https://127.0.0.1:$api)"
}

cmd=${1:-}
case "$cmd" in
  start | stop)
    exec 9>"$RUN/cluster.lock"
    flock -w 300 9 || die "could not take $RUN/cluster.lock"
    if [ "$cmd" = start ]; then
      healthy || start
      echo "$RUN/cluster.json"
    else
      stop_all
      rm -rf "$PKI" "$RUN/logs" "$RUN/pids" "$RUN/etcd" "$RUN/cluster.json" "$RUN"/*.kubeconfig
      log "stopped"
    fi
    ;;
  status) healthy ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
