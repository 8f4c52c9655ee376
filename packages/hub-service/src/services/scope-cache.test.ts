import { ScopeCache } from './scope-cache';

describe('ScopeCache', () => {
  it('computes once per key and returns the kept result', () => {
    const cache = new ScopeCache();
    let computed = 0;
    const compute = (): Set<string> => {
      computed += 1;
      return new Set(['read:users!user=alice']);
    };
    const key = ScopeCache.key(['user', 'alice', false]);
    expect([...cache.get(key, compute)]).toEqual(['read:users!user=alice']);
    expect(cache.get(key, compute)).toBe(cache.get(key, compute));
    expect(computed).toBe(1);
  });

  it('keys differ whenever an input differs, including how names split into parts', () => {
    expect(ScopeCache.key(['user', 'alice', false])).not.toBe(ScopeCache.key(['user', 'alice', true]));
    expect(ScopeCache.key(['token', 'a', ['b', 'c']])).not.toBe(ScopeCache.key(['token', 'a', ['b,c']]));
    expect(ScopeCache.key(['token', 'a', ['b']])).not.toBe(ScopeCache.key(['token', 'a,b', []]));
  });

  it('keeps at most its capacity, dropping the oldest', () => {
    const cache = new ScopeCache(2);
    for (const name of ['a', 'b', 'c']) cache.get(name, () => new Set([name]));
    expect(cache.size).toBe(2);
    let recomputed = false;
    cache.get('a', () => {
      recomputed = true;
      return new Set(['a']);
    });
    expect(recomputed).toBe(true);
  });
});
