/**
 * Slows down password guessing: after `freeFailures` failed logins for a key (a user name or a
 * remote address), each further attempt must wait a delay that doubles with every failure (1 s,
 * 2 s, 4 s, …) up to `maxDelaySeconds`. Memory is bounded: entries are forgotten some time after
 * their last failure, and the least recently failed are evicted beyond `maxEntries`.
 */
import { systemClock, type Clock } from '../../lib/clock';

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Failures allowed before delays start. */
  freeFailures: number;
  /** Longest delay; 0 turns throttling off. */
  maxDelaySeconds: number;
  /** Entries kept at most (default 10,000); the least recently failed go first. */
  maxEntries?: number;
  /**
   * A key's failures are forgotten this long after its last failure (default 15 minutes, and never
   * less than `maxDelaySeconds`).
   */
  forgetAfterSeconds?: number;
  /** Time source (default the system clock). */
  clock?: Clock;
}

/** Result of {@link LoginThrottle.check}. */
export type ThrottleDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Entry {
  failures: number;
  lastFailureMs: number;
}

/** First delay once the free failures are spent. */
const BASE_DELAY_MS = 1000;

/** Failure-count throttling per key with exponential back-off. */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly freeFailures: number;
  private readonly maxDelayMs: number;
  private readonly maxEntries: number;
  private readonly forgetAfterMs: number;
  private readonly clock: Clock;

  constructor(options: LoginThrottleOptions) {
    this.freeFailures = Math.max(0, Math.floor(options.freeFailures));
    this.maxDelayMs = Math.max(0, options.maxDelaySeconds * 1000);
    this.maxEntries = Math.max(1, Math.floor(options.maxEntries ?? 10_000));
    this.forgetAfterMs = Math.max((options.forgetAfterSeconds ?? 900) * 1000, this.maxDelayMs);
    this.clock = options.clock ?? systemClock;
  }

  /** Number of keys currently remembered. */
  get size(): number {
    return this.entries.size;
  }

  /** The live entry for `key`, dropping it when it has been forgotten. */
  private entry(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailureMs >= this.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The delay owed after `failures` failures (0 while within the free ones). */
  private delayMs(failures: number): number {
    if (this.maxDelayMs === 0 || failures === 0 || failures < this.freeFailures) return 0;
    // 1 s once the free failures are spent (or after the first failure when none are free), then
    // doubling. The exponent is capped so the number stays finite; maxDelayMs caps the delay anyway.
    const exponent = Math.min(failures - Math.max(this.freeFailures, 1), 40);
    return Math.min(this.maxDelayMs, BASE_DELAY_MS * 2 ** exponent);
  }

  /** Whether an attempt for `key` may proceed now, and if not, how many seconds to wait. */
  check(key: string): ThrottleDecision {
    const now = this.clock();
    const entry = this.entry(key, now);
    if (!entry) return { allowed: true };
    const delayMs = this.delayMs(entry.failures);
    // Capped at the delay itself, in case the clock went backwards.
    const waitMs = Math.min(delayMs, entry.lastFailureMs + delayMs - now);
    return waitMs > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) } : { allowed: true };
  }

  /** Records a failed attempt for `key`. */
  recordFailure(key: string): void {
    const now = this.clock();
    const entry = this.entry(key, now);
    this.entries.delete(key);
    this.entries.set(key, { failures: (entry?.failures ?? 0) + 1, lastFailureMs: now });
    this.evict(now);
  }

  /** Forgets the failures of `key` (after a successful login). */
  recordSuccess(key: string): void {
    this.entries.delete(key);
  }

  /** Drops forgotten entries from the oldest end, then the least recently failed beyond `maxEntries`. */
  private evict(now: number): void {
    // Map iteration follows insertion order, and every failure re-inserts its key at the end,
    // so the first entries are the least recently failed. Each pass removes one entry: bounded.
    for (const [key, entry] of this.entries) {
      const expired = now - entry.lastFailureMs >= this.forgetAfterMs;
      if (!expired && this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
