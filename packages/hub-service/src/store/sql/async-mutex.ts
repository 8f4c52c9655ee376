/**
 * A first-in, first-out asynchronous mutex. `acquire()` resolves with a release function once every
 * earlier holder has released; the lock passes directly to the next waiter, so `locked` stays true
 * while anyone waits.
 */
export class AsyncMutex {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  /** True while someone holds the lock (or waits for it). */
  get locked(): boolean {
    return this.held;
  }

  /** Waits for the lock; call the returned function exactly once to release it. */
  acquire(): Promise<() => void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      this.waiters.push(() => resolve(this.releaser()));
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.held = false;
    };
  }
}
