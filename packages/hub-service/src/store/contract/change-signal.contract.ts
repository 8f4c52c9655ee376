import { expect, it } from '@jest/globals';
import type { StoreGetter } from './fixtures';

/**
 * What every store change signal does with this process's own writes (SQLite's and PostgreSQL's
 * tests call this inside their describe, after their own setup): every write moves it by the time
 * it returns, and inside a transaction every look gives a new number (its writes may still roll
 * back), as does the first look after a rollback.
 */
export function describeOwnWriteSignal(getStore: StoreGetter): void {
  const signalOf = (): { version(): number } => {
    const changes = getStore().changes;
    if (!changes) throw new Error('this store has no change signal');
    return changes;
  };

  it('has moved when a write of this process returns, plain or in a transaction, and with RETURNING inserts', async () => {
    const store = getStore();
    const signal = signalOf();
    let last = signal.version();
    const grew = (): boolean => {
      const now = signal.version();
      const moved = now > last;
      last = now;
      return moved;
    };
    const alice = await store.users.create({ name: 'alice' });
    expect(grew()).toBe(true);
    await store.users.update(alice.id, { admin: true });
    expect(grew()).toBe(true);
    await store.transaction(async (tx) => {
      await tx.users.touchActivity(alice.id, new Date());
    });
    expect(grew()).toBe(true);
    await store.users.delete(alice.id);
    expect(grew()).toBe(true);
  });

  it('gives a new number on every look from inside an open transaction, and moves when it rolls back', async () => {
    const store = getStore();
    const signal = signalOf();
    const looks: number[] = [];
    await expect(
      store.transaction(async (tx) => {
        await tx.users.create({ name: 'bob' });
        looks.push(signal.version(), signal.version());
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(looks[1]).toBeGreaterThan(looks[0] ?? Infinity);
    expect(signal.version()).toBeGreaterThan(looks[1] ?? Infinity);
    expect(await store.users.getByName('bob')).toBeNull();
  });
}
