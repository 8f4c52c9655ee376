import { describe, expect, it } from '@jest/globals';
import { StoreConflictError } from '../store';
import type { StoreGetter } from './fixtures';

/** A promise with its resolver, to hold a transaction open while other work is attempted. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Contract tests of `store.transaction`. */
export function describeTransactionContract(getStore: StoreGetter): void {
  describe('transaction', () => {
    it('commits every write and returns the callback’s value', async () => {
      const store = getStore();
      const result = await store.transaction(async (tx) => {
        const alice = await tx.users.create({ name: 'alice' });
        await tx.servers.create({ userId: alice.id, name: '' });
        await tx.accounts.set('alice', 'h');
        return alice.id;
      });
      expect((await store.users.getByName('alice'))?.id).toBe(result);
      expect(await store.servers.listByUser(result)).toHaveLength(1);
      expect(await store.accounts.listNames()).toEqual(['alice']);
    });

    it('rolls back every write when the callback throws, and rethrows its error', async () => {
      const store = getStore();
      await store.users.create({ name: 'existing' });
      const boom = new Error('boom');
      await expect(
        store.transaction(async (tx) => {
          const alice = await tx.users.create({ name: 'alice' });
          await tx.servers.create({ userId: alice.id, name: '' });
          await tx.users.update((await tx.users.getByName('existing'))?.id ?? 0, { admin: true });
          await tx.accounts.set('alice', 'h');
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await store.users.getByName('alice')).toBeNull();
      expect((await store.users.getByName('existing'))?.admin).toBe(false);
      expect(await store.accounts.listNames()).toEqual([]);
      expect(await store.users.count()).toBe(1);
    });

    it('rolls back earlier writes when a later write conflicts', async () => {
      const store = getStore();
      await store.users.create({ name: 'taken' });
      await expect(
        store.transaction(async (tx) => {
          await tx.users.create({ name: 'fresh' });
          await tx.users.create({ name: 'taken' });
        }),
      ).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.users.getByName('fresh')).toBeNull();
    });

    it('keeps a transaction spoiled after a failed statement, as PostgreSQL does', async () => {
      const store = getStore();
      await store.users.create({ name: 'taken' });
      let afterFailure: unknown = null;
      await expect(
        store.transaction(async (tx) => {
          await tx.users.create({ name: 'fresh' });
          await tx.users.create({ name: 'taken' }).catch(() => undefined);
          afterFailure = await tx.users.count().catch((err: unknown) => err);
        }),
      ).rejects.toThrow();
      expect(afterFailure).toBeInstanceOf(Error);
      expect(await store.users.getByName('fresh')).toBeNull();
    });

    it('joins nested transactions into the outer one', async () => {
      const store = getStore();
      await expect(
        store.transaction(async (tx) => {
          await tx.transaction(async (inner) => {
            await inner.users.create({ name: 'inner' });
          });
          await tx.users.create({ name: 'outer' });
          throw new Error('undo both');
        }),
      ).rejects.toThrow('undo both');
      expect(await store.users.count()).toBe(0);
      await store.transaction(async (tx) => tx.transaction(async (inner) => inner.users.create({ name: 'kept' })));
      expect(await store.users.getByName('kept')).not.toBeNull();
    });

    it('treats calls on the outer store from inside the callback as part of the transaction', async () => {
      const store = getStore();
      await expect(
        store.transaction(async () => {
          await store.users.create({ name: 'via-root' });
          expect(await store.users.count()).toBe(1);
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      expect(await store.users.count()).toBe(0);
    });

    it('keeps concurrent work outside the transaction out of its rollback', async () => {
      const store = getStore();
      const hold = gate();
      const started = gate();
      const tx = store.transaction(async (t) => {
        await t.users.create({ name: 'inside' });
        started.open();
        await hold.promise;
        throw new Error('roll back');
      });
      const txDone = tx.catch((err: unknown) => err);
      await started.promise;
      const outside = store.users.create({ name: 'outside' });
      hold.open();
      expect(await txDone).toBeInstanceOf(Error);
      await outside;
      expect(await store.users.getByName('inside')).toBeNull();
      expect(await store.users.getByName('outside')).not.toBeNull();
    });

    it('runs concurrent transactions without losing any', async () => {
      const store = getStore();
      const counter = await store.groups.create({ name: 'counter', properties: { n: 0 } });
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.users.create({ name: `concurrent-${i}` });
            await tx.groups.addMembers(counter.id, [(await tx.users.getByName(`concurrent-${i}`))?.id ?? 0]);
          }),
        ),
      );
      expect(await store.users.count()).toBe(8);
      expect(await store.groups.memberNames(counter.id)).toHaveLength(8);
    });

    it('refuses statements on a transaction that has finished', async () => {
      const store = getStore();
      let escaped: Parameters<Parameters<typeof store.transaction>[0]>[0] | null = null;
      await store.transaction(async (tx) => {
        escaped = tx;
      });
      const leaked = escaped as unknown as typeof store;
      await expect(leaked.users.count()).rejects.toThrow();
    });
  });
}
