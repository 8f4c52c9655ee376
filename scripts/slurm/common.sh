# Shared by scripts/slurm/start.sh and stop.sh: names, paths and the steps of the test cluster.
# shellcheck shell=bash
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SCRATCH="${CLUSTERHUB_SLURM_SCRATCH:-$REPO_ROOT/.cache/slurm}"
MARKER='# written by clusterhub tests'
CLUSTER_NAME=clusterhub
NODE_NAME="$(hostname -s)"
CLUSTER_USERS='alice bob'
DB_NAME=slurm_acct_db
# Present while a test has stopped slurmctld on purpose (controller.sh stop).
PAUSED_MARKER="$SCRATCH/run/slurmctld.paused"

log() { echo "slurm-test-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pid_alive FILE NAME: the pid in FILE is a live process called NAME.
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid="$(tr -dc 0-9 <"$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$2" ]
}

# stop_pidfile FILE NAME: TERM the process, wait up to 20 s, then KILL.
stop_pidfile() {
  local pid i
  pid_alive "$1" "$2" || { rm -f "$1"; return 0; }
  pid="$(tr -dc 0-9 <"$1")"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do
    pid_alive "$1" "$2" || break
    sleep 0.5
  done
  if pid_alive "$1" "$2"; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  rm -f "$1"
}

# wait_for SECONDS WHAT COMMAND...: retry COMMAND every half second until it succeeds.
wait_for() {
  local secs="$1" what="$2" i
  shift 2
  for i in $(seq 1 $((secs * 2))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "$what did not come up within ${secs}s (logs: $SCRATCH/log/)"
}

render_slurm_conf() {
  cat <<CONF
$MARKER (scripts/slurm/start.sh); a single-node test cluster, state in $SCRATCH
ClusterName=$CLUSTER_NAME
SlurmctldHost=$NODE_NAME(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
SlurmdParameters=config_overrides
ReturnToService=2
StateSaveLocation=$SCRATCH/ctld
SlurmdSpoolDir=$SCRATCH/spool
SlurmctldPidFile=$SCRATCH/run/slurmctld.pid
SlurmdPidFile=$SCRATCH/run/slurmd.pid
SlurmctldLogFile=$SCRATCH/log/slurmctld.log
SlurmdLogFile=$SCRATCH/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=5
MinJobAge=120
KillWait=5
InactiveLimit=0
SlurmctldTimeout=120
SlurmdTimeout=300
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStorageEnforce=associations,limits,qos
AccountingStorageTRES=gres/gpu,gres/gpu:a100,gres/gpu:1g.5gb
AccountingStoreFlags=job_comment
JobCompType=jobcomp/none
DefMemPerCPU=500
NodeName=$NODE_NAME NodeAddr=127.0.0.1 CPUs=4 RealMemory=8000 Gres=gpu:a100:2,gpu:1g.5gb:7 State=UNKNOWN
PartitionName=cpu Nodes=$NODE_NAME Default=YES DefaultTime=01:00:00 MaxTime=1-00:00:00 State=UP
PartitionName=gpu Nodes=$NODE_NAME DefaultTime=01:00:00 MaxTime=1-00:00:00 State=UP
CONF
}

render_gres_conf() {
  cat <<CONF
$MARKER (scripts/slurm/start.sh): GPUs and MIG slices over character devices, no hardware
AutoDetect=off
NodeName=$NODE_NAME Name=gpu Type=a100 File=$SCRATCH/dev/nvidia[0-1]
NodeName=$NODE_NAME Name=gpu Type=1g.5gb File=$SCRATCH/dev/nvidia[2-8]
CONF
}

render_slurmdbd_conf() {
  cat <<CONF
$MARKER (scripts/slurm/start.sh): accounting in a private MariaDB on 127.0.0.1:$MYSQL_PORT
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=root
PidFile=$SCRATCH/run/slurmdbd.pid
LogFile=$SCRATCH/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$MYSQL_PORT
StorageUser=slurm
StoragePass=$DBD_PASSWORD
StorageLoc=$DB_NAME
CONF
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  if munge_works; then return 0; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    head -c 1024 /dev/urandom >/etc/munge/munge.key
  fi
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 755 /run/munge
  # --force: a socket left by a munged that is gone (munge_works failed) is replaced.
  runuser -u munge -- /usr/sbin/munged --force 9>&- </dev/null >>"$SCRATCH/log/munged.out" 2>&1 \
    || die "munged did not start (see $SCRATCH/log/munged.out and /var/log/munge/munged.log)"
  touch "$SCRATCH/run/munged.started-by-tests"
  wait_for 10 munged munge_works
}

mysql_root() { mariadb --no-defaults --socket="$SCRATCH/mysql/mysqld.sock" -uroot "$@"; }

start_mariadb() {
  local data="$SCRATCH/mysql/data"
  mkdir -p "$SCRATCH/mysql"
  chown mysql: "$SCRATCH/mysql"
  if [ ! -d "$data/mysql" ]; then
    rm -rf "$data"
    mariadb-install-db --no-defaults --user=mysql --datadir="$data" --skip-test-db \
      --auth-root-authentication-method=socket >"$SCRATCH/log/mariadb-install.log" 2>&1 \
      || die "mariadb-install-db failed (see $SCRATCH/log/mariadb-install.log)"
  fi
  setsid mariadbd --no-defaults --user=mysql --datadir="$data" \
    --socket="$SCRATCH/mysql/mysqld.sock" --port="$MYSQL_PORT" --bind-address=127.0.0.1 \
    --pid-file="$SCRATCH/mysql/mariadbd.pid" --log-error="$SCRATCH/mysql/mariadb.log" \
    --skip-name-resolve --innodb-buffer-pool-size=64M 9>&- </dev/null >/dev/null 2>&1 &
  wait_for 60 MariaDB mysql_root -e 'SELECT 1'
  mysql_root <<SQL || die "cannot create the slurm database user"
CREATE DATABASE IF NOT EXISTS $DB_NAME;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$DBD_PASSWORD';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$DBD_PASSWORD';
GRANT ALL ON $DB_NAME.* TO 'slurm'@'127.0.0.1';
SQL
}

sacctmgr_answers() { timeout 10 sacctmgr -n -P show cluster format=Cluster; }

start_slurmdbd() {
  slurmdbd 9>&- </dev/null >>"$SCRATCH/log/slurmdbd.out" 2>&1 || die "slurmdbd did not start (see $SCRATCH/log/slurmdbd.log)"
  wait_for 60 slurmdbd sacctmgr_answers
}

# Cluster, accounts, QoS and users with their associations; each step only when missing.
setup_accounting() {
  local s=(sacctmgr -i)
  sacctmgr -n -P show cluster format=Cluster | grep -qx "$CLUSTER_NAME" \
    || "${s[@]}" add cluster "$CLUSTER_NAME" >/dev/null
  for a in physics chem; do
    sacctmgr -n -P show account "$a" format=Account | grep -qx "$a" \
      || "${s[@]}" add account "$a" Cluster="$CLUSTER_NAME" Description="$a" Organization=clusterhub-tests >/dev/null
  done
  sacctmgr -n -P show qos gpu-short format=Name | grep -qx gpu-short \
    || "${s[@]}" add qos gpu-short >/dev/null
  "${s[@]}" modify qos gpu-short set MaxWall=01:00:00 Priority=10 >/dev/null || true
  add_user alice physics,chem physics normal,gpu-short
  add_user bob chem chem normal
  sacctmgr -n -P show assoc user=alice format=Account | grep -qx physics || die "alice's associations are missing"
}

# add_user NAME ACCOUNTS DEFAULT_ACCOUNT QOS_LIST
add_user() {
  local want have
  for acct in ${2//,/ }; do
    sacctmgr -n -P show assoc user="$1" account="$acct" format=Account | grep -qx "$acct" \
      || sacctmgr -i add user "$1" Account="$acct" DefaultAccount="$3" Cluster="$CLUSTER_NAME" >/dev/null
  done
  sacctmgr -i modify user "$1" set QOS="$4" DefaultQOS=normal >/dev/null 2>&1 || true
}

start_slurmctld() {
  slurmctld -i 9>&- </dev/null >>"$SCRATCH/log/slurmctld.out" 2>&1 || die "slurmctld did not start (see $SCRATCH/log/slurmctld.log)"
  wait_for 60 slurmctld timeout 10 scontrol ping
}

start_slurmd() {
  slurmd 9>&- </dev/null >>"$SCRATCH/log/slurmd.out" 2>&1 || die "slurmd did not start (see $SCRATCH/log/slurmd.log)"
}

node_state() { timeout 10 sinfo -h -n "$NODE_NAME" -o %T 2>/dev/null | head -n1; }

# Any state that takes jobs: idle, mixed, allocated, completing, planned (22.05's backfill plan), …
node_usable() {
  case "$(node_state)" in
    '' | down* | drain* | fail* | unknown* | inval* | *'*') return 1 ;;
    *) return 0 ;;
  esac
}

wait_node_ready() {
  local i
  for i in $(seq 1 120); do
    node_usable && return 0
    case "$(node_state)" in
      down* | drain* | drained*) scontrol update NodeName="$NODE_NAME" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  die "node $NODE_NAME is not usable (state '$(node_state)'; logs: $SCRATCH/log/)"
}

# A test that stopped slurmctld on purpose gets up to 5 minutes to start it again.
wait_while_paused() {
  local i
  for i in $(seq 1 300); do
    [ -e "$PAUSED_MARKER" ] || return 0
    [ "$i" -eq 1 ] && log "slurmctld is stopped by a test (controller.sh stop): waiting for it"
    sleep 1
  done
  log "slurmctld stayed stopped for 5 minutes: restarting the cluster"
  rm -f "$PAUSED_MARKER"
}

# Succeeds when every daemon runs and answers; otherwise says (on stderr) what is wrong.
cluster_healthy() {
  local why=''
  if ! munge_works; then why='munge does not answer'
  elif ! pid_alive "$SCRATCH/mysql/mariadbd.pid" mariadbd; then why='MariaDB is not running'
  elif ! pid_alive "$SCRATCH/run/slurmdbd.pid" slurmdbd; then why='slurmdbd is not running'
  elif ! pid_alive "$SCRATCH/run/slurmctld.pid" slurmctld; then why='slurmctld is not running'
  elif ! pid_alive "$SCRATCH/run/slurmd.pid" slurmd; then why='slurmd is not running'
  elif ! node_usable; then why="node $NODE_NAME is '$(node_state)'"
  elif ! sacctmgr -n -P show assoc user=alice format=Account 2>/dev/null | grep -qx physics; then why='sacctmgr does not list alice in physics'
  fi
  [ -z "$why" ] && return 0
  [ ! -s "$SCRATCH/run/slurmctld.pid" ] && [ ! -s "$SCRATCH/run/slurmd.pid" ] || log "not reusing the running cluster: $why"
  return 1
}

# Cancel every job (root's scancel covers all users), then stop the daemons this harness started.
stop_all_daemons() {
  if pid_alive "$SCRATCH/run/slurmctld.pid" slurmctld; then
    timeout 10 scancel --partition=cpu >/dev/null 2>&1 || true
    timeout 10 scancel --partition=gpu >/dev/null 2>&1 || true
  fi
  stop_pidfile "$SCRATCH/run/slurmd.pid" slurmd
  stop_pidfile "$SCRATCH/run/slurmctld.pid" slurmctld
  rm -f "$PAUSED_MARKER"
  stop_pidfile "$SCRATCH/run/slurmdbd.pid" slurmdbd
  stop_pidfile "$SCRATCH/mysql/mariadbd.pid" mariadbd
}

write_description() {
  local users_json
  users_json="$(for u in $CLUSTER_USERS; do printf '{"name":"%s","uid":%s,"home":"%s"},' "$u" "$(id -u "$u")" "$(getent passwd "$u" | cut -d: -f6)"; done)"
  cat >"$SCRATCH/cluster.json" <<JSON
{
  "clusterName": "$CLUSTER_NAME",
  "nodeName": "$NODE_NAME",
  "partitions": [{"name": "cpu", "default": true}, {"name": "gpu", "default": false}],
  "gres": [
    {"name": "gpu", "type": "a100", "count": 2, "indices": [0, 1]},
    {"name": "gpu", "type": "1g.5gb", "count": 7, "indices": [2, 3, 4, 5, 6, 7, 8]}
  ],
  "users": [${users_json%,}],
  "accounts": [
    {"name": "physics", "users": ["alice"]},
    {"name": "chem", "users": ["alice", "bob"]}
  ],
  "qos": [{"name": "normal"}, {"name": "gpu-short", "maxWall": "01:00:00"}],
  "associations": [
    {"user": "alice", "account": "physics", "default": true, "qos": ["gpu-short", "normal"]},
    {"user": "alice", "account": "chem", "default": false, "qos": ["gpu-short", "normal"]},
    {"user": "bob", "account": "chem", "default": true, "qos": ["normal"]}
  ],
  "slurmConf": "/etc/slurm/slurm.conf",
  "scratchDir": "$SCRATCH"
}
JSON
  cat "$SCRATCH/cluster.json"
}
