/**
 * The built-in culler's decision for the web rules, pure: given a server, the time now, its policy
 * and the warning in force, keep it, warn it, take the warning back, or stop it with the stop
 * reason the hub records (`max-age` before `idle` when both fall due together). Never without
 * warning: a stop comes only at the `actionAt` of an earlier warning; a pass that finds a server
 * already past its deadline warns it then and stops it a full warning later.
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

/** The stop reasons of the web rules. */
export type WebCullReason = Extract<StopReason, 'idle' | 'max-age'>;

/** A web-idle or max-age warning in force (ms). */
export interface WebWarningFacts {
  readonly reason: WebCullReason;
  readonly warnedAt: number;
  readonly actionAt: number;
}

/** The culler's verdict for one server. */
export type CullDecision =
  | { readonly action: 'keep' }
  /** Take the warning back (activity since it was given). */
  | { readonly action: 'clear' }
  /** Warn (replacing a warning taken back): the stop comes at `actionAt`; `since` is when the rule's clock started (ms). */
  | { readonly action: 'warn'; readonly reason: WebCullReason; readonly since: number; readonly actionAt: number }
  | {
      readonly action: 'stop';
      readonly reason: WebCullReason;
      /** True when the (named) server is also to be removed. */
      readonly remove: boolean;
    };

const KEEP: CullDecision = { action: 'keep' };
const CLEAR: CullDecision = { action: 'clear' };

/** One web rule that applies to a server: when its clock started, when it falls due, its warning (ms). */
interface Deadline {
  readonly reason: WebCullReason;
  readonly since: number;
  readonly due: number;
  readonly warningMs: number;
}

/** Idleness counts from the last activity, or from the start when the server has reported none yet. */
export function idleClock(server: Pick<CullCandidate, 'started' | 'lastActivity'>): Date | null {
  return server.lastActivity ?? server.started;
}

/** The enabled rules of `policy` for `server`, soonest first (`max-age` first on a tie). */
function deadlines(server: CullCandidate, policy: CullerPolicy): Deadline[] {
  const rules: Deadline[] = [];
  const rule = (reason: WebCullReason, since: Date | null, seconds: number): void => {
    if (seconds <= 0 || since === null) return;
    const timeoutMs = seconds * 1000;
    rules.push({ reason, since: since.getTime(), due: since.getTime() + timeoutMs, warningMs: Math.min(policy.warningSeconds * 1000, timeoutMs) });
  };
  rule('max-age', server.started, policy.maxAgeSeconds);
  rule('idle', idleClock(server), policy.idleTimeoutSeconds);
  return rules.sort((a, b) => a.due - b.due);
}

/** True when an idle warning no longer holds: the server saw activity after it was given (other reasons: never). */
export function warningStale(warning: { readonly reason: StopReason; readonly warnedAt: number }, server: Pick<CullCandidate, 'started' | 'lastActivity'>): boolean {
  if (warning.reason !== 'idle') return false;
  const since = idleClock(server);
  return since !== null && since.getTime() > warning.warnedAt;
}

/** Keep, warn, take back or stop `server` at `now` under `policy`, given the warning in force (or null). */
export function decideCull(server: CullCandidate, now: Date, policy: CullerPolicy, warning: WebWarningFacts | null = null): CullDecision {
  if (server.state !== 'running') return KEEP;
  const nowMs = now.getTime();
  const rules = deadlines(server, policy);
  const stale = warning !== null && (warningStale(warning, server) || !rules.some((r) => r.reason === warning.reason));
  if (warning !== null && !stale) {
    return nowMs >= warning.actionAt ? { action: 'stop', reason: warning.reason, remove: policy.removeNamedServers && server.name !== '' } : KEEP;
  }
  const next = rules[0];
  if (next === undefined || nowMs < next.due - next.warningMs) return stale ? CLEAR : KEEP;
  return { action: 'warn', reason: next.reason, since: next.since, actionAt: Math.max(next.due, nowMs + next.warningMs) };
}
