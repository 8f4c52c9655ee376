import { WatchResumer, type Resumable } from './watch-resumer';

/** A watch whose starts fail while `failing` is true, counting them. */
function watch(): Resumable & { starts: number; failing: boolean } {
  const w = {
    starts: 0,
    failing: true,
    start(): Promise<void> {
      w.starts += 1;
      return w.failing ? Promise.reject(new Error('403 Forbidden')) : Promise.resolve();
    },
  };
  return w;
}

describe('WatchResumer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Runs the timers due in the next `ms` and lets the retried starts settle. */
  async function advance(ms: number): Promise<void> {
    await jest.advanceTimersByTimeAsync(ms);
  }

  it('retries a failing watch after 1, 2, 4, 8 s, then every 10 s, and is up once a start works', async () => {
    const resumer = new WatchResumer(1000, 10_000);
    const w = watch();
    expect(await resumer.run(w)).toBe(false);
    expect(resumer.isUp(w)).toBe(false);
    const startsAt: number[] = [];
    for (let t = 1; t <= 45; t += 1) {
      const before = w.starts;
      await advance(1000);
      if (w.starts > before) startsAt.push(t);
    }
    // Failed at 0; retried at 1, 3 (1+2), 7 (+4), 15 (+8), then every 10 s: 25, 35, 45.
    expect(startsAt).toEqual([1, 3, 7, 15, 25, 35, 45]);
    expect(resumer.nextRetryMs(w)).toBe(10_000);

    w.failing = false;
    await advance(10_000);
    expect(resumer.isUp(w)).toBe(true);
    // Up again: the next failure waits the first 1 s again.
    expect(resumer.nextRetryMs(w)).toBe(1000);
    w.failing = true;
    resumer.failed(w);
    expect(resumer.isUp(w)).toBe(false);
    const before = w.starts;
    await advance(1000);
    expect(w.starts).toBe(before + 1);
    resumer.close();
  });

  it('retries nothing once closed', async () => {
    const resumer = new WatchResumer(1000);
    const w = watch();
    await resumer.run(w);
    resumer.close();
    await advance(60_000);
    expect(w.starts).toBe(1);
    expect(resumer.isUp(w)).toBe(false);
  });
});
