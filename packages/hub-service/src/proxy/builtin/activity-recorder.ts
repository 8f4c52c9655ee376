import type { Clock } from '../../lib/clock';
import type { RouteEntry } from './route-table';

/**
 * Records traffic on routes. The hot path only stores a timestamp on the in-memory route entry: no
 * I/O and no allocation beyond reading the clock. Propagating it anywhere (the hub's database) is
 * throttled by whoever reads it: the route reconciler's periodic sweep.
 */
export class ActivityRecorder {
  private readonly clock: Clock;

  /** @param clock source of "now" for the timestamps. */
  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Epoch milliseconds now. */
  nowMs(): number {
    return this.clock();
  }

  /** Marks traffic on `entry` now (never moves the timestamp backwards). */
  touch(entry: RouteEntry): void {
    const now = this.nowMs();
    if (now > entry.lastActivityMs) entry.lastActivityMs = now;
  }
}
