/**
 * Keeps list+watches going: starts one, notes when it fails (its `error` event, or a failed list),
 * and starts it again after `retryMs`, doubling the wait after each failure in a row up to
 * `maxRetryMs` (a read the hub's Role refuses, or an API server away, is not asked every second
 * forever), until closed. Tracks which watches are up (listed and
 * connected with no error since), for callers that must say `unknown` meanwhile. Shared by the
 * pod/event watch and the node/pod watch for capacity.
 */

/** A list+watch as client-node's `ListWatch` is: started (lists, then watches), again after a failure. */
export interface Resumable {
  start(): Promise<void>;
}

/** See the module comment. */
export class WatchResumer {
  private closed = false;
  private readonly up = new WeakSet<Resumable>();
  private readonly failedOnes = new WeakSet<Resumable>();
  private readonly timers = new Map<Resumable, NodeJS.Timeout>();
  /** The wait before the next retry of each watch that failed since its last good start. */
  private readonly delays = new Map<Resumable, number>();

  /** `retryMs`: the first wait after a failure; `maxRetryMs`: the longest (default 10 s, at least `retryMs`). */
  constructor(
    private readonly retryMs: number,
    private readonly maxRetryMs = 10_000,
  ) {}

  /** True while the watch is listed and connected with no error since. */
  isUp(watch: Resumable): boolean {
    return !this.closed && this.up.has(watch);
  }

  /** Notes a failure of the watch (call it from its `error` event) and starts it again later. */
  failed(watch: Resumable): void {
    this.up.delete(watch);
    this.failedOnes.add(watch);
    this.retry(watch);
  }

  /**
   * Starts (or resumes) the watch; true when it listed and connected without an error on the way.
   * `onError` hears a failed list.
   */
  async run(watch: Resumable, onError?: (err: unknown) => void): Promise<boolean> {
    this.failedOnes.delete(watch);
    try {
      await watch.start();
    } catch (err) {
      onError?.(err);
      this.failed(watch);
    }
    const ok = !this.failedOnes.has(watch);
    if (ok) {
      this.up.add(watch);
      this.delays.delete(watch);
    }
    return ok;
  }

  /** Stops retrying; the caller stops the watches themselves. */
  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** The wait before the watch's next retry (ms): what {@link failed} schedules now. */
  nextRetryMs(watch: Resumable): number {
    return this.delays.get(watch) ?? this.retryMs;
  }

  private retry(watch: Resumable): void {
    if (this.closed || this.timers.has(watch)) return;
    const wait = this.nextRetryMs(watch);
    this.delays.set(watch, Math.min(wait * 2, Math.max(this.maxRetryMs, this.retryMs)));
    const timer = setTimeout(() => {
      this.timers.delete(watch);
      if (!this.closed) void this.run(watch);
    }, wait);
    this.timers.set(watch, timer);
  }
}
