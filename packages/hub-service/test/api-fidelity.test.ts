/**
 * Wire fidelity with JupyterHub 6.1.1 where real clients notice (issue 5, items 5 and 6): names
 * JupyterHub accepts, their escaping in URLs and proxy routes, token minting and 403-vs-404,
 * `last_activity`, and the endpoints 6.1 serves (single server model, PATCH /proxy, the
 * deprecated token lookup, sharing with sharing off, 405 with `Allow`). Each expectation is
 * what 6.1.1's handlers answer (jupyterhub/apihandlers/{users,auth,proxy,shares,base}.py).
 */
import { quoteSegment } from '@clusterhub/shared';
import { startTestHub, tokenFor, type TestHub } from './harness/hub-harness';
import { apiCall, errorCode, type ApiReply } from './harness/api-call';
import { snapshotStore } from './harness/store-snapshot';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { newToken } from '../src/lib/secrets';

/** The reply's JSON body as an object (fails the test otherwise). */
function body(reply: ApiReply): Record<string, unknown> {
  expect(typeof reply.json).toBe('object');
  return reply.json as Record<string, unknown>;
}

describe('JupyterHub 6.1 wire fidelity', () => {
  const spawner = new FakeSpawner();
  const serviceToken = newToken();
  let t: TestHub;
  let aliceToken = '';
  let bobToken = '';
  const api = (path: string): string => `${t.apiUrl}${path}`;

  beforeAll(async () => {
    t = await startTestHub({
      config: { services: [{ name: 'watcher', apiToken: serviceToken, scopes: ['list:users'] }] },
      overrides: { spawner },
    });
    aliceToken = await t.addUser('alice');
    bobToken = await t.addUser('bob');
    const store = t.hub.context.store;
    const team = await store.groups.create({ name: 'team' });
    const alice = await store.users.getByName('alice');
    await store.groups.addMembers(team.id, [alice?.id ?? 0]);
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  describe('names JupyterHub accepts, escaped as JupyterHub does', () => {
    const names = ['ann+lab@uni.example', 'first.last@example.org', 'ann smith', 'zoë müller', "o'brien"];

    it.each(names)('creates %j through the API and reads it back at its quoted path', async (name) => {
      const created = await apiCall(api(`/users/${quoteSegment(name)}`), { method: 'POST', token: t.adminToken });
      expect(created.status).toBe(201);
      expect(body(created).name).toBe(name);
      const read = await apiCall(api(`/users/${quoteSegment(name)}`), { token: t.adminToken });
      expect(read.status).toBe(200);
      expect(body(read).name).toBe(name);
    });

    it('creates such names in a bulk create and a group name with ":"', async () => {
      const bulk = await apiCall(api('/users'), { method: 'POST', token: t.adminToken, body: { usernames: ['x+y@z.example', 'Ünïcode name'] } });
      expect(bulk.status).toBe(201);
      expect((bulk.json as { name: string }[]).map((u) => u.name).sort()).toEqual(['x+y@z.example', 'Ünïcode name'].sort());
      const group = await apiCall(api(`/groups/${quoteSegment('unit:physics')}`), { method: 'POST', token: t.adminToken, body: { users: ['ann smith'] } });
      expect(group.status).toBe(201);
      expect(body(group)).toMatchObject({ name: 'unit:physics', users: ['ann smith'] });
    });

    it('starts a server for an e-mail name, routes it through the proxy at the quoted URL, and lists the routespec quoted', async () => {
      const name = 'ann+lab@uni.example';
      const token = await tokenFor(t.hub, name);
      const start = await apiCall(api(`/users/${quoteSegment(name)}/server`), { method: 'POST', token });
      expect(start.status).toBe(201);
      const model = await apiCall(api(`/users/${quoteSegment(name)}/server`), { token });
      expect(body(model)).toMatchObject({ name: '', ready: true, url: '/user/ann%2Blab@uni.example/' });
      // The request reaches the user's server through the proxy, full quoted path kept.
      const viaProxy = await fetch(`${t.publicUrl}/user/ann%2Blab@uni.example/lab?x=1`);
      expect(viaProxy.status).toBe(200);
      expect(await viaProxy.json()).toMatchObject({ fake: true, path: '/user/ann%2Blab@uni.example/lab?x=1' });
      // The server's environment carries the same prefix and JupyterHub's client id (quote(name): @ escaped).
      const env = spawner.requests.at(-1)?.env ?? {};
      expect(env.JUPYTERHUB_SERVICE_PREFIX).toBe('/user/ann%2Blab@uni.example/');
      expect(env.JUPYTERHUB_CLIENT_ID).toBe('jupyterhub-user-ann%2Blab%40uni.example');
      const routes = body(await apiCall(api('/proxy'), { token: t.adminToken }));
      expect(routes['/user/ann%2Blab@uni.example/']).toMatchObject({ routespec: '/user/ann%2Blab@uni.example/', data: { user: name, server_name: '' } });
      expect((await apiCall(api(`/users/${quoteSegment(name)}/server`), { method: 'DELETE', token })).status).toBe(204);
    });

    it('routes a name with a space; its own token works on its own resources (scope filters hold such names)', async () => {
      const name = 'ann smith';
      const token = await tokenFor(t.hub, name);
      expect(body(await apiCall(api('/user'), { token }))).toMatchObject({ name, scopes: expect.arrayContaining([`read:users!user=${name}`]) as unknown });
      expect((await apiCall(api(`/users/${quoteSegment(name)}/tokens`), { token })).status).toBe(200);
      expect((await apiCall(api(`/users/${quoteSegment(name)}/server`), { method: 'POST', token })).status).toBe(201);
      const viaProxy = await fetch(`${t.publicUrl}/user/ann%20smith/api/status`);
      expect(await viaProxy.json()).toMatchObject({ fake: true, path: '/user/ann%20smith/api/status' });
      expect((await apiCall(api(`/users/${quoteSegment(name)}/server`), { method: 'DELETE', token })).status).toBe(204);
    });

    it.each(['50%off', 'back\\slash', 'semi;colon$x&y=1'])('routes %j through the built-in proxy at its quoted URL', async (name) => {
      const token = await t.addUser(name);
      expect((await apiCall(api(`/users/${quoteSegment(name)}/server`), { method: 'POST', token })).status).toBe(201);
      const viaProxy = await fetch(`${t.publicUrl}/user/${quoteSegment(name)}/api`);
      expect(await viaProxy.json()).toMatchObject({ fake: true, path: `/user/${quoteSegment(name)}/api` });
      expect((await apiCall(api(`/users/${quoteSegment(name)}/server`), { method: 'DELETE', token })).status).toBe(204);
    });

    it.each([
      // (`..` itself is in api-bad-input.test.ts, sent verbatim: fetch would resolve it)
      ['?', '/users/who%3F'],
      ['#', '/users/a%23b'],
      ['...', '/users/...'],
      ['a leading space', '/users/%20ann'],
      ['a/b', '/users/a%2Fb'],
      ['NUL', '/users/a%00b'],
      ['%2e%2e', '/users/%252e%252e'],
    ])('still refuses %s', async (_label, path) => {
      const before = await snapshotStore(t.hub.context.store);
      const reply = await apiCall(api(path), { method: 'POST', token: t.adminToken });
      expect(reply.status).toBe(400);
      expect(errorCode(reply)).toBe('invalid_name');
      expect(await snapshotStore(t.hub.context.store)).toBe(before);
    });
  });

  describe('token minting stays within the requesting token', () => {
    let tokensOnly = '';

    beforeAll(async () => {
      const minted = await apiCall(api('/users/alice/tokens'), { method: 'POST', token: aliceToken, body: { scopes: ['tokens!user'], note: 'tokens only' } });
      expect(minted.status).toBe(201);
      tokensOnly = String(body(minted).token);
    });

    it.each([
      ['no scopes (would inherit all of alice)', {}],
      ['read:users!user=alice', { scopes: ['read:users!user=alice'] }],
      ['servers!user=alice', { scopes: ['servers!user=alice'] }],
      ['inherit', { scopes: ['inherit'] }],
      ['the user role', { roles: ['user'] }],
    ])('a token holding only tokens!user=alice cannot mint %s (403, nothing stored)', async (_label, request) => {
      const before = await snapshotStore(t.hub.context.store);
      const reply = await apiCall(api('/users/alice/tokens'), { method: 'POST', token: tokensOnly, body: request });
      expect(reply.status).toBe(403);
      expect(errorCode(reply)).toBe('forbidden');
      expect(await snapshotStore(t.hub.context.store)).toBe(before);
    });

    it('it may mint a token with its own scopes or fewer', async () => {
      for (const scopes of [['tokens!user=alice'], ['read:tokens!user=alice']]) {
        const reply = await apiCall(api('/users/alice/tokens'), { method: 'POST', token: tokensOnly, body: { scopes } });
        expect(reply.status).toBe(201);
        const minted = String(body(reply).token);
        const who = body(await apiCall(api('/user'), { token: minted }));
        expect(who.scopes).not.toContain('read:users!user=alice');
        expect(who.scopes).not.toContain('servers!user=alice');
      }
    });

    it("a token that inherits alice's scopes still mints a default token", async () => {
      expect((await apiCall(api('/users/alice/tokens'), { method: 'POST', token: aliceToken, body: {} })).status).toBe(201);
    });
  });

  describe('403 vs 404 for other users, as JupyterHub', () => {
    it.each([
      ['reading alice', 'GET', '/users/alice', 404],
      ['reading a missing user', 'GET', '/users/nobody', 404],
      ["listing alice's tokens", 'GET', '/users/alice/tokens', 404],
      ["reading alice's server", 'GET', '/users/alice/server', 404],
      ["stopping alice's server", 'DELETE', '/users/alice/server', 404],
      ["creating alice's token", 'POST', '/users/alice/tokens', 403],
      ['creating a token for a missing user', 'POST', '/users/nobody/tokens', 403],
      ['deleting alice', 'DELETE', '/users/alice', 403],
    ])("bob's token %s: %s %s ⇒ %i", async (_label, method, path, status) => {
      const reply = await apiCall(api(path), { method, token: bobToken, body: method === 'POST' ? {} : undefined });
      expect(reply.status).toBe(status);
    });

    it('a token holding any of the read scopes only for itself gets 404 for another user (JupyterHub checks them all)', async () => {
      const minted = await apiCall(api('/users/bob/tokens'), { method: 'POST', token: bobToken, body: { scopes: ['read:users:activity!user=bob'] } });
      const token = String(body(minted).token);
      expect((await apiCall(api('/users/alice'), { token })).status).toBe(404);
      expect(body(await apiCall(api('/users/bob'), { token }))).toMatchObject({ kind: 'user', name: 'bob' });
    });

    it('group-filtered scopes reach the members of the group (alice is in team, bob is not)', async () => {
      const minted = await apiCall(api('/users/admin/tokens'), {
        method: 'POST',
        token: t.adminToken,
        body: { scopes: ['read:servers!group=team', 'read:tokens!group=team', 'users:activity!group=team'] },
      });
      const token = String(body(minted).token);
      expect((await apiCall(api('/users/alice/server'), { token })).status).toBe(200);
      expect((await apiCall(api('/users/alice/tokens'), { token })).status).toBe(200);
      const at = new Date(Date.now() - 60_000).toISOString();
      expect((await apiCall(api('/users/alice/activity'), { method: 'POST', token, body: { last_activity: at } })).status).toBe(200);
      expect((await apiCall(api('/users/bob/server'), { token })).status).toBe(404);
      expect((await apiCall(api('/users/bob/tokens'), { token })).status).toBe(404);
    });

    it('a token that lacks a scope entirely gets 403, also for its own user', async () => {
      const minted = await apiCall(api('/users/bob/tokens'), { method: 'POST', token: bobToken, body: { scopes: ['read:users:activity!user=bob'] } });
      const token = String(body(minted).token);
      for (const path of ['/users/alice/tokens', '/users/bob/tokens']) {
        const reply = await apiCall(api(path), { token });
        expect({ path, status: reply.status, code: errorCode(reply) }).toEqual({ path, status: 403, code: 'forbidden' });
      }
    });
  });

  describe('last_activity', () => {
    it('is set on the user when a server starts (same instant as the server)', async () => {
      const token = await t.addUser('dave');
      expect(body(await apiCall(api('/users/dave'), { token: t.adminToken })).last_activity).toBeNull();
      expect((await apiCall(api('/users/dave/server'), { method: 'POST', token: t.adminToken })).status).toBe(201);
      const dave = body(await apiCall(api('/users/dave'), { token: t.adminToken }));
      const server = (dave.servers as Record<string, { started: string }>)[''];
      expect(dave.last_activity).not.toBeNull();
      expect(dave.last_activity).toBe(server?.started);
      expect((await apiCall(api('/users/dave/server'), { method: 'DELETE', token })).status).toBe(204);
    });

    it("is set when the user's token is used", async () => {
      const token = await t.addUser('erin');
      expect(body(await apiCall(api('/users/erin'), { token: t.adminToken })).last_activity).toBeNull();
      expect((await apiCall(api('/user'), { token })).status).toBe(200);
      expect(body(await apiCall(api('/users/erin'), { token: t.adminToken })).last_activity).not.toBeNull();
    });

    it('activity for a never-started default server is accepted (200), as every 6.1 user has a default server', async () => {
      const token = await t.addUser('fred');
      const at = new Date(Date.now() - 60_000).toISOString();
      const reply = await apiCall(api('/users/fred/activity'), { method: 'POST', token, body: { servers: { '': { last_activity: at } }, last_activity: at } });
      expect(reply.status).toBe(200);
      expect(body(await apiCall(api('/users/fred'), { token: t.adminToken })).last_activity).not.toBeNull();
      const named = await apiCall(api('/users/fred/activity'), { method: 'POST', token, body: { servers: { gpu: { last_activity: at } } } });
      expect(named.status).toBe(400);
    });
  });

  describe('endpoints 6.1 serves', () => {
    it('GET /users/:name/server and /servers/ return the default server model, started or not', async () => {
      const never = await apiCall(api('/users/bob/server'), { token: bobToken });
      expect(never.status).toBe(200);
      expect(body(never)).toMatchObject({ name: '', ready: false, pending: null, stopped: true, url: '/user/bob/', progress_url: '/hub/api/users/bob/server/progress' });
      expect(body(await apiCall(api('/users/bob/servers/'), { token: bobToken }))).toEqual(body(never));
      expect((await apiCall(api('/users/alice/server'), { method: 'POST', token: aliceToken })).status).toBe(201);
      const running = body(await apiCall(api('/users/alice/servers/'), { token: aliceToken }));
      expect(running).toMatchObject({ name: '', ready: true, url: '/user/alice/' });
      expect(body(await apiCall(api('/users/alice/server'), { token: aliceToken }))).toEqual(running);
      expect((await apiCall(api('/users/alice/servers'), { token: aliceToken })).status).toBe(404);
      // PUT of the default server: 409, nothing created (JupyterHub: "already has a default server")
      const before = await snapshotStore(t.hub.context.store);
      expect((await apiCall(api('/users/bob/servers/'), { method: 'PUT', token: bobToken, body: {} })).status).toBe(409);
      expect(await snapshotStore(t.hub.context.store)).toBe(before);
      expect((await apiCall(api('/users/bob/servers/nope'), { token: bobToken })).status).toBe(404);
    });

    it('a stop body with unknown fields stops the server (204), as upstream ignores them', async () => {
      expect((await apiCall(api('/users/bob/servers/'), { method: 'POST', token: bobToken })).status).toBe(201);
      const reply = await apiCall(api('/users/bob/server'), { method: 'DELETE', token: bobToken, body: { remove: false, force: true } });
      expect(reply.status).toBe(204);
      expect(body(await apiCall(api('/users/bob/server'), { token: bobToken })).stopped).toBe(true);
    });

    it('PATCH /proxy re-syncs routes with a JSON object, refuses anything else', async () => {
      expect((await apiCall(api('/proxy'), { method: 'PATCH', token: t.adminToken, body: {} })).status).toBe(200);
      expect((await apiCall(api('/proxy'), { method: 'PATCH', token: t.adminToken })).status).toBe(400);
      expect((await apiCall(api('/proxy'), { method: 'PATCH', token: t.adminToken, body: [1] })).status).toBe(400);
      const move = await apiCall(api('/proxy'), { method: 'PATCH', token: t.adminToken, body: { api_url: 'http://127.0.0.1:1' } });
      expect(move.status).toBe(400);
      expect(String(body(move).message)).toMatch(/api_url/);
      expect((await apiCall(api('/proxy'), { method: 'PATCH', token: aliceToken, body: {} })).status).toBe(403);
      const routes = body(await apiCall(api('/proxy'), { token: t.adminToken }));
      expect(routes['/user/alice/']).toMatchObject({ data: { user: 'alice', server_name: '' } });
    });

    it("GET /authorizations/token/:token returns the owner's model (deprecated, still in 6.1)", async () => {
      const owner = await apiCall(api(`/authorizations/token/${aliceToken}`), { token: bobToken });
      expect(owner.status).toBe(200);
      expect(body(owner)).toMatchObject({ kind: 'user', name: 'alice', admin: false, groups: ['team'] });
      expect(body(owner)).not.toHaveProperty('servers');
      const service = await apiCall(api(`/authorizations/token/${serviceToken}`), { token: bobToken });
      expect(body(service)).toEqual({ kind: 'service', name: 'watcher', admin: false });
      expect((await apiCall(api(`/authorizations/token/${newToken()}`), { token: bobToken })).status).toBe(404);
      expect((await apiCall(api(`/authorizations/token/${aliceToken}`))).status).toBe(403);
      const removed = await apiCall(api('/authorizations/token'), { method: 'POST', token: bobToken, body: {} });
      expect(removed.status).toBe(404);
    });

    it('the admin user model carries auth_state: null (GET one, list) and user_info (null without authenticator info); a user reading itself does not see auth_state', async () => {
      const one = body(await apiCall(api('/users/alice'), { token: t.adminToken }));
      expect(one).toMatchObject({ auth_state: null, user_info: null });
      await t.hub.context.store.users.update((await t.hub.context.store.users.getByName('bob'))?.id ?? 0, { userInfo: { display_name: 'Bob B.' } });
      expect(body(await apiCall(api('/users/bob'), { token: t.adminToken })).user_info).toEqual({ display_name: 'Bob B.' });
      expect(body(await apiCall(api('/user'), { token: bobToken })).user_info).toEqual({ display_name: 'Bob B.' });
      expect(body(await apiCall(api('/user'), { token: aliceToken })).user_info).toBeNull();
      const list = (await apiCall(api('/users'), { token: t.adminToken })).json as Record<string, unknown>[];
      for (const user of list) expect(user.auth_state).toBeNull();
      const self = body(await apiCall(api('/users/alice'), { token: aliceToken }));
      expect(self).not.toHaveProperty('auth_state');
      expect(self).toHaveProperty('user_info');
    });

    it("a service token's GET /user has JupyterHub's keys", async () => {
      const who = body(await apiCall(api('/user'), { token: serviceToken }));
      expect(Object.keys(who).sort()).toEqual(['admin', 'kind', 'name', 'scopes', 'session_id', 'token_id']);
      expect(who).toMatchObject({ kind: 'service', name: 'watcher', admin: false, token_id: null, session_id: null });
    });

    it('sharing answers as a 6.1 hub with sharing off: empty paginated lists, 404s, grants refused', async () => {
      const empty = { items: [], _pagination: { offset: 0, total: 0, next: null } };
      for (const path of ['/users/alice/shared', '/shares/alice', '/shares/alice/', '/share-codes/alice', '/share-codes/alice/']) {
        const reply = await apiCall(api(path), { token: aliceToken });
        expect({ path, status: reply.status }).toEqual({ path, status: 200 });
        expect(body(reply)).toMatchObject(empty);
      }
      expect(body(await apiCall(api('/groups/team/shared'), { token: t.adminToken }))).toMatchObject(empty);
      expect((await apiCall(api('/shares/alice/nope'), { token: aliceToken })).status).toBe(404);
      expect((await apiCall(api('/shares/alice'), { token: bobToken })).status).toBe(404);
      expect((await apiCall(api('/users/alice/shared/bob/'), { token: aliceToken })).status).toBe(404);
      expect((await apiCall(api('/users/alice/shared/bob/'), { method: 'DELETE', token: aliceToken })).status).toBe(404);
      expect((await apiCall(api('/groups/nope/shared'), { token: t.adminToken })).status).toBe(404);
      const before = await snapshotStore(t.hub.context.store);
      for (const [method, path] of [
        ['POST', '/shares/alice/'],
        ['PATCH', '/shares/alice/'],
        ['DELETE', '/shares/alice/'],
        ['POST', '/share-codes/alice/'],
      ] as const) {
        const reply = await apiCall(api(path), { method, token: t.adminToken, body: method === 'DELETE' ? undefined : { user: 'bob' } });
        expect({ method, path, status: reply.status }).toEqual({ method, path, status: 403 });
      }
      expect(await snapshotStore(t.hub.context.store)).toBe(before);
    });

    it.each([
      ['PUT', '/users/alice', 'DELETE, GET, HEAD, OPTIONS, PATCH, POST'],
      ['PUT', '/users', 'GET, HEAD, OPTIONS, POST'],
      ['DELETE', '/proxy', 'GET, HEAD, OPTIONS, PATCH, POST'],
      ['POST', '/info', 'GET, HEAD, OPTIONS'],
      ['PATCH', '/users/alice/tokens', 'GET, HEAD, OPTIONS, POST'],
      ['PUT', '/users/alice/server', 'DELETE, GET, HEAD, OPTIONS, POST'],
    ])('an undeclared method answers 405 with Allow: %s %s', async (method, path, allow) => {
      const before = await snapshotStore(t.hub.context.store);
      const reply = await apiCall(api(path), { method, token: t.adminToken, body: {} });
      expect(reply.status).toBe(405);
      expect(errorCode(reply)).toBe('method_not_allowed');
      expect(reply.headers.get('allow')).toBe(allow);
      expect(await snapshotStore(t.hub.context.store)).toBe(before);
    });

    it.each(['/users/alice', '/health'])('OPTIONS %s answers 200 (as JupyterHub) with Allow', async (path) => {
      const reply = await apiCall(api(path), { method: 'OPTIONS', token: t.adminToken });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('allow')).toMatch(/GET/);
    });

    it('an unknown path is still a JSON 404', async () => {
      const reply = await apiCall(api('/no/such/thing'), { method: 'PUT', token: t.adminToken });
      expect(reply.status).toBe(404);
      expect(errorCode(reply)).toBe('not_found');
    });
  });
});
