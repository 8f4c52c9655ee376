/**
 * A counting semaphore: at most `max` tasks run at once; the others wait in FIFO order.
 */
export class ConcurrencyLimit {
  private readonly max: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** @param max how many tasks may run at the same time (at least 1). */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Invalid concurrency limit ${max}`);
    this.max = max;
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Runs `task` once a slot is free and releases the slot when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }
}
