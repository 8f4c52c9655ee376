import type { StoreChangeSignal } from '../store/store';
import { ChangeGuardedCache } from './change-guarded-cache';

/** A change signal moved by hand, as a store's moves on writes. */
class Counter implements StoreChangeSignal {
  value = 0;
  version(): number {
    return this.value;
  }
}

describe('ChangeGuardedCache', () => {
  it('keeps an entry while the store does not change', () => {
    const signal = new Counter();
    const index = new ChangeGuardedCache<string>(signal);
    const version = index.sync();
    index.put('h1', 'alice', version);
    expect(index.sync()).toBe(version);
    expect(index.get('h1')).toBe('alice');
  });

  it('forgets everything as soon as the store changes', () => {
    const signal = new Counter();
    const index = new ChangeGuardedCache<string>(signal);
    index.put('h1', 'alice', index.sync());
    index.put('h2', 'bob', index.sync());
    signal.value += 1;
    index.sync();
    expect(index.get('h1')).toBeUndefined();
    expect(index.get('h2')).toBeUndefined();
    expect(index.size).toBe(0);
  });

  it('does not keep an entry read before a change that happened while it was read', () => {
    const signal = new Counter();
    const index = new ChangeGuardedCache<string>(signal);
    const version = index.sync();
    signal.value += 1; // a write lands between taking the version and reading the rows
    index.put('h1', 'stale alice', version);
    index.sync();
    expect(index.get('h1')).toBeUndefined();
  });

  it('through: loads a miss once and keeps it; does not keep nothing', async () => {
    const cache = new ChangeGuardedCache<string>(new Counter());
    let loads = 0;
    const load = async (): Promise<string | null> => {
      loads += 1;
      return loads === 1 ? null : 'bob';
    };
    expect(await cache.through('bob', load)).toBeNull();
    expect(await cache.through('bob', load)).toBe('bob');
    expect(await cache.through('bob', load)).toBe('bob');
    expect(loads).toBe(2);
  });

  it('is bounded: the oldest entries go first', () => {
    const index = new ChangeGuardedCache<number>(new Counter(), 3);
    const version = index.sync();
    for (let i = 0; i < 5; i += 1) index.put(`h${i}`, i, version);
    expect(index.size).toBe(3);
    expect(index.get('h0')).toBeUndefined();
    expect(index.get('h1')).toBeUndefined();
    expect(index.get('h4')).toBe(4);
  });
});
