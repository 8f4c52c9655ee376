/**
 * REST conformance of `/hub/api/users[/:name]` (protocol.md §1.3, §1.4, §5, §5.1; T23): listing
 * with and without the pagination envelope, filters, sorting, one-user CRUD, bulk creation, user
 * models trimmed by scopes and the 403-vs-404 rule.
 */
import type { ServerModel, UserModel } from '@clusterhub/shared';
import { apiCall as call, errorCode as codeOf, type ApiReply as Reply } from './harness/api-call';
import { startTestHub, tokenFor, type TestHub } from './harness/hub-harness';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

const PAGINATION = 'application/jupyterhub-pagination+json';

interface Envelope {
  items: UserModel[];
  _pagination: { offset: number; limit: number; total: number; next: { offset: number; limit: number; url: string } | null };
}

describe('REST /users', () => {
  const spawner = new FakeSpawner({ behaviour: (r) => (r.user.name === 'bob' ? { kind: 'never' } : { kind: 'ok' }) });
  let t: TestHub;
  let bobToken: string;
  const bulk = Array.from({ length: 230 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);

  const get = (path: string, token: string, accept?: string): Promise<Reply> => call(`${t.apiUrl}${path}`, { token, headers: accept ? { accept } : {} });

  beforeAll(async () => {
    t = await startTestHub({ config: { hub: { slowSpawnTimeoutSeconds: 1 } }, overrides: { spawner } });
    const created = await call(`${t.apiUrl}/users`, { method: 'POST', token: t.adminToken, body: { usernames: bulk } });
    expect(created.status).toBe(201);
    for (const name of ['alice', 'carol', 'zed-one', 'zed-two']) await t.addUser(name);
    bobToken = await t.addUser('bob');
    expect((await call(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: t.adminToken })).status).toBe(201);
    expect((await call(`${t.apiUrl}/users/bob/server`, { method: 'POST', token: t.adminToken })).status).toBe(202);
    expect((await call(`${t.apiUrl}/users/carol/servers/nb`, { method: 'POST', token: t.adminToken })).status).toBe(201);
    expect((await call(`${t.apiUrl}/users/carol/servers/nb`, { method: 'DELETE', token: t.adminToken })).status).toBe(204);
  });
  afterAll(async () => {
    await call(`${t.apiUrl}/users/alice/server`, { method: 'DELETE', token: t.adminToken });
    await call(`${t.apiUrl}/users/bob/server`, { method: 'DELETE', token: t.adminToken });
    await t.stop();
    await spawner.close();
  });

  describe('pagination (§1.4)', () => {
    const total = 230 + 5 + 1;

    it('answers a bare array without the pagination Accept header, with the max limit (200) as default', async () => {
      const res = await get('/users', t.adminToken);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Array.isArray(res.json)).toBe(true);
      expect((res.json as UserModel[]).length).toBe(200);
    });

    it('answers the envelope with the Accept header (default limit 50) and an absolute next.url that walks all pages', async () => {
      const first = await get('/users', t.adminToken, `text/html, ${PAGINATION}`);
      expect(first.status).toBe(200);
      const env = first.json as Envelope;
      expect(env._pagination).toMatchObject({ offset: 0, limit: 50, total });
      expect(env.items).toHaveLength(50);
      const names = env.items.map((u) => u.name);
      let next = env._pagination.next;
      for (let page = 0; next && page < 20; page += 1) {
        expect(next.url.startsWith(`${t.apiUrl}/users?`)).toBe(true);
        const res = await call(next.url, { token: t.adminToken, headers: { accept: PAGINATION } });
        expect(res.status).toBe(200);
        const body = res.json as Envelope;
        expect(body._pagination.offset).toBe(next.offset);
        names.push(...body.items.map((u) => u.name));
        next = body._pagination.next;
      }
      expect(next).toBeNull();
      expect(names).toHaveLength(total);
      expect(new Set(names).size).toBe(total);
      expect(names).toEqual(expect.arrayContaining([...bulk, 'admin', 'alice', 'bob']));
    });

    it('keeps the query (filters) in next.url', async () => {
      const res = await get('/users?name_filter=bulk-&limit=100', t.adminToken, PAGINATION);
      const env = res.json as Envelope;
      expect(env._pagination).toMatchObject({ offset: 0, limit: 100, total: 230 });
      const url = new URL(env._pagination.next?.url ?? '');
      expect(url.searchParams.get('name_filter')).toBe('bulk-');
      expect(url.searchParams.get('offset')).toBe('100');
      const last = (await call(`${t.apiUrl}/users?name_filter=bulk-&offset=200&limit=100`, { token: t.adminToken, headers: { accept: PAGINATION } })).json as Envelope;
      expect(last.items).toHaveLength(30);
      expect(last._pagination.next).toBeNull();
    });

    it('builds next.url from the URL the client used (through the proxy)', async () => {
      const res = await call(`${t.publicUrl}/hub/api/users?limit=100`, { token: t.adminToken, headers: { accept: PAGINATION } });
      expect(res.status).toBe(200);
      const next = (res.json as Envelope)._pagination.next;
      expect(next?.url.startsWith(`${t.publicUrl}/hub/api/users?`)).toBe(true);
      const second = await call(next?.url ?? '', { token: t.adminToken, headers: { accept: PAGINATION } });
      expect((second.json as Envelope)._pagination.offset).toBe(100);
    });

    it('clamps limit to [1, 200], takes absolute values of negatives and rejects non-integers', async () => {
      const big = (await get('/users?limit=5000', t.adminToken, PAGINATION)).json as Envelope;
      expect(big._pagination.limit).toBe(200);
      expect(big.items).toHaveLength(200);
      const zero = (await get('/users?limit=0', t.adminToken, PAGINATION)).json as Envelope;
      expect(zero._pagination.limit).toBe(1);
      expect(zero.items).toHaveLength(1);
      const negative = (await get('/users?limit=-3&offset=-2', t.adminToken, PAGINATION)).json as Envelope;
      expect(negative._pagination).toMatchObject({ limit: 3, offset: 2 });
      expect((await get('/users?limit=5000', t.adminToken)).json).toHaveLength(200);
      for (const bad of ['abc', '1.5', '']) {
        const res = await get(`/users?limit=${bad}`, t.adminToken);
        expect(res.status).toBe(400);
        expect(codeOf(res)).toBe('invalid_query');
      }
      expect(codeOf(await get('/users?offset=x', t.adminToken))).toBe('invalid_query');
    });
  });

  describe('filters and sorting', () => {
    const names = async (query: string): Promise<string[]> => {
      const res = await get(`/users?${query}`, t.adminToken);
      expect(res.status).toBe(200);
      return (res.json as UserModel[]).map((u) => u.name);
    };

    it('filters by state=ready/active/inactive', async () => {
      const ready = await names('state=ready');
      expect(ready).toContain('alice');
      expect(ready).not.toContain('bob');
      expect(ready).not.toContain('carol');
      const active = await names('state=active');
      expect(active).toEqual(expect.arrayContaining(['alice', 'bob']));
      expect(active).not.toContain('carol');
      const inactive = await names('state=inactive&name_filter=o');
      expect(inactive).toContain('carol');
      expect(inactive).toContain('zed-one');
      expect(inactive).not.toContain('bob');
      const res = await get('/users?state=running', t.adminToken);
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('invalid_query');
    });

    it('filters by name_filter (case-insensitive substring) and sorts', async () => {
      expect(await names('name_filter=ZED')).toEqual(['zed-one', 'zed-two']);
      expect(await names('name_filter=zed&sort=-name')).toEqual(['zed-two', 'zed-one']);
      expect(await names('name_filter=zed&sort=name')).toEqual(['zed-one', 'zed-two']);
      const byId = await names('name_filter=bulk-&sort=-id&limit=3');
      expect(byId).toEqual(['bulk-229', 'bulk-228', 'bulk-227']);
      const res = await get('/users?sort=age', t.adminToken);
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('invalid_query');
    });

    it('lists only active servers unless include_stopped_servers', async () => {
      const list = (await get('/users?name_filter=carol', t.adminToken)).json as UserModel[];
      expect(list).toHaveLength(1);
      expect(list[0]?.servers).toEqual({});
      const withStopped = (await get('/users?name_filter=carol&include_stopped_servers=1', t.adminToken)).json as UserModel[];
      expect(withStopped[0]?.servers?.nb).toMatchObject({ name: 'nb', ready: false, pending: null, stopped: true });
      const one = (await get('/users/carol?include_stopped_servers', t.adminToken)).json as UserModel;
      expect(Object.keys(one.servers ?? {})).toEqual(['nb']);
      const off = (await get('/users/carol?include_stopped_servers=0', t.adminToken)).json as UserModel;
      expect(off.servers).toEqual({});
    });

    it('shows the default server URL and pending action in the user model', async () => {
      const alice = (await get('/users/alice', t.adminToken)).json as UserModel;
      expect(alice).toMatchObject({ kind: 'user', name: 'alice', admin: false, server: '/user/alice/', pending: null, groups: [], roles: ['user'] });
      expect(alice.servers?.['']).toMatchObject({ name: '', ready: true, url: '/user/alice/', progress_url: '/hub/api/users/alice/server/progress' });
      expect(alice.created).toMatch(/Z$/);
      const bob = (await get('/users/bob', t.adminToken)).json as UserModel;
      expect(bob).toMatchObject({ server: null, pending: 'spawn' });
      expect(bob.servers?.['']).toMatchObject({ ready: false, pending: 'spawn', stopped: false });
    });
  });

  describe('one user', () => {
    it('creates, reads, patches, renames and deletes a user', async () => {
      const created = await call(`${t.apiUrl}/users/dave`, { method: 'POST', token: t.adminToken });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ kind: 'user', name: 'dave', admin: false });
      const again = await call(`${t.apiUrl}/users/dave`, { method: 'POST', token: t.adminToken, body: { admin: true } });
      expect(again.status).toBe(409);
      expect(codeOf(again)).toBe('conflict');
      expect((await get('/users/dave', t.adminToken)).status).toBe(200);
      const patched = await call(`${t.apiUrl}/users/dave`, { method: 'PATCH', token: t.adminToken, body: { admin: true } });
      expect(patched.status).toBe(200);
      expect(patched.json).toMatchObject({ name: 'dave', admin: true });
      const taken = await call(`${t.apiUrl}/users/dave`, { method: 'PATCH', token: t.adminToken, body: { name: 'alice' } });
      expect(taken.status).toBe(400);
      expect(codeOf(taken)).toBe('bad_request');
      const renamed = await call(`${t.apiUrl}/users/dave`, { method: 'PATCH', token: t.adminToken, body: { name: 'dave2' } });
      expect(renamed.status).toBe(200);
      expect(renamed.json).toMatchObject({ name: 'dave2', admin: true });
      expect((await get('/users/dave', t.adminToken)).status).toBe(404);
      const deleted = await call(`${t.apiUrl}/users/dave2`, { method: 'DELETE', token: t.adminToken });
      expect(deleted.status).toBe(204);
      expect((await get('/users/dave2', t.adminToken)).status).toBe(404);
      const missing = await call(`${t.apiUrl}/users/dave2`, { method: 'DELETE', token: t.adminToken });
      expect(missing.status).toBe(404);
      expect(codeOf(missing)).toBe('not_found');
    });

    it('refuses to let an admin delete itself', async () => {
      const res = await call(`${t.apiUrl}/users/admin`, { method: 'DELETE', token: t.adminToken });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('cannot_delete_self');
    });

    it('creates users in bulk: 201 with the new ones only, 409 when all exist', async () => {
      const first = await call(`${t.apiUrl}/users`, { method: 'POST', token: t.adminToken, body: { usernames: ['eve', 'frank'], admin: false } });
      expect(first.status).toBe(201);
      expect((first.json as UserModel[]).map((u) => u.name).sort()).toEqual(['eve', 'frank']);
      const some = await call(`${t.apiUrl}/users`, { method: 'POST', token: t.adminToken, body: { usernames: ['eve', 'gina'] } });
      expect(some.status).toBe(201);
      expect((some.json as UserModel[]).map((u) => u.name)).toEqual(['gina']);
      const all = await call(`${t.apiUrl}/users`, { method: 'POST', token: t.adminToken, body: { usernames: ['eve', 'frank', 'gina'] } });
      expect(all.status).toBe(409);
      expect(codeOf(all)).toBe('conflict');
      const none = await call(`${t.apiUrl}/users`, { method: 'POST', token: t.adminToken, body: { usernames: [] } });
      expect(none.status).toBe(400);
    });

    it('needs admin:users to create users', async () => {
      const res = await call(`${t.apiUrl}/users`, { method: 'POST', token: bobToken, body: { usernames: ['mallory'] } });
      expect(res.status).toBe(403);
      expect(codeOf(res)).toBe('forbidden');
    });
  });

  describe('models by scope (§5.1) and the 403-vs-404 rule (§1.3)', () => {
    it('shows only identify keys to a read:users:name token', async () => {
      const token = await tokenFor(t.hub, 'admin', ['read:users:name']);
      const res = await get('/users/alice', token);
      expect(res.status).toBe(200);
      const model = res.json as UserModel;
      expect(model).toMatchObject({ kind: 'user', name: 'alice' });
      expect(model).not.toHaveProperty('servers');
      expect(model).not.toHaveProperty('groups');
      expect(model).not.toHaveProperty('last_activity');
      expect(model).not.toHaveProperty('created');
      const list = await get('/users', token);
      expect(list.status).toBe(403);
    });

    it('shows servers to a list:users + read:servers token but not the read:users fields', async () => {
      const token = await tokenFor(t.hub, 'admin', ['list:users', 'read:servers']);
      const res = await get('/users?name_filter=alice', token);
      expect(res.status).toBe(200);
      const [alice] = res.json as UserModel[];
      expect(alice?.name).toBe('alice');
      expect((alice?.servers as Record<string, ServerModel> | undefined)?.['']).toMatchObject({ ready: true, url: '/user/alice/' });
      expect(alice).not.toHaveProperty('created');
      expect(alice).not.toHaveProperty('pending');
    });

    it('gives a normal user 403 for the list, 404 for another user and 200 for itself', async () => {
      const list = await get('/users', bobToken);
      expect(list.status).toBe(403);
      expect(codeOf(list)).toBe('forbidden');
      const other = await get('/users/alice', bobToken);
      expect(other.status).toBe(404);
      expect(codeOf(other)).toBe('not_found');
      const ghost = await get('/users/no-such-user', bobToken);
      expect(ghost.status).toBe(404);
      const self = await get('/users/bob', bobToken);
      expect(self.status).toBe(200);
      expect(self.json).toMatchObject({ name: 'bob', admin: false });
    });

    it('lets a token filtered to one user list exactly that user', async () => {
      const token = await tokenFor(t.hub, 'admin', ['list:users!user=alice', 'read:users!user=alice']);
      const res = await get('/users', token, PAGINATION);
      expect(res.status).toBe(200);
      const env = res.json as Envelope;
      expect(env.items.map((u) => u.name)).toEqual(['alice']);
      expect(env._pagination.total).toBe(1);
      expect((await get('/users/carol', token)).status).toBe(404);
    });

    it('answers 403 for missing or invalid credentials', async () => {
      const none = await call(`${t.apiUrl}/users/alice`);
      expect(none.status).toBe(403);
      expect(codeOf(none)).toBe('not_authenticated');
      const bad = await get('/users/alice', 'not-a-real-token');
      expect(bad.status).toBe(403);
      expect(codeOf(bad)).toBe('not_authenticated');
    });
  });
});
