import { describe, expect, it } from '@jest/globals';
import type { StoreGetter } from './fixtures';

/** Contract tests of `store.accounts`. */
export function describeAccountContract(getStore: StoreGetter): void {
  describe('accounts', () => {
    it('sets, replaces, reads and deletes an account', async () => {
      const store = getStore();
      await store.users.create({ name: 'alice' });
      const before = Date.now();
      await store.accounts.set('alice', '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA');
      const account = await store.accounts.get('alice');
      expect(account).toMatchObject({ userName: 'alice', passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA' });
      expect(account?.updated.getTime()).toBeGreaterThanOrEqual(before);
      await store.accounts.set('alice', '$scrypt$second');
      expect((await store.accounts.get('alice'))?.passwordHash).toBe('$scrypt$second');
      expect(await store.accounts.listNames()).toEqual(['alice']);
      expect(await store.accounts.delete('alice')).toBe(true);
      expect(await store.accounts.delete('alice')).toBe(false);
      expect(await store.accounts.get('alice')).toBeNull();
      expect(await store.users.getByName('alice')).not.toBeNull();
    });

    it('lists names sorted, and accepts an account whose user does not exist yet', async () => {
      const store = getStore();
      for (const name of ['carol', 'alice', 'Bob']) await store.accounts.set(name, `hash-${name}`);
      expect(await store.accounts.listNames()).toEqual(['Bob', 'alice', 'carol']);
      expect(await store.accounts.get('nobody')).toBeNull();
    });
  });
}
