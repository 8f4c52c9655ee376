#!/usr/bin/env bash
# Stops or starts only slurmctld of the test cluster, for tests of a scheduler outage:
#   controller.sh stop   # slurmctld gone; jobs keep running under slurmd; commands fail
#   controller.sh start  # slurmctld back with its saved state; waits until it answers
# While stopped, a marker file tells start.sh (other test files starting) to wait rather than
# restart the whole cluster; it waits at most 5 minutes for the marker to go.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/slurm/common.sh
source "$HERE/common.sh"
case "${1:-}" in
  stop)
    touch "$PAUSED_MARKER"
    stop_pidfile "$SCRATCH/run/slurmctld.pid" slurmctld
    ;;
  start)
    pid_alive "$SCRATCH/run/slurmctld.pid" slurmctld || start_slurmctld
    rm -f "$PAUSED_MARKER"
    wait_node_ready
    ;;
  *) die "usage: controller.sh stop|start" ;;
esac
