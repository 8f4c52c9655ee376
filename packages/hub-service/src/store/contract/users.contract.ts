import { describe, expect, it } from '@jest/globals';
import type { ServerState } from '@clusterhub/shared';
import { StoreConflictError, type Store } from '../store';
import { codeRecord, clientRecord, RICH_JSON, tokenInput, type StoreGetter } from './fixtures';

/** Contract tests of `store.users`. */
export function describeUserContract(getStore: StoreGetter): void {
  describe('users', () => {
    it('creates with defaults and reads back by id and by name', async () => {
      const store = getStore();
      const before = Date.now();
      const user = await store.users.create({ name: 'alice' });
      const after = Date.now();
      expect(user).toMatchObject({ name: 'alice', admin: false, lastActivity: null, userInfo: {} });
      expect(user.created.getTime()).toBeGreaterThanOrEqual(before);
      expect(user.created.getTime()).toBeLessThanOrEqual(after);
      expect(await store.users.getById(user.id)).toEqual(user);
      expect(await store.users.getByName('alice')).toEqual(user);
    });

    it('round-trips dates to the millisecond and JSON exactly', async () => {
      const store = getStore();
      const created = new Date('2024-02-29T23:59:59.123Z');
      const user = await store.users.create({ name: 'bob', admin: true, created, userInfo: RICH_JSON });
      const read = await store.users.getById(user.id);
      expect(read?.created.toISOString()).toBe('2024-02-29T23:59:59.123Z');
      expect(read?.admin).toBe(true);
      expect(JSON.stringify(read?.userInfo)).toBe(JSON.stringify(RICH_JSON));
    });

    it('returns null for missing users', async () => {
      const store = getStore();
      expect(await store.users.getById(424242)).toBeNull();
      expect(await store.users.getByName('nobody')).toBeNull();
      expect(await store.users.update(424242, { admin: true })).toBeNull();
      expect(await store.users.delete(424242)).toBe(false);
    });

    it('refuses a duplicate name with StoreConflictError and writes nothing', async () => {
      const store = getStore();
      await store.users.create({ name: 'alice' });
      await expect(store.users.create({ name: 'alice', admin: true })).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.users.count()).toBe(1);
      expect((await store.users.getByName('alice'))?.admin).toBe(false);
    });

    it('treats names as case-sensitive and distinct', async () => {
      const store = getStore();
      await store.users.create({ name: 'Alice' });
      await store.users.create({ name: 'alice' });
      expect(await store.users.count()).toBe(2);
    });

    it('looks up many names at once, across chunks, ignoring missing and repeated names', async () => {
      const store = getStore();
      const names = Array.from({ length: 620 }, (_, i) => `user-${String(i).padStart(4, '0')}`);
      await store.transaction(async (tx) => {
        for (const name of names) await tx.users.create({ name });
      });
      const wanted = [...names.filter((_, i) => i % 3 === 0), 'ghost', 'user-0000'];
      const found = await store.users.getByNames(wanted);
      expect(found.map((u) => u.name).sort()).toEqual(names.filter((_, i) => i % 3 === 0));
      expect(await store.users.getByNames([])).toEqual([]);
    });

    it('pages with totals', async () => {
      const store = getStore();
      for (const name of ['u1', 'u2', 'u3', 'u4', 'u5']) await store.users.create({ name });
      const page = await store.users.list({ offset: 1, limit: 2 });
      expect(page.total).toBe(5);
      expect(page.items.map((u) => u.name)).toEqual(['u2', 'u3']);
      expect(await store.users.list({ offset: 4, limit: 10 })).toMatchObject({ total: 5, items: [{ name: 'u5' }] });
      expect(await store.users.list({ offset: 10, limit: 10 })).toEqual({ total: 5, items: [] });
    });

    it('sorts by id, name and last activity in both directions', async () => {
      const store = getStore();
      const carol = await store.users.create({ name: 'carol' });
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      await store.users.create({ name: 'dave' });
      await store.users.touchActivity(carol.id, new Date('2024-01-01T00:00:00.000Z'));
      await store.users.touchActivity(alice.id, new Date('2024-03-01T00:00:00.000Z'));
      await store.users.touchActivity(bob.id, new Date('2024-02-01T00:00:00.000Z'));
      const names = async (sort: Parameters<Store['users']['list']>[0]['sort']) =>
        (await store.users.list({ offset: 0, limit: 10, sort })).items.map((u) => u.name);
      expect(await names(undefined)).toEqual(['carol', 'alice', 'bob', 'dave']);
      expect(await names('id')).toEqual(['carol', 'alice', 'bob', 'dave']);
      expect(await names('-id')).toEqual(['dave', 'bob', 'alice', 'carol']);
      expect(await names('name')).toEqual(['alice', 'bob', 'carol', 'dave']);
      expect(await names('-name')).toEqual(['dave', 'carol', 'bob', 'alice']);
      expect(await names('last_activity')).toEqual(['dave', 'carol', 'bob', 'alice']);
      expect(await names('-last_activity')).toEqual(['alice', 'bob', 'carol', 'dave']);
    });

    it('sorts names byte-wise on every dialect', async () => {
      const store = getStore();
      for (const name of ['b', 'B', 'a', 'A', 'é', '_x', '1']) await store.users.create({ name });
      const page = await store.users.list({ offset: 0, limit: 10, sort: 'name' });
      expect(page.items.map((u) => u.name)).toEqual(['1', 'A', 'B', '_x', 'a', 'b', 'é']);
    });

    it('filters names by case-insensitive substring, treating % and _ literally', async () => {
      const store = getStore();
      for (const name of ['Alice', 'malik', 'bob', 'a_b', 'axb', '100%']) await store.users.create({ name });
      const filtered = async (nameFilter: string) =>
        (await store.users.list({ offset: 0, limit: 10, nameFilter, sort: 'name' })).items.map((u) => u.name);
      expect(await filtered('ALI')).toEqual(['Alice', 'malik']);
      expect(await filtered('_')).toEqual(['a_b']);
      expect(await filtered('%')).toEqual(['100%']);
      expect(await filtered('zzz')).toEqual([]);
      const page = await store.users.list({ offset: 1, limit: 1, nameFilter: 'li', sort: 'name' });
      expect(page).toMatchObject({ total: 2, items: [{ name: 'malik' }] });
    });

    it('filters by server state: ready, active, inactive', async () => {
      const store = getStore();
      const states: Record<string, ServerState[]> = {
        running: ['running'],
        starting: ['pending-start'],
        stopping: ['pending-stop'],
        stopped: ['stopped', 'failed'],
        none: [],
        mixed: ['stopped', 'running', 'pending-start'],
      };
      for (const [name, serverStates] of Object.entries(states)) {
        const user = await store.users.create({ name });
        for (const [i, state] of serverStates.entries()) {
          const server = await store.servers.create({ userId: user.id, name: i === 0 ? '' : `s${i}` });
          await store.servers.update(server.id, { state });
        }
      }
      const names = async (state: 'active' | 'ready' | 'inactive') => {
        const page = await store.users.list({ offset: 0, limit: 10, state, sort: 'name' });
        expect(page.total).toBe(page.items.length);
        return page.items.map((u) => u.name);
      };
      expect(await names('ready')).toEqual(['mixed', 'running']);
      expect(await names('active')).toEqual(['mixed', 'running', 'starting', 'stopping']);
      expect(await names('inactive')).toEqual(['none', 'stopped']);
      const combined = await store.users.list({ offset: 0, limit: 1, state: 'active', nameFilter: 'ING', sort: '-name' });
      expect(combined).toMatchObject({ total: 3, items: [{ name: 'stopping' }] });
    });

    it('updates fields and returns the new row', async () => {
      const store = getStore();
      const user = await store.users.create({ name: 'alice', userInfo: { a: 1 } });
      const updated = await store.users.update(user.id, { admin: true, userInfo: { b: [2] } });
      expect(updated).toEqual({ ...user, admin: true, userInfo: { b: [2] } });
      expect(await store.users.getById(user.id)).toEqual(updated);
      expect(await store.users.update(user.id, {})).toEqual(updated);
    });

    it('renames, carrying the local account; renaming onto a taken name conflicts and changes nothing', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      await store.users.create({ name: 'bob' });
      await store.accounts.set('alice', '$scrypt$alice');
      const renamed = await store.users.update(alice.id, { name: 'alicia' });
      expect(renamed?.name).toBe('alicia');
      expect(await store.users.getByName('alice')).toBeNull();
      expect(await store.accounts.get('alice')).toBeNull();
      expect((await store.accounts.get('alicia'))?.passwordHash).toBe('$scrypt$alice');
      await expect(store.users.update(alice.id, { name: 'bob', admin: true })).rejects.toBeInstanceOf(StoreConflictError);
      expect(await store.users.getById(alice.id)).toMatchObject({ name: 'alicia', admin: false });
      expect(await store.accounts.listNames()).toEqual(['alicia']);
    });

    it('keeps the latest activity (max semantics)', async () => {
      const store = getStore();
      const user = await store.users.create({ name: 'alice' });
      await store.users.touchActivity(user.id, new Date('2024-05-01T10:00:00.500Z'));
      await store.users.touchActivity(user.id, new Date('2024-04-01T10:00:00.000Z'));
      expect((await store.users.getById(user.id))?.lastActivity?.toISOString()).toBe('2024-05-01T10:00:00.500Z');
      await store.users.touchActivity(user.id, new Date('2024-05-01T10:00:00.501Z'));
      expect((await store.users.getById(user.id))?.lastActivity?.toISOString()).toBe('2024-05-01T10:00:00.501Z');
      await store.users.touchActivity(424242, new Date());
    });

    it('deletes a user with its servers, tokens, codes, memberships and local account', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      const server = await store.servers.create({ userId: alice.id, name: '' });
      const token = await store.tokens.create(tokenInput(alice.id));
      const serverToken = await store.tokens.create(tokenInput(alice.id, { kind: 'server', serverId: server.id }));
      const bobToken = await store.tokens.create(tokenInput(bob.id));
      await store.oauth.upsertClient(clientRecord('jupyterhub-user-bob', { serverId: null }));
      await store.oauth.createCode(codeRecord('code-alice', 'jupyterhub-user-bob', alice.id));
      await store.oauth.createCode(codeRecord('code-bob', 'jupyterhub-user-bob', bob.id));
      const group = await store.groups.create({ name: 'gpu' });
      await store.groups.addMembers(group.id, [alice.id, bob.id]);
      await store.accounts.set('alice', 'hash-a');
      await store.accounts.set('bob', 'hash-b');

      expect(await store.users.delete(alice.id)).toBe(true);
      expect(await store.users.getById(alice.id)).toBeNull();
      expect(await store.servers.getById(server.id)).toBeNull();
      expect(await store.tokens.getById(token.id)).toBeNull();
      expect(await store.tokens.getById(serverToken.id)).toBeNull();
      expect(await store.oauth.consumeCode('code-alice')).toBeNull();
      expect(await store.groups.memberNames(group.id)).toEqual(['bob']);
      expect(await store.accounts.listNames()).toEqual(['bob']);
      expect(await store.tokens.getById(bobToken.id)).not.toBeNull();
      expect(await store.oauth.consumeCode('code-bob')).not.toBeNull();
      expect(await store.users.delete(alice.id)).toBe(false);
      expect(await store.users.count()).toBe(1);
    });

    it('never reuses the id of a deleted user', async () => {
      const store = getStore();
      await store.users.create({ name: 'first' });
      const second = await store.users.create({ name: 'second' });
      await store.users.delete(second.id);
      const third = await store.users.create({ name: 'third' });
      expect(third.id).toBeGreaterThan(second.id);
    });
  });
}
