/** Human wording for server states and stop reasons, shared by the hub pages. */
import type { ServerState } from '@clusterhub/shared';

const STATE_LABELS: Readonly<Record<ServerState, string>> = {
  stopped: 'Stopped',
  'pending-start': 'Starting',
  running: 'Running',
  'pending-stop': 'Stopping',
  failed: 'Failed',
};

const STOP_REASONS: Readonly<Record<string, string>> = {
  idle: 'it was idle for too long',
  'gpu-idle': 'it held a GPU without using it for too long',
  'max-age': 'it reached its maximum age',
  walltime: 'it reached its time limit',
  budget: 'your compute budget ran out',
  admin: 'an administrator stopped it',
  error: 'of an error',
  user: 'you stopped it',
  died: 'it exited unexpectedly',
  shutdown: 'the hub was shut down',
};

/** "Running", "Starting", … for a server state. */
export function stateLabel(state: ServerState): string {
  return STATE_LABELS[state];
}

/** "it was idle for too long" for `idle`; unknown reasons are returned as-is. */
export function stopReasonText(reason: string): string {
  return STOP_REASONS[reason] ?? reason;
}
