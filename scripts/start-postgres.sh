#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 for tests, or stops one.
#
#   scripts/start-postgres.sh [start] [database]   starts a fresh cluster on a free loopback port,
#                                                  creates <database> (default clusterhub_test) and
#                                                  prints, on stdout only:
#                                                    CLUSTERHUB_TEST_PG_URL=postgres://postgres@127.0.0.1:<port>/<database>
#                                                    CLUSTERHUB_TEST_PG_DATADIR=<data dir>
#   scripts/start-postgres.sh stop <datadir>       stops that cluster and deletes its scratch folder.
#
# Installs the Debian `postgresql` package (without its default cluster) only when the binaries
# are missing. initdb and pg_ctl refuse to run as root, so as root they run as user `postgres`.
# The cluster trusts every local connection, listens on 127.0.0.1 only, and trades durability
# for speed (fsync off): it is for tests, never for data.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
START_TIMEOUT_S=30

log() { echo "start-postgres: $*" >&2; }

# Runs a command as the postgres user when we are root, else as ourselves.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    local cmd
    printf -v cmd '%q ' "$@"
    su postgres -s /bin/sh -c "$cmd"
  else
    "$@"
  fi
}

ensure_binaries() {
  if [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ]; then return; fi
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL binaries not found in $PG_BIN and not root: install the Debian package 'postgresql'"
    exit 1
  fi
  log "installing the Debian package postgresql"
  # Do not let the package create and start its own cluster on port 5432.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  # confold keeps the createcluster.conf written above when the package brings its own.
  local install=(apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql)
  if ! "${install[@]}" </dev/null >&2; then
    apt-get update -q </dev/null >&2
    "${install[@]}" </dev/null >&2
  fi
  if [ ! -x "$PG_BIN/initdb" ]; then
    log "postgresql installed but $PG_BIN/initdb is missing (set PG_BIN)"
    exit 1
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

start() {
  local db="${1:-clusterhub_test}"
  if ! [[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]]; then
    log "invalid database name: $db"
    exit 2
  fi
  ensure_binaries
  local base data port attempt started=0
  base="$(mktemp -d "${TMPDIR:-/tmp}/clusterhub-pg.XXXXXX")"
  data="$base/data"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$base"; fi
  chmod 700 "$base"
  as_pg "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale --no-sync --no-instructions >"$base/initdb.log" 2>&1 || {
    log "initdb failed:"
    cat "$base/initdb.log" >&2
    exit 1
  }
  # The port may be taken between choosing and binding: try a few.
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    if as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$base/server.log" -w -t "$START_TIMEOUT_S" \
      -o "-p $port -k $base -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >&2; then
      started=1
      break
    fi
    log "start attempt $attempt on port $port failed"
  done
  if [ "$started" != 1 ]; then
    log "PostgreSQL did not start; server log:"
    cat "$base/server.log" >&2 || true
    exit 1
  fi
  as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db" >&2
  echo "CLUSTERHUB_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/$db"
  echo "CLUSTERHUB_TEST_PG_DATADIR=$data"
}

stop() {
  local data="${1:-}"
  if [ -z "$data" ]; then
    log "usage: $0 stop <datadir>"
    exit 2
  fi
  local base
  base="$(dirname "$data")"
  case "$(basename "$base")" in
    clusterhub-pg.*) ;;
    *)
      log "refusing to stop $data: not a folder made by this script"
      exit 2
      ;;
  esac
  if [ -f "$data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t "$START_TIMEOUT_S" stop >&2 || true
  fi
  rm -rf -- "$base"
}

case "${1:-start}" in
  start)
    shift || true
    start "$@"
    ;;
  stop)
    shift
    stop "$@"
    ;;
  *)
    log "usage: $0 [start [database]] | stop <datadir>"
    exit 2
    ;;
esac
