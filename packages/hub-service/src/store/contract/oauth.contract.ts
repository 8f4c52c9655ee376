import { describe, expect, it } from '@jest/globals';
import { StoreConflictError } from '../store';
import { clientRecord, codeRecord, type StoreGetter } from './fixtures';

/** Contract tests of `store.oauth`. */
export function describeOAuthContract(getStore: StoreGetter): void {
  describe('oauth', () => {
    it('inserts, replaces and reads clients', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const server = await store.servers.create({ userId: alice.id, name: '' });
      const client = clientRecord('jupyterhub-user-alice', { serverId: server.id });
      await store.oauth.upsertClient(client);
      expect(await store.oauth.getClient(client.id)).toEqual(client);
      const replaced = clientRecord(client.id, { secretHash: 'e'.repeat(64), redirectUri: '/x', description: 'd', allowedScopes: [], serverId: null });
      await store.oauth.upsertClient(replaced);
      expect(await store.oauth.getClient(client.id)).toEqual(replaced);
      expect(await store.oauth.getClient('missing')).toBeNull();
    });

    it('consumes a code exactly once, returning every field', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      await store.oauth.upsertClient(clientRecord('c'));
      const code = codeRecord('hash-1', 'c', alice.id);
      await store.oauth.createCode(code);
      expect(await store.oauth.consumeCode('hash-1')).toEqual(code);
      expect(await store.oauth.consumeCode('hash-1')).toBeNull();
      const bare = codeRecord('hash-2', 'c', alice.id, { sessionId: null, codeChallenge: null, codeChallengeMethod: null, scopes: [] });
      await store.oauth.createCode(bare);
      expect(await store.oauth.consumeCode('hash-2')).toEqual(bare);
    });

    it('lets only one of two concurrent consumers have the code', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      await store.oauth.upsertClient(clientRecord('c'));
      await store.oauth.createCode(codeRecord('race', 'c', alice.id));
      const results = await Promise.all([store.oauth.consumeCode('race'), store.oauth.consumeCode('race'), store.oauth.consumeCode('race')]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    it('refuses a duplicate code', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      await store.oauth.upsertClient(clientRecord('c'));
      await store.oauth.createCode(codeRecord('dup', 'c', alice.id));
      await expect(store.oauth.createCode(codeRecord('dup', 'c', alice.id))).rejects.toBeInstanceOf(StoreConflictError);
    });

    it('deletes a client with its codes', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      await store.oauth.upsertClient(clientRecord('c1'));
      await store.oauth.upsertClient(clientRecord('c2'));
      await store.oauth.createCode(codeRecord('k1', 'c1', alice.id));
      await store.oauth.createCode(codeRecord('k2', 'c2', alice.id));
      expect(await store.oauth.deleteClient('c1')).toBe(true);
      expect(await store.oauth.deleteClient('c1')).toBe(false);
      expect(await store.oauth.getClient('c1')).toBeNull();
      expect(await store.oauth.consumeCode('k1')).toBeNull();
      expect(await store.oauth.consumeCode('k2')).not.toBeNull();
    });

    it('purges codes that expired before now', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      await store.oauth.upsertClient(clientRecord('c'));
      const now = new Date('2025-01-01T00:00:00.000Z');
      await store.oauth.createCode(codeRecord('old', 'c', alice.id, { expiresAt: new Date('2024-12-31T23:59:59.999Z') }));
      await store.oauth.createCode(codeRecord('now', 'c', alice.id, { expiresAt: now }));
      await store.oauth.createCode(codeRecord('new', 'c', alice.id, { expiresAt: new Date('2025-01-01T00:00:10.000Z') }));
      expect(await store.oauth.purgeExpiredCodes(now)).toBe(1);
      expect(await store.oauth.consumeCode('old')).toBeNull();
      expect(await store.oauth.consumeCode('now')).not.toBeNull();
      expect(await store.oauth.consumeCode('new')).not.toBeNull();
    });
  });
}
