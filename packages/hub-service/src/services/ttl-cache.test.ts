import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('shares one computation per key, keeps its outcome for the TTL, then computes again', async () => {
    let now = 1000;
    const cache = new TtlCache<number>(30_000, () => now);
    let calls = 0;
    const compute = async (): Promise<number> => ++calls;
    const [a, b] = await Promise.all([cache.get('k', compute), cache.get('k', compute)]);
    expect([a, b, calls]).toEqual([1, 1, 1]);
    now += 29_999;
    expect(await cache.get('k', compute)).toBe(1);
    expect(await cache.get('other', compute)).toBe(2);
    now += 1;
    expect(await cache.get('k', compute)).toBe(3);
  });

  it('keeps failures for the TTL too, and clear() forgets everything', async () => {
    let now = 0;
    const cache = new TtlCache<number>(10_000, () => now);
    let calls = 0;
    const failing = async (): Promise<number> => {
      calls++;
      throw new Error('down');
    };
    await expect(cache.get('k', failing)).rejects.toThrow('down');
    await expect(cache.get('k', failing)).rejects.toThrow('down');
    expect(calls).toBe(1);
    cache.clear();
    await expect(cache.get('k', failing)).rejects.toThrow('down');
    expect(calls).toBe(2);
    now += 10_000;
    await expect(cache.get('k', failing)).rejects.toThrow('down');
    expect(calls).toBe(3);
  });

  it('with a TTL of 0 computes every time once settled, and keeps at most maxEntries keys', async () => {
    const cache = new TtlCache<number>(0, () => 0, 2);
    let calls = 0;
    const compute = async (): Promise<number> => ++calls;
    await cache.get('a', compute);
    await cache.get('a', compute);
    expect(calls).toBe(2);
    const bounded = new TtlCache<string>(60_000, () => 0, 2);
    for (const k of ['a', 'b', 'c']) await bounded.get(k, async () => k);
    let recomputed = false;
    await bounded.get('a', async () => {
      recomputed = true;
      return 'a';
    });
    expect(recomputed).toBe(true);
  });
});
