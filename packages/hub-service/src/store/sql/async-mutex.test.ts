import { AsyncMutex } from './async-mutex';

describe('AsyncMutex', () => {
  it('grants the lock in request order, one holder at a time', async () => {
    const mutex = new AsyncMutex();
    const events: string[] = [];
    const worker = async (name: string): Promise<void> => {
      const release = await mutex.acquire();
      events.push(`${name} in`);
      await Promise.resolve();
      await Promise.resolve();
      events.push(`${name} out`);
      release();
    };
    await Promise.all([worker('a'), worker('b'), worker('c')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(mutex.locked).toBe(false);
  });

  it('ignores a second release of the same grant', async () => {
    const mutex = new AsyncMutex();
    const first = await mutex.acquire();
    const second = mutex.acquire();
    first();
    first();
    const releaseSecond = await second;
    expect(mutex.locked).toBe(true);
    releaseSecond();
    expect(mutex.locked).toBe(false);
  });
});
