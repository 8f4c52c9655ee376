/**
 * The built-in culler's decision, pure: given a server, the time now and its policy, keep it or
 * stop it with the stop reason the hub records (`max-age` before `idle` when both apply).
 */
import type { ServerState, StopReason } from '@clusterhub/shared';
import type { CullerPolicy } from './policy';

/** What the culler needs to know about one server. */
export interface CullCandidate {
  /** Server name; `""` is the user's default server. */
  readonly name: string;
  /** Only running servers are culled. */
  readonly state: ServerState;
  /** When it started; null when unknown (then max age does not apply). */
  readonly started: Date | null;
  /** Last activity the hub saw (proxy activity, the server's activity reports); null if none yet. */
  readonly lastActivity: Date | null;
}

/** The culler's verdict for one server. */
export type CullDecision =
  | { readonly action: 'keep' }
  | {
      readonly action: 'stop';
      readonly reason: Extract<StopReason, 'idle' | 'max-age'>;
      /** True when the (named) server is also to be removed. */
      readonly remove: boolean;
    };

const KEEP: CullDecision = { action: 'keep' };

/**
 * Keep or stop `server` at `now`. Idleness counts from the last activity, or from the start when
 * the server has reported none yet.
 */
export function decideCull(server: CullCandidate, now: Date, policy: CullerPolicy): CullDecision {
  if (server.state !== 'running') return KEEP;
  const remove = policy.removeNamedServers && server.name !== '';
  const nowMs = now.getTime();
  if (policy.maxAgeSeconds > 0 && server.started !== null) {
    if (nowMs - server.started.getTime() >= policy.maxAgeSeconds * 1000) return { action: 'stop', reason: 'max-age', remove };
  }
  if (policy.idleTimeoutSeconds > 0) {
    const since = server.lastActivity ?? server.started;
    if (since !== null && nowMs - since.getTime() >= policy.idleTimeoutSeconds * 1000) {
      return { action: 'stop', reason: 'idle', remove };
    }
  }
  return KEEP;
}
