/**
 * REST conformance of tokens, the identity endpoint and groups (protocol.md §1.3, §4.4, §5, §7;
 * T23): token ids `a<n>`, the secret shown only on creation, scopes beyond the owner refused,
 * expired and revoked tokens answered 403, the identity model for tokens and browser sessions,
 * group CRUD, membership and properties.
 */
import type { GroupModel, NewTokenModel, TokenModel, UserModel } from '@clusterhub/shared';
import { apiCall as call, errorCode as codeOf } from './harness/api-call';
import { startTestHub, tokenFor, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { newToken, sha256Hex } from '../src/lib/secrets';

/** The identity model of `GET /hub/api/user` (§4.4). */
interface IdentityReply extends UserModel {
  scopes: string[];
  token_id: string | null;
  session_id: string | null;
}

describe('REST tokens and identity', () => {
  const spawner = new FakeSpawner();
  let t: TestHub;
  let aliceToken: string;
  let bobToken: string;
  const api = (path: string): string => `${t.apiUrl}${path}`;

  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner } });
    aliceToken = await t.addUser('alice', { password: 'alice-password-1' });
    bobToken = await t.addUser('bob');
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('creates a token (201, id a<n>, secret only in the creation reply), lists, reads and deletes it', async () => {
    const created = await call(api('/users/alice/tokens'), {
      method: 'POST',
      token: aliceToken,
      body: { note: 'laptop', expires_in: 3600, scopes: ['read:users!user=alice'] },
    });
    expect(created.status).toBe(201);
    const model = created.json as NewTokenModel;
    expect(model.id).toMatch(/^a\d+$/);
    expect(typeof model.token).toBe('string');
    expect(model.token.length).toBeGreaterThanOrEqual(32);
    expect(model).toMatchObject({ kind: 'api_token', user: 'alice', note: 'laptop' });
    expect(model.scopes).toContain('read:users!user=alice');
    expect([...model.scopes].sort()).toEqual(model.scopes);
    const expires = Date.parse(model.expires_at ?? '');
    expect(expires - Date.now()).toBeGreaterThan(3500_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(3600_000);

    const list = await call(api('/users/alice/tokens'), { token: aliceToken });
    expect(list.status).toBe(200);
    const tokens = (list.json as { api_tokens: TokenModel[] }).api_tokens;
    const listed = tokens.find((tk) => tk.id === model.id);
    expect(listed).toMatchObject({ id: model.id, note: 'laptop' });
    expect(tokens.every((tk) => !('token' in tk))).toBe(true);

    const one = await call(api(`/users/alice/tokens/${model.id}`), { token: aliceToken });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: model.id, note: 'laptop' });
    expect(one.json).not.toHaveProperty('token');

    const who = await call(api('/user'), { token: model.token });
    expect(who.status).toBe(200);
    expect(who.json).toMatchObject({ kind: 'user', name: 'alice', token_id: model.id });

    expect((await call(api(`/users/alice/tokens/${model.id}`), { method: 'DELETE', token: aliceToken })).status).toBe(204);
    expect((await call(api(`/users/alice/tokens/${model.id}`), { token: aliceToken })).status).toBe(404);
    const revoked = await call(api('/user'), { token: model.token });
    expect(revoked.status).toBe(403);
    expect(codeOf(revoked)).toBe('not_authenticated');
  });

  it('refuses scopes beyond the owner\'s and unknown scopes with 400 invalid_scope', async () => {
    for (const scopes of [['admin:users'], ['read:users!user=bob'], ['no-such-scope'], ['all']]) {
      const res = await call(api('/users/alice/tokens'), { method: 'POST', token: aliceToken, body: { scopes } });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('invalid_scope');
    }
    const res = await call(api('/users/alice/tokens'), { method: 'POST', token: aliceToken, body: { roles: ['admin'] } });
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('invalid_scope');
  });

  it('answers 404 for a token of another user and for other users\' token lists', async () => {
    const created = (await call(api('/users/bob/tokens'), { method: 'POST', token: bobToken, body: {} })).json as NewTokenModel;
    expect((await call(api(`/users/alice/tokens/${created.id}`), { token: aliceToken })).status).toBe(404);
    expect((await call(api(`/users/bob/tokens/${created.id}`), { token: aliceToken })).status).toBe(404);
    expect((await call(api('/users/bob/tokens'), { token: aliceToken })).status).toBe(404);
    expect((await call(api(`/users/bob/tokens/${created.id}`), { method: 'DELETE', token: aliceToken })).status).toBe(404);
    expect((await call(api('/users/bob/tokens/bogus'), { token: bobToken })).status).toBe(404);
    expect((await call(api(`/users/bob/tokens/${created.id}`), { token: t.adminToken })).status).toBe(200);
  });

  it('refuses an expired token with 403 and leaves it out of the list', async () => {
    const alice = await t.hub.context.store.users.getByName('alice');
    const secret = newToken();
    const expired = await t.hub.context.store.tokens.create({
      kind: 'api',
      userId: alice?.id ?? 0,
      serviceName: null,
      prefix: secret.slice(0, 4),
      hash: sha256Hex(secret),
      scopes: [],
      note: 'expired',
      expiresAt: new Date(Date.now() - 60_000),
      sessionId: null,
      oauthClientId: 'jupyterhub',
      serverId: null,
    });
    const res = await call(api('/user'), { token: secret });
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe('not_authenticated');
    expect((await call(api('/users/alice'), { token: secret })).status).toBe(403);
    const list = (await call(api('/users/alice/tokens'), { token: aliceToken })).json as { api_tokens: TokenModel[] };
    expect(list.api_tokens.map((tk) => tk.id)).not.toContain(`a${expired.id}`);
  });

  it('returns the identity model for a token: scopes (sorted), token_id, session_id', async () => {
    const res = await call(api('/user'), { token: aliceToken });
    expect(res.status).toBe(200);
    const model = res.json as IdentityReply;
    expect(model).toMatchObject({ kind: 'user', name: 'alice', admin: false, groups: [], session_id: null });
    expect(model.token_id).toMatch(/^a\d+$/);
    expect(model.scopes).toEqual([...model.scopes].sort());
    expect(model.scopes).toEqual(expect.arrayContaining(['read:users!user=alice', 'servers!user=alice', 'access:servers!user=alice']));
    const admin = (await call(api('/user'), { headers: { authorization: `Bearer ${t.adminToken}` } })).json as IdentityReply;
    expect(admin).toMatchObject({ name: 'admin', admin: true });
    expect(admin.scopes).toContain('admin:users');
  });

  it('returns the identity model for a browser session (session_id set, token_id null)', async () => {
    const browser = new BrowserClient();
    const login = await browser.login(t.internalUrl, 'alice', 'alice-password-1');
    expect(login.status).toBe(200);
    const xsrf = (await browser.cookie(`${t.internalUrl}/hub/`, '_xsrf')) ?? '';
    const res = await browser.request(api('/user'), { headers: { 'x-xsrftoken': xsrf } });
    expect(res.status).toBe(200);
    const model = res.json as IdentityReply;
    expect(model).toMatchObject({ kind: 'user', name: 'alice', token_id: null });
    expect(typeof model.session_id).toBe('string');
    expect(model.session_id).toBe(await browser.cookie(`${t.internalUrl}/`, 'jupyterhub-session-id'));
  });

  it.each([
    ['no Authorization header', undefined],
    ['an unknown token', 'token 0123456789abcdef0123456789abcdef'],
    ['an empty token', 'token '],
    ['another scheme', 'Basic YWxpY2U6cGFzcw=='],
  ])('answers exactly 403 for %s on GET /hub/api/user', async (_label, auth) => {
    const res = await call(api('/user'), auth === undefined ? {} : { headers: { authorization: auth } });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ code: 'not_authenticated', message: 'Missing or invalid credentials.', status: 403 });
  });
});

describe('REST groups', () => {
  const spawner = new FakeSpawner();
  let t: TestHub;
  let bobToken: string;
  const api = (path: string): string => `${t.apiUrl}${path}`;

  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner } });
    await t.addUser('alice');
    bobToken = await t.addUser('bob');
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('creates groups in bulk and one by one, 409 on duplicates', async () => {
    const bulk = await call(api('/groups'), { method: 'POST', token: t.adminToken, body: { groups: ['g1', 'g2'], users: ['alice'] } });
    expect(bulk.status).toBe(201);
    expect(bulk.json).toEqual([
      { kind: 'group', name: 'g1', users: ['alice'], properties: {}, roles: [] },
      { kind: 'group', name: 'g2', users: ['alice'], properties: {}, roles: [] },
    ]);
    const dup = await call(api('/groups'), { method: 'POST', token: t.adminToken, body: { groups: ['g3', 'g1'] } });
    expect(dup.status).toBe(409);
    expect(codeOf(dup)).toBe('conflict');
    expect((await call(api('/groups/g3'), { token: t.adminToken })).status).toBe(404);
    const one = await call(api('/groups/g3'), { method: 'POST', token: t.adminToken });
    expect(one.status).toBe(201);
    expect(one.json).toMatchObject({ name: 'g3', users: [] });
    const again = await call(api('/groups/g3'), { method: 'POST', token: t.adminToken, body: { users: ['bob'] } });
    expect(again.status).toBe(409);
    expect(codeOf(again)).toBe('conflict');
  });

  it('lists groups (bare and paginated) and reads one', async () => {
    const list = await call(api('/groups'), { token: t.adminToken });
    expect(list.status).toBe(200);
    expect((list.json as GroupModel[]).map((g) => g.name)).toEqual(['g1', 'g2', 'g3']);
    const res = await fetch(api('/groups?limit=2'), { headers: { authorization: `token ${t.adminToken}`, accept: 'application/jupyterhub-pagination+json' } });
    const env = (await res.json()) as { items: GroupModel[]; _pagination: { total: number; next: { url: string } | null } };
    expect(env.items.map((g) => g.name)).toEqual(['g1', 'g2']);
    expect(env._pagination.total).toBe(3);
    expect(env._pagination.next?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hub\/api\/groups\?.*offset=2/);
    expect((await call(api('/groups/g1'), { token: t.adminToken })).json).toMatchObject({ name: 'g1', users: ['alice'] });
    expect((await call(api('/groups/nope'), { token: t.adminToken })).status).toBe(404);
  });

  it('adds and removes members; an unknown user is 400', async () => {
    const add = await call(api('/groups/g1/users'), { method: 'POST', token: t.adminToken, body: { users: ['bob'] } });
    expect(add.status).toBe(200);
    expect(add.json).toMatchObject({ name: 'g1', users: ['alice', 'bob'] });
    expect((await call(api('/users/bob'), { token: t.adminToken })).json).toMatchObject({ groups: ['g1'] });
    const remove = await call(api('/groups/g1/users'), { method: 'DELETE', token: t.adminToken, body: { users: ['alice'] } });
    expect(remove.status).toBe(200);
    expect(remove.json).toMatchObject({ users: ['bob'] });
    const unknown = await call(api('/groups/g1/users'), { method: 'POST', token: t.adminToken, body: { users: ['bob', 'ghost'] } });
    expect(unknown.status).toBe(400);
    expect(codeOf(unknown)).toBe('bad_request');
    expect((await call(api('/groups/g1'), { token: t.adminToken })).json).toMatchObject({ users: ['bob'] });
    const created = await call(api('/groups'), { method: 'POST', token: t.adminToken, body: { groups: ['g9'], users: ['ghost'] } });
    expect(created.status).toBe(400);
    expect((await call(api('/groups/g9'), { token: t.adminToken })).status).toBe(404);
  });

  it('replaces properties with any JSON object and refuses non-objects', async () => {
    const res = await call(api('/groups/g2/properties'), { method: 'PUT', token: t.adminToken, body: { quota: 3, tags: ['gpu'] } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: 'g2', properties: { quota: 3, tags: ['gpu'] } });
    const bad = await call(api('/groups/g2/properties'), { method: 'PUT', token: t.adminToken, body: ['x'] });
    expect(bad.status).toBe(400);
    expect((await call(api('/groups/g2'), { token: t.adminToken })).json).toMatchObject({ properties: { quota: 3, tags: ['gpu'] } });
  });

  it('deletes a group (204), then 404', async () => {
    expect((await call(api('/groups/g3'), { method: 'DELETE', token: t.adminToken })).status).toBe(204);
    expect((await call(api('/groups/g3'), { token: t.adminToken })).status).toBe(404);
    expect((await call(api('/groups/g3'), { method: 'DELETE', token: t.adminToken })).status).toBe(404);
  });

  it('refuses group scopes to a normal user with 403', async () => {
    expect((await call(api('/groups'), { token: bobToken })).status).toBe(403);
    expect((await call(api('/groups'), { method: 'POST', token: bobToken, body: { groups: ['mine'] } })).status).toBe(403);
    expect((await call(api('/groups/g2'), { token: bobToken })).status).toBe(403);
  });

  it('post-filters the list for a token filtered to one group and hides other groups with 404', async () => {
    const token = await tokenFor(t.hub, 'admin', ['list:groups!group=g1', 'read:groups!group=g1']);
    const list = await call(api('/groups'), { token });
    expect(list.status).toBe(200);
    expect((list.json as GroupModel[]).map((g) => g.name)).toEqual(['g1']);
    expect((await call(api('/groups/g1'), { token })).status).toBe(200);
    const other = await call(api('/groups/g2'), { token });
    expect(other.status).toBe(404);
    expect(codeOf(other)).toBe('not_found');
  });
});
