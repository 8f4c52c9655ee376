#!/usr/bin/env bash
# Stops the test Slurm cluster that scripts/slurm/start.sh started: cancels its jobs, stops slurmd,
# slurmctld, slurmdbd and the private MariaDB, and munged when start.sh was the one that started it.
# Leaves the configuration and scratch state (accounting database, job ids) for the next start.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/slurm/common.sh
source "$HERE/common.sh"
[ -d "$SCRATCH/run" ] || exit 0
exec 9>"$SCRATCH/lock"
flock 9
stop_all_daemons
if [ -e "$SCRATCH/run/munged.started-by-tests" ]; then
  stop_pidfile /run/munge/munged.pid munged
  rm -f "$SCRATCH/run/munged.started-by-tests"
fi
log "test Slurm cluster stopped"
