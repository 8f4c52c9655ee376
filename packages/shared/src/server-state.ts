/**
 * The lifecycle of one user server, as the hub, the API and the Lab panels all see it.
 *
 * `stopped → pending-start → running → pending-stop → stopped`, and `failed` from a start or a poll.
 * JupyterHub's wire model derives `ready`, `pending` and `stopped` from this (see {@link wireFlags}).
 */
export type ServerState = 'stopped' | 'pending-start' | 'running' | 'pending-stop' | 'failed';

/** Every server state, in lifecycle order. */
export const SERVER_STATES: readonly ServerState[] = ['stopped', 'pending-start', 'running', 'pending-stop', 'failed'];

/** What happens to a server; input of {@link transition}. */
export type ServerEvent = 'start' | 'started' | 'start-failed' | 'stop' | 'stopped' | 'died';

const TRANSITIONS: Record<ServerState, Partial<Record<ServerEvent, ServerState>>> = {
  stopped: { start: 'pending-start' },
  failed: { start: 'pending-start', stop: 'stopped', stopped: 'stopped' },
  'pending-start': { started: 'running', 'start-failed': 'failed', stop: 'pending-stop', died: 'failed' },
  running: { stop: 'pending-stop', died: 'stopped' },
  'pending-stop': { stopped: 'stopped', died: 'stopped' },
};

/**
 * The state after `event`, or `null` when the event is not allowed in `state` (the caller turns that
 * into an API error, e.g. a second start of a running server).
 */
export function transition(state: ServerState, event: ServerEvent): ServerState | null {
  return TRANSITIONS[state][event] ?? null;
}

/** True for states in which the server occupies resources (counted against limits). */
export function isActive(state: ServerState): boolean {
  return state === 'pending-start' || state === 'running' || state === 'pending-stop';
}

/** JupyterHub's `ready` / `pending` / `stopped` flags for a state. */
export function wireFlags(state: ServerState): { ready: boolean; pending: 'spawn' | 'stop' | null; stopped: boolean } {
  switch (state) {
    case 'running':
      return { ready: true, pending: null, stopped: false };
    case 'pending-start':
      return { ready: false, pending: 'spawn', stopped: false };
    case 'pending-stop':
      return { ready: false, pending: 'stop', stopped: false };
    default:
      return { ready: false, pending: null, stopped: true };
  }
}

/** Why a server stopped; stored with the server and shown to the user. */
export type StopReason = 'idle' | 'gpu-idle' | 'max-age' | 'walltime' | 'budget' | 'admin' | 'error' | 'user' | 'died' | 'shutdown';
