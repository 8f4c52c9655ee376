/**
 * A small time-to-live cache of promises: one computation per key at a time (concurrent callers
 * share it), its outcome (value or error) kept for the TTL, then computed again. Used by the batch
 * capacity service so that the profile list asks the scheduler at most once per backend (and user)
 * per `cacheSeconds`, also while the scheduler does not answer.
 */
import type { Clock } from '../lib/clock';

/** Keyed promises kept for `ttlMs` after they settle. */
export class TtlCache<T> {
  private readonly entries = new Map<string, { readonly promise: Promise<T>; settledAt: number | null }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    /** Most keys kept; the oldest go first. */
    private readonly maxEntries = 1000,
  ) {}

  /** The cached outcome of `key`, or `compute()`'s when there is none or it is older than the TTL. */
  get(key: string, compute: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && (hit.settledAt === null || now - hit.settledAt < this.ttlMs)) return hit.promise;
    const entry: { promise: Promise<T>; settledAt: number | null } = { promise: compute(), settledAt: null };
    const settle = (): void => {
      entry.settledAt = this.clock();
      if (this.ttlMs <= 0 && this.entries.get(key) === entry) this.entries.delete(key);
    };
    entry.promise.then(settle, settle);
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return entry.promise;
  }

  /** Forgets every entry (e.g. after a submission changed what is free). */
  clear(): void {
    this.entries.clear();
  }
}
