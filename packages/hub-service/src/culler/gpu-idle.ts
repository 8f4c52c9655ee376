/**
 * GPU-idle handling, pure: what to do with a server that holds a GPU or MIG slice and leaves it
 * idle, under its profile's `cull.gpuIdle` rule (docs/culler.md). `notify` tells the user once per
 * idle run; `downshift` and `stop` warn first and act no earlier than `warningSeconds` after the
 * warning. A keep-alive restarts the idle period, as GPU use does.
 */
import type { GpuIdlePolicy as GpuIdleConfig } from '@clusterhub/shared';

/** A profile's `cull.gpuIdle` rule in milliseconds. */
export interface GpuIdleRule {
  /** What happens once the period is over. */
  readonly action: GpuIdleConfig['action'];
  /** How long the GPU must stay idle, ms. */
  readonly periodMs: number;
  /** How long before a downshift or stop the warning comes, ms. */
  readonly warningMs: number;
  /** The profile a downshift restarts the server on; null for other actions. */
  readonly downshiftTo: string | null;
}

/** Default of `cull.gpuIdle.warningSeconds` (or the period when shorter), as the schema says. */
export const DEFAULT_GPU_IDLE_WARNING_SECONDS = 300;

/** The rule of a profile's `cull.gpuIdle` section, or null when it has none. */
export function gpuIdleRule(config: GpuIdleConfig | undefined): GpuIdleRule | null {
  if (!config) return null;
  return {
    action: config.action,
    periodMs: config.periodSeconds * 1000,
    warningMs: (config.warningSeconds ?? Math.min(DEFAULT_GPU_IDLE_WARNING_SECONDS, config.periodSeconds)) * 1000,
    downshiftTo: config.action === 'downshift' ? (config.downshiftTo ?? null) : null,
  };
}

/** What the culler knows about one running server of a profile with a rule. */
export interface GpuIdleFacts {
  /** Start of the server's current uninterrupted GPU-idle run (ms); null when busy or not known. */
  readonly idleSince: number | null;
  /** The user's last keep-alive for this start (ms), or null. */
  readonly keepAliveAt: number | null;
  /** When the server was warned of the coming action (ms), or null. */
  readonly warnedAt: number | null;
  /** When the server was notified (action `notify`, ms), or null. */
  readonly notifiedAt: number | null;
  /** The time of the decision, ms. */
  readonly now: number;
}

/** The verdict for one server. */
export type GpuIdleDecision =
  /** Nothing to do. */
  | { readonly kind: 'none' }
  /** The GPU was used again or the user kept the server: take back the warning or notice. */
  | { readonly kind: 'clear' }
  /** Tell the user the GPU has been idle since `idleSince` (action `notify`). */
  | { readonly kind: 'notify'; readonly idleSince: number }
  /** Warn the user that `action` happens at `actionAt` unless the GPU is used or the server kept. */
  | { readonly kind: 'warn'; readonly action: 'downshift' | 'stop'; readonly idleSince: number; readonly actionAt: number }
  /** Downshift or stop the server now. */
  | { readonly kind: 'act'; readonly action: 'downshift' | 'stop'; readonly idleSince: number };

const NONE: GpuIdleDecision = { kind: 'none' };
const CLEAR: GpuIdleDecision = { kind: 'clear' };

/**
 * When the idle period counts from: the start of the idle run, or the last keep-alive when later;
 * null when the server is not GPU-idle.
 */
export function idleClockStart(facts: Pick<GpuIdleFacts, 'idleSince' | 'keepAliveAt'>): number | null {
  if (facts.idleSince === null) return null;
  return facts.keepAliveAt === null ? facts.idleSince : Math.max(facts.idleSince, facts.keepAliveAt);
}

/**
 * When the action of `rule` is due for a server GPU-idle since `clockStart` and warned at
 * `warnedAt`: the end of the period, and never sooner than `warningMs` after the warning.
 */
export function actionDueAt(rule: GpuIdleRule, clockStart: number, warnedAt: number | null): number {
  const end = clockStart + rule.periodMs;
  return warnedAt === null ? end : Math.max(end, warnedAt + rule.warningMs);
}

/**
 * Decides for one server. A warning or notice given before the current idle clock started (the GPU
 * was used, or the server kept alive, since) no longer counts and is cleared.
 */
export function decideGpuIdle(rule: GpuIdleRule, facts: GpuIdleFacts): GpuIdleDecision {
  const start = idleClockStart(facts);
  const warned = start !== null && facts.warnedAt !== null && facts.warnedAt >= start ? facts.warnedAt : null;
  const notified = start !== null && facts.notifiedAt !== null && facts.notifiedAt >= start;
  const stale = (facts.warnedAt !== null && warned === null) || (facts.notifiedAt !== null && !notified);
  if (start === null) return stale ? CLEAR : NONE;
  const idleFor = facts.now - start;
  if (rule.action === 'notify') {
    if (idleFor >= rule.periodMs && !notified) return { kind: 'notify', idleSince: start };
    return stale ? CLEAR : NONE;
  }
  if (idleFor < rule.periodMs - rule.warningMs) return stale ? CLEAR : NONE;
  if (warned === null) {
    // Never act without warning: a pass that finds the server already past the period warns now
    // and acts a full warning later.
    return { kind: 'warn', action: rule.action, idleSince: start, actionAt: Math.max(start + rule.periodMs, facts.now + rule.warningMs) };
  }
  if (facts.now >= actionDueAt(rule, start, warned)) return { kind: 'act', action: rule.action, idleSince: start };
  return NONE;
}
