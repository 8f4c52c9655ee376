#!/usr/bin/env bash
# Captures real outputs of the Slurm (and Torque-wrapper) commands the hub's backend parses, from the
# test cluster of scripts/slurm/start.sh, into packages/hub-service/test/fixtures/slurm/. Takes about
# two minutes (one job must hit its one-minute time limit). Cancels every job it submits.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/slurm/common.sh
source "$HERE/common.sh"
OUT="$REPO_ROOT/packages/hub-service/test/fixtures/slurm"
mkdir -p "$OUT"
bash "$HERE/start.sh" >/dev/null

FMT='%i|%T|%r|%u|%N|%P|%S|%e|%j'
SACCT_FMT='JobID,State,ExitCode,Reason,End'
ids=()
# submit USER SBATCH_ARGS... <<< script: sbatch as USER with the script on stdin, prints the id.
submit() {
  local user="$1" home id
  shift
  home="$(getent passwd "$user" | cut -d: -f6)"
  id="$(sudo -n -u "$user" sbatch --parsable --chdir="$home" "$@")"
  ids+=("${id%%;*}")
  echo "${id%%;*}"
}
wait_state() { # wait_state ID STATE...: until squeue shows one of the states (60 s at most)
  local id="$1" i st
  shift
  for i in $(seq 1 120); do
    st="$(squeue -h -j "$id" -o %T 2>/dev/null || true)"
    for want in "$@"; do [ "$st" = "$want" ] && return 0; done
    sleep 0.5
  done
  die "job $id never reached $* (now '$st')"
}
cleanup() { [ "${#ids[@]}" -eq 0 ] || scancel "${ids[@]}" 2>/dev/null || true; }
trap cleanup EXIT

script() { printf '#!/bin/bash\n%s\n' "$1"; }

# ---- squeue: running and pending jobs (CPU, full GPUs, MIG slice; one waiting for Resources) -----
cpu="$(submit alice -J fixture-cpu -p cpu --time=30 <<<"$(script 'sleep 600')")"
a1="$(submit alice -J fixture-a100-a -p gpu --gres=gpu:a100:1 --time=30 <<<"$(script 'sleep 600')")"
a2="$(submit bob -J fixture-a100-b -p gpu --gres=gpu:a100:1 --time=30 <<<"$(script 'sleep 600')")"
mig="$(submit alice -J fixture-mig -p gpu --gres=gpu:1g.5gb:1 --time=30 <<<"$(script 'sleep 600')")"
for j in "$cpu" "$a1" "$a2" "$mig"; do wait_state "$j" RUNNING; done
p1="$(submit alice -J fixture-a100-waits -p gpu --gres=gpu:a100:1 --time=20 <<<"$(script 'sleep 600')")"
p2="$(submit bob -J fixture-a100-behind -p gpu --gres=gpu:a100:2 --time=20 <<<"$(script 'sleep 600')")"
sleep 2
squeue -h -o "$FMT" >"$OUT/squeue-running-pending.txt"
squeue -h --start -o "$FMT" >"$OUT/squeue-start-before-backfill.txt"
# The backfill pass (bf_interval=5) fills in the expected start times.
for i in $(seq 1 60); do
  squeue -h --start -j "$p1" -o %S | grep -q '^20' && break
  sleep 1
done
squeue -h --start -o "$FMT" >"$OUT/squeue-start.txt"
squeue -h -o "$FMT" -u alice >"$OUT/squeue-user-alice.txt"
scontrol show job -d "$mig" >"$OUT/scontrol-show-job-d-mig.txt"
sinfo -h -O 'NodeList:40,Gres:80,GresUsed:120' >"$OUT/sinfo-gres-used.txt"
scancel "$cpu" "$a1" "$a2" "$mig" "$p1" "$p2"
sleep 3
sinfo -h -O 'NodeList:40,Gres:80,GresUsed:120' >"$OUT/sinfo-gres-idle.txt"

# ---- sacctmgr: what alice and bob may use ------------------------------------------------------
sacctmgr -P -n show assoc user=alice format=Account,Partition,QOS >"$OUT/sacctmgr-assoc-alice.txt"
sacctmgr -P -n show assoc user=bob format=Account,Partition,QOS >"$OUT/sacctmgr-assoc-bob.txt"
sacctmgr -P -n show user alice format=User,DefaultAccount >"$OUT/sacctmgr-user-alice.txt"
sacctmgr -P -n show qos format=Name,MaxWall,Priority >"$OUT/sacctmgr-qos.txt"

# ---- sacct: completed, failed, timed out, cancelled ---------------------------------------------
done_id="$(submit alice -J fixture-ok -p cpu --time=5 <<<"$(script 'echo hello')")"
fail_id="$(submit alice -J fixture-fails -p cpu --time=5 <<<"$(script 'echo about to fail; exit 3')")"
to_id="$(submit alice -J fixture-timeout -p cpu --time=1 <<<"$(script 'sleep 600')")"
for i in $(seq 1 240); do
  [ -z "$(squeue -h -j "$done_id,$fail_id,$to_id" -o %i 2>/dev/null)" ] && break
  sleep 1
done
sleep 2
sacct -X -P -n -o "$SACCT_FMT" -j "$done_id,$fail_id,$to_id,$cpu,$p1" >"$OUT/sacct-finished.txt"
sacct -P -n -o "$SACCT_FMT" -j "$done_id,$fail_id,$to_id" >"$OUT/sacct-finished-with-steps.txt"
{
  echo "# ids: completed=$done_id failed=$fail_id timeout=$to_id cancelled-running=$cpu cancelled-pending=$p1"
} >"$OUT/sacct-finished.ids"

# ---- Torque wrappers (slurm-wlm-torque) --------------------------------------------------------
tmp="$(sudo -n -u alice mktemp /tmp/fixture-pbs.XXXXXX)"
script 'sleep 600' | sudo -n -u alice tee "$tmp" >/dev/null
{
  echo '$ qsub < script'
  (cd /tmp && sudo -n -u alice qsub <"$tmp" 2>&1; echo "rc=$?") || true
  echo '$ qsub /dev/stdin < script'
  (cd /tmp && sudo -n -u alice qsub /dev/stdin <"$tmp" 2>&1; echo "rc=$?") || true
  echo '$ qsub -j oe -l walltime=00:10:00,nodes=1 script'
  (cd /tmp && sudo -n -u alice qsub -j oe -l walltime=00:10:00,nodes=1 "$tmp" 2>&1; echo "rc=$?") || true
} >"$OUT/qsub.txt"
pbs_ids="$(squeue -h -u alice -o %i | tr '\n' ' ')"
ids+=($pbs_ids)
sleep 2
qstat >"$OUT/qstat.txt" 2>&1 || true
qstat -a >"$OUT/qstat-a.txt" 2>&1 || true
first="$(echo "$pbs_ids" | awk '{print $1}')"
[ -z "$first" ] || qstat -f "$first" >"$OUT/qstat-f.txt" 2>&1 || true
for j in $pbs_ids; do sudo -n -u alice qdel "$j"; done
rm -f "$tmp"
log "fixtures written to $OUT"
