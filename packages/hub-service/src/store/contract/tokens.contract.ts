import { describe, expect, it } from '@jest/globals';
import { StoreConflictError } from '../store';
import { tokenInput, type StoreGetter } from './fixtures';

/** Contract tests of `store.tokens`. */
export function describeTokenContract(getStore: StoreGetter): void {
  describe('tokens', () => {
    it('creates and reads back every field by id and by hash', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const server = await store.servers.create({ userId: alice.id, name: '' });
      const input = tokenInput(alice.id, {
        kind: 'oauth',
        prefix: 'Zx9_',
        scopes: ['read:users!user=alice', 'access:servers!server=alice/', 'self'],
        note: 'Requested via the token page — ünïcødé',
        expiresAt: new Date('2031-12-31T23:59:59.999Z'),
        sessionId: 'a1b2c3',
        oauthClientId: 'jupyterhub-user-alice',
        serverId: server.id,
        created: new Date('2024-01-02T03:04:05.678Z'),
      });
      const token = await store.tokens.create(input);
      const { created, ...rest } = input;
      expect(token).toEqual({ ...rest, id: token.id, created, lastActivity: null });
      expect(await store.tokens.getById(token.id)).toEqual(token);
      expect(await store.tokens.findByHash(input.hash)).toEqual(token);
      expect(await store.tokens.findByHash('0'.repeat(64))).toBeNull();
      expect(await store.tokens.getById(424242)).toBeNull();
    });

    it('defaults created to now and keeps an empty scope list', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const before = Date.now();
      const token = await store.tokens.create(tokenInput(alice.id));
      expect(token.created.getTime()).toBeGreaterThanOrEqual(before);
      expect(token.scopes).toEqual([]);
    });

    it('stores service tokens and lists by owner in id order', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const t1 = await store.tokens.create(tokenInput(alice.id));
      const s1 = await store.tokens.create(tokenInput(alice.id, { userId: null, serviceName: 'idle-culler', scopes: ['list:users'] }));
      const t2 = await store.tokens.create(tokenInput(alice.id, { kind: 'server' }));
      expect(s1).toMatchObject({ userId: null, serviceName: 'idle-culler' });
      expect((await store.tokens.listForUser(alice.id)).map((t) => t.id)).toEqual([t1.id, t2.id]);
      expect((await store.tokens.listForService('idle-culler')).map((t) => t.id)).toEqual([s1.id]);
      expect(await store.tokens.listForService('other')).toEqual([]);
    });

    it('refuses a duplicate hash', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const first = await store.tokens.create(tokenInput(alice.id));
      await expect(store.tokens.create(tokenInput(alice.id, { hash: first.hash }))).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.tokens.listForUser(alice.id)).toHaveLength(1);
    });

    it('refuses a token with no owner or two owners (not as a conflict)', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const outcome = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'resolved', (err: unknown) => err);
      for (const overrides of [{ userId: null }, { serviceName: 'svc' }]) {
        const result = await outcome(store.tokens.create(tokenInput(alice.id, overrides)));
        expect(result).not.toBe('resolved');
        expect(result).not.toBeInstanceOf(StoreConflictError);
      }
      expect(await store.tokens.listForUser(alice.id)).toEqual([]);
    });

    it('touch keeps the latest activity', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const token = await store.tokens.create(tokenInput(alice.id));
      await store.tokens.touch(token.id, new Date('2024-05-01T10:00:00.500Z'));
      await store.tokens.touch(token.id, new Date('2024-05-01T09:00:00.000Z'));
      expect((await store.tokens.getById(token.id))?.lastActivity?.toISOString()).toBe('2024-05-01T10:00:00.500Z');
      await store.tokens.touch(token.id, new Date('2024-05-02T10:00:00.000Z'));
      expect((await store.tokens.getById(token.id))?.lastActivity?.toISOString()).toBe('2024-05-02T10:00:00.000Z');
    });

    it('deletes one token', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const token = await store.tokens.create(tokenInput(alice.id));
      expect(await store.tokens.delete(token.id)).toBe(true);
      expect(await store.tokens.delete(token.id)).toBe(false);
      expect(await store.tokens.findByHash(token.hash)).toBeNull();
    });

    it('deletes tokens matching all given fields', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      const server = await store.servers.create({ userId: alice.id, name: '' });
      const make = (overrides: Parameters<typeof tokenInput>[1]) => store.tokens.create(tokenInput(alice.id, overrides));
      await make({ kind: 'oauth', sessionId: 's1', oauthClientId: 'c1' });
      await make({ kind: 'oauth', sessionId: 's1', oauthClientId: 'c2' });
      await make({ kind: 'oauth', sessionId: 's2', oauthClientId: 'c1' });
      await make({ kind: 'server', serverId: server.id });
      await make({ kind: 'api' });
      await store.tokens.create(tokenInput(bob.id, { kind: 'oauth', sessionId: 's1', oauthClientId: 'c1' }));
      await store.tokens.create(tokenInput(bob.id, { userId: null, serviceName: 'svc' }));

      expect(await store.tokens.deleteWhere({ sessionId: 's1', oauthClientId: 'c1', userId: alice.id })).toBe(1);
      expect(await store.tokens.deleteWhere({ oauthClientId: 'c1' })).toBe(2);
      expect(await store.tokens.deleteWhere({ serverId: server.id, kind: 'server' })).toBe(1);
      expect(await store.tokens.deleteWhere({ serviceName: 'svc' })).toBe(1);
      expect(await store.tokens.deleteWhere({ userId: alice.id, kind: 'api' })).toBe(1);
      expect(await store.tokens.deleteWhere({ sessionId: 'none' })).toBe(0);
      expect((await store.tokens.listForUser(alice.id)).map((t) => t.oauthClientId)).toEqual(['c2']);
      await expect(store.tokens.deleteWhere({})).rejects.toThrow();
      expect(await store.tokens.listForUser(alice.id)).toHaveLength(1);
    });

    it('purges only tokens that expired before now; findByHash still returns expired ones', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const now = new Date('2025-01-01T00:00:00.000Z');
      const expired = await store.tokens.create(tokenInput(alice.id, { expiresAt: new Date('2024-12-31T23:59:59.999Z') }));
      const atNow = await store.tokens.create(tokenInput(alice.id, { expiresAt: now }));
      const later = await store.tokens.create(tokenInput(alice.id, { expiresAt: new Date('2025-01-01T00:00:00.001Z') }));
      const never = await store.tokens.create(tokenInput(alice.id, { expiresAt: null }));
      expect((await store.tokens.findByHash(expired.hash))?.id).toBe(expired.id);
      expect(await store.tokens.purgeExpired(now)).toBe(1);
      expect(await store.tokens.getById(expired.id)).toBeNull();
      expect((await store.tokens.listForUser(alice.id)).map((t) => t.id)).toEqual([atNow.id, later.id, never.id]);
    });
  });
}
