/** Reconnection backoff for a login node that could not be reached. Pure. */

/** How long to wait before trying an unreachable login node again. */
export interface BackoffPolicy {
  /** After the first failed attempt. */
  readonly initialMs: number;
  /** The most it grows to (it doubles with each failure in a row). */
  readonly maxMs: number;
}

/** The default: 1 s, doubling up to 30 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 1_000, maxMs: 30_000 });

/** The wait after `failures` failed attempts in a row (0 when there were none). */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  if (failures <= 0) return 0;
  const doubled = policy.initialMs * 2 ** Math.min(failures - 1, 30);
  return Math.min(policy.maxMs, doubled);
}
