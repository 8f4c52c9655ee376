#!/usr/bin/env bash
# Starts a real single-node Slurm cluster for the tests (munge, a private MariaDB, slurmdbd,
# slurmctld, slurmd), once per machine session: a cluster that already runs with the same
# configuration is reused; one left half-running by an earlier run is stopped and started cleanly.
# Safe to call from several processes at once (a lock file). Needs root. Scratch state lives in
# <repo>/.cache/slurm/. Prints the cluster's description (JSON, also in .cache/slurm/cluster.json).
# The configuration files live at Slurm's default paths (/etc/slurm), since commands run through
# `sudo -u <user>` or over SSH read only those; they are written only when absent or when they carry
# this project's marker line, never over a site's own files.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/slurm/common.sh
source "$HERE/common.sh"

[ "$(id -u)" -eq 0 ] || die "the test Slurm cluster needs root (munged, slurmd and the job users)"
for bin in munged slurmctld slurmd slurmdbd mariadbd mariadb-install-db sbatch qsub flock runuser; do
  command -v "$bin" >/dev/null || die "$bin is missing: run scripts/system-deps.sh"
done

# Daemons run as other accounts (mysql for MariaDB): whatever umask the caller has (a test process
# may have set 077), the scratch folders must be traversable by them; secrets inside are made 0600
# explicitly. The parents of the checkout are made reachable as for the venv (ensure-reachable.sh).
umask 022
mkdir -p "$SCRATCH"
chmod 755 "$SCRATCH" "$(dirname "$SCRATCH")"
bash "$REPO_ROOT/scripts/ensure-reachable.sh" "$SCRATCH"
# fd 9 holds the lock; every daemon is started with 9>&- so none keeps it.
exec 9>"$SCRATCH/lock"
flock 9

# ---- configuration (rendered into scratch first; compared with what runs) ---------------------
mkdir -p "$SCRATCH/etc" "$SCRATCH/dev" "$SCRATCH/log" "$SCRATCH/run" "$SCRATCH/ctld" "$SCRATCH/spool"
[ -s "$SCRATCH/mysql-port" ] || free_port >"$SCRATCH/mysql-port"
MYSQL_PORT="$(cat "$SCRATCH/mysql-port")"
[ -s "$SCRATCH/dbd-password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$SCRATCH/dbd-password"
chmod 600 "$SCRATCH/dbd-password"
DBD_PASSWORD="$(cat "$SCRATCH/dbd-password")"

render_slurm_conf >"$SCRATCH/etc/slurm.conf"
render_gres_conf >"$SCRATCH/etc/gres.conf"
render_slurmdbd_conf >"$SCRATCH/etc/slurmdbd.conf"

for f in slurm.conf gres.conf slurmdbd.conf; do
  target="/etc/slurm/$f"
  if [ -e "$target" ] && ! grep -q "^$MARKER" "$target"; then
    die "$target exists and was not written by these tests (no '$MARKER' line): refusing to overwrite a real Slurm configuration"
  fi
done

# ---- daemons of another test cluster hold the ports: stop them first ---------------------------
# (another checkout of this project, or pid files lost). /etc/slurm carries this project's marker
# (checked above), so every Slurm daemon here is a test one; MariaDB only when its data folder is a
# test cluster's. Without this, a stale slurmctld would answer for ours and fool the reuse check.
stale=()
for d in slurmctld slurmd slurmdbd; do
  for pid in $(pgrep -x "$d" || true); do
    [ "$(tr -dc 0-9 2>/dev/null <"$SCRATCH/run/$d.pid" || true)" = "$pid" ] || stale+=("$pid")
  done
done
for pid in $(pgrep -x mariadbd || true); do
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- '--datadir=[^ ]*/\.cache/slurm/mysql/data' &&
    [ "$(tr -dc 0-9 2>/dev/null <"$SCRATCH/mysql/mariadbd.pid" || true)" != "$pid" ]; then
    stale+=("$pid")
  fi
done
if [ "${#stale[@]}" -gt 0 ]; then
  log "stopping daemons of another test cluster: ${stale[*]}"
  kill -TERM "${stale[@]}" 2>/dev/null || true
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${stale[@]}"; do [ -e "/proc/$pid" ] && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  kill -KILL "${stale[@]}" 2>/dev/null || true
fi

# ---- reuse a running cluster with the same configuration ---------------------------------------
same_config=1
for f in slurm.conf gres.conf slurmdbd.conf; do
  cmp -s "$SCRATCH/etc/$f" "/etc/slurm/$f" || same_config=0
done
wait_while_paused
if [ "$same_config" = 1 ] && cluster_healthy; then
  log "reusing the running test cluster"
  write_description
  exit 0
fi

log "starting the test Slurm cluster (scratch: $SCRATCH)"
stop_all_daemons
mkdir -p /etc/slurm
install -m 644 "$SCRATCH/etc/slurm.conf" /etc/slurm/slurm.conf
install -m 644 "$SCRATCH/etc/gres.conf" /etc/slurm/gres.conf
install -m 600 "$SCRATCH/etc/slurmdbd.conf" /etc/slurm/slurmdbd.conf

# ---- Unix users the jobs run as -----------------------------------------------------------------
for u in $CLUSTER_USERS; do
  if ! id -u "$u" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$u" 2>/dev/null || id -u "$u" >/dev/null || die "cannot create user $u"
  fi
  home="$(getent passwd "$u" | cut -d: -f6)"
  mkdir -p "$home" && chown "$u:" "$home" && chmod 700 "$home"
done

# ---- GPU and MIG devices: character devices (like /dev/null), so jobs get CUDA_VISIBLE_DEVICES --
for i in $(seq 0 8); do
  dev="$SCRATCH/dev/nvidia$i"
  [ -c "$dev" ] || { rm -f "$dev"; mknod "$dev" c 1 3; }
done

# ---- munge ------------------------------------------------------------------------------------
start_munge

# ---- MariaDB (private: own datadir, socket, loopback port; runs as mysql) -----------------------
start_mariadb

# ---- slurmdbd, then the accounting objects, then slurmctld and slurmd ---------------------------
start_slurmdbd
setup_accounting
start_slurmctld
start_slurmd
wait_node_ready
log "test Slurm cluster ready: node $NODE_NAME"
write_description
