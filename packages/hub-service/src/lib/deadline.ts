/**
 * A time-out whose signal aborts at a deadline that can be moved later (never earlier): a start
 * timeout that a batch backend postpones while the scheduler says the job starts soon.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private at: number;

  /** Aborts `ms` from now (with a TimeoutError, like `AbortSignal.timeout`). */
  constructor(ms: number) {
    this.at = Date.now() + ms;
    this.arm();
  }

  /** Aborted once the deadline passed. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Moves the deadline to `epochMs` when that is later than the current one and it has not passed yet. */
  extendTo(epochMs: number): void {
    if (this.controller.signal.aborted || epochMs <= this.at) return;
    this.at = epochMs;
    this.arm();
  }

  /** Stops the timer (the start ended). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.clear();
    this.timer = setTimeout(() => this.controller.abort(new DOMException('The start timed out', 'TimeoutError')), Math.max(0, this.at - Date.now()));
    this.timer.unref();
  }
}
