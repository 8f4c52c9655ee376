import { describe, expect, it } from '@jest/globals';
import { StoreConflictError, type ServerPatch } from '../store';
import { clientRecord, RICH_JSON, tokenInput, type StoreGetter } from './fixtures';

/** Contract tests of `store.servers`. */
export function describeServerContract(getStore: StoreGetter): void {
  describe('servers', () => {
    it('creates a stopped server with defaults', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const before = Date.now();
      const server = await store.servers.create({ userId: alice.id, name: '' });
      expect(server).toMatchObject({
        userId: alice.id,
        name: '',
        displayName: '',
        state: 'stopped',
        profile: null,
        userOptions: {},
        spawnerKind: null,
        backend: null,
        handle: null,
        target: null,
        started: null,
        lastActivity: null,
        stopReason: null,
        message: null,
      });
      expect(server.created.getTime()).toBeGreaterThanOrEqual(before);
      expect(await store.servers.getById(server.id)).toEqual(server);
      expect(await store.servers.get(alice.id, '')).toEqual(server);
      const named = await store.servers.create({ userId: alice.id, name: 'gpu', displayName: 'GPU box' });
      expect(named.displayName).toBe('GPU box');
    });

    it('returns null for missing servers', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      expect(await store.servers.get(alice.id, 'nope')).toBeNull();
      expect(await store.servers.getById(424242)).toBeNull();
      expect(await store.servers.update(424242, { state: 'running' })).toBeNull();
      expect(await store.servers.delete(424242)).toBe(false);
    });

    it('refuses a second server of the same name for one user only', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      await store.servers.create({ userId: alice.id, name: 'x' });
      await expect(store.servers.create({ userId: alice.id, name: 'x' })).rejects.toBeInstanceOf(StoreConflictError);
      await store.servers.create({ userId: bob.id, name: 'x' });
      const other = await store.servers.create({ userId: alice.id, name: 'y' });
      await expect(store.servers.update(other.id, { name: 'x' })).rejects.toBeInstanceOf(StoreConflictError);
      expect((await store.servers.getById(other.id))?.name).toBe('y');
    });

    it('lists a user’s servers by name, and many users’ servers by user then name', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      const carol = await store.users.create({ name: 'carol' });
      for (const name of ['b', '', 'a']) await store.servers.create({ userId: bob.id, name });
      for (const name of ['z', 'm']) await store.servers.create({ userId: alice.id, name });
      await store.servers.create({ userId: carol.id, name: '' });
      expect((await store.servers.listByUser(bob.id)).map((s) => s.name)).toEqual(['', 'a', 'b']);
      const many = await store.servers.listByUsers([bob.id, alice.id, alice.id, 424242]);
      expect(many.map((s) => [s.userId, s.name])).toEqual([
        [alice.id, 'm'],
        [alice.id, 'z'],
        [bob.id, ''],
        [bob.id, 'a'],
        [bob.id, 'b'],
      ]);
      expect(await store.servers.listByUsers([])).toEqual([]);
    });

    it('updates every field and round-trips JSON and dates; null clears', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const server = await store.servers.create({ userId: alice.id, name: '' });
      const patch: Required<ServerPatch> = {
        name: 'renamed',
        displayName: 'Renamed',
        state: 'running',
        profile: 'a100-1',
        userOptions: RICH_JSON,
        spawnerKind: 'local-process',
        backend: 'hpc',
        handle: { pid: 4242, port: 50123, startTime: 1712345678.25, nested: { ok: [1] } },
        target: 'http://127.0.0.1:50123',
        started: new Date('2024-06-01T12:00:00.001Z'),
        lastActivity: new Date('2024-06-01T12:30:00.999Z'),
        stopReason: 'idle',
        message: 'Ready',
      };
      const updated = await store.servers.update(server.id, patch);
      expect(updated).toEqual({ ...server, ...patch });
      expect(JSON.stringify(updated?.userOptions)).toBe(JSON.stringify(RICH_JSON));
      expect(await store.servers.getById(server.id)).toEqual(updated);
      const cleared = await store.servers.update(server.id, { handle: null, target: null, started: null, stopReason: null, message: null });
      expect(cleared).toMatchObject({ handle: null, target: null, started: null, stopReason: null, message: null, profile: 'a100-1' });
      expect(await store.servers.update(server.id, {})).toEqual(cleared);
    });

    it('lists active servers with their owner and counts them', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      const states = ['stopped', 'pending-start', 'running', 'pending-stop', 'failed'] as const;
      for (const [i, state] of states.entries()) {
        const owner = i % 2 === 0 ? alice : bob;
        const server = await store.servers.create({ userId: owner.id, name: `s${i}` });
        await store.servers.update(server.id, { state });
      }
      const active = await store.servers.listActive();
      expect(active.map((s) => [s.name, s.state, s.userName])).toEqual([
        ['s1', 'pending-start', 'bob'],
        ['s2', 'running', 'alice'],
        ['s3', 'pending-stop', 'bob'],
      ]);
      expect(await store.servers.countActive()).toBe(3);
    });

    it('keeps the latest activity (max semantics)', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const server = await store.servers.create({ userId: alice.id, name: '' });
      await store.servers.touchActivity(server.id, new Date('2024-05-01T10:00:00.500Z'));
      await store.servers.touchActivity(server.id, new Date('2023-05-01T10:00:00.000Z'));
      expect((await store.servers.getById(server.id))?.lastActivity?.toISOString()).toBe('2024-05-01T10:00:00.500Z');
      await store.servers.touchActivity(server.id, new Date('2025-01-01T00:00:00.000Z'));
      expect((await store.servers.getById(server.id))?.lastActivity?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    });

    it('deletes a server with its tokens and detaches its OAuth client', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const server = await store.servers.create({ userId: alice.id, name: '' });
      const serverToken = await store.tokens.create(tokenInput(alice.id, { kind: 'server', serverId: server.id }));
      const apiToken = await store.tokens.create(tokenInput(alice.id));
      await store.oauth.upsertClient(clientRecord('jupyterhub-user-alice', { serverId: server.id }));
      expect(await store.servers.delete(server.id)).toBe(true);
      expect(await store.servers.getById(server.id)).toBeNull();
      expect(await store.tokens.getById(serverToken.id)).toBeNull();
      expect(await store.tokens.getById(apiToken.id)).not.toBeNull();
      expect((await store.oauth.getClient('jupyterhub-user-alice'))?.serverId).toBeNull();
      expect(await store.users.getById(alice.id)).not.toBeNull();
    });
  });
}
