import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import type { ResolvedConfig } from '../config/types';
import { openStore } from '../store/open';
import type { Store, TokenKind, UserRecord } from '../store/store';
import { newToken, sha256Hex } from '../lib/secrets';
import { IdentityService } from './identity';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');
let dir: string;
let baseConfig: ResolvedConfig;
let store: Store;
let alice: UserRecord;
let root: UserRecord;

function service(config: ResolvedConfig): IdentityService {
  return new IdentityService({ store, config, clock: () => NOW });
}

async function addToken(
  owner: UserRecord,
  opts: { kind?: TokenKind; scopes?: string[]; expiresAt?: Date | null; serverId?: number | null; sessionId?: string | null } = {},
): Promise<string> {
  const token = newToken();
  await store.tokens.create({
    kind: opts.kind ?? 'api',
    userId: owner.id,
    serviceName: null,
    prefix: token.slice(0, 4),
    hash: sha256Hex(token),
    scopes: opts.scopes ?? [],
    note: 'test',
    expiresAt: opts.expiresAt ?? null,
    sessionId: opts.sessionId ?? null,
    oauthClientId: opts.kind === 'oauth' ? 'jupyterhub-user-alice' : 'jupyterhub',
    serverId: opts.serverId ?? null,
  });
  return token;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-identity-'));
  baseConfig = loadConfig(null, { cwd: dir, env: {} });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
  alice = await store.users.create({ name: 'alice' });
  root = await store.users.create({ name: 'root', admin: true });
});

afterEach(async () => {
  await store.close();
});

describe('IdentityService.userScopes', () => {
  it('a user holds self scopes filtered to itself, no admin scopes', () => {
    const scopes = service(baseConfig).userScopes(alice);
    expect(scopes.has('read:users!user=alice')).toBe(true);
    expect(scopes.has('servers!user=alice')).toBe(true);
    expect(scopes.has('access:servers!user=alice')).toBe(true);
    expect(scopes.has('users:activity!user=alice')).toBe(true);
    expect(scopes.has('admin:users')).toBe(false);
    expect(scopes.has('read:users')).toBe(false);
    expect([...scopes].some((s) => s.includes('user=root'))).toBe(false);
  });

  it('an admin holds the admin role on top', () => {
    const scopes = service(baseConfig).userScopes(root);
    for (const s of ['admin:users', 'admin:servers', 'read:users', 'access:servers', 'read:hub', 'tokens']) expect(scopes.has(s)).toBe(true);
  });
});

describe('IdentityService.fromToken', () => {
  it('an api token without scopes inherits the owner', async () => {
    const ids = service(baseConfig);
    const identity = await ids.fromToken(await addToken(alice));
    expect(identity).toMatchObject({ kind: 'user', name: 'alice', groups: [], sessionId: null });
    expect(identity?.user?.id).toBe(alice.id);
    expect(identity?.token?.kind).toBe('api');
    expect(identity?.scopes).toEqual(ids.userScopes(alice));
  });

  it('an explicit inherit scope inherits the owner', async () => {
    const ids = service(baseConfig);
    const identity = await ids.fromToken(await addToken(alice, { scopes: ['inherit'] }));
    expect(identity?.scopes).toEqual(ids.userScopes(alice));
  });

  it('explicit scopes are intersected with the owner scopes (plus identify scopes)', async () => {
    const identity = await service(baseConfig).fromToken(await addToken(alice, { scopes: ['read:users', 'admin:users', 'access:servers!server=alice/'] }));
    const scopes = identity?.scopes ?? new Set<string>();
    expect(scopes.has('read:users!user=alice')).toBe(true);
    expect(scopes.has('read:users')).toBe(false);
    expect(scopes.has('admin:users')).toBe(false);
    expect([...scopes].some((s) => s.startsWith('admin:users'))).toBe(false);
    expect(scopes.has('access:servers!server=alice/')).toBe(true);
    expect(scopes.has('access:servers!user=alice')).toBe(false);
    expect(scopes.has('read:users:name!user=alice')).toBe(true);
    expect(scopes.has('servers!user=alice')).toBe(false);
  });

  it('an admin token asking for admin:users gets it unfiltered', async () => {
    const identity = await service(baseConfig).fromToken(await addToken(root, { scopes: ['admin:users'] }));
    expect(identity?.scopes.has('admin:users')).toBe(true);
    expect(identity?.scopes.has('admin:servers')).toBe(false);
  });

  it('a server token: users:activity on the owner, access to that one server', async () => {
    const gpu = await store.servers.create({ userId: alice.id, name: 'gpu' });
    const main = await store.servers.create({ userId: alice.id, name: '' });
    const ids = service(baseConfig);
    const forMain = await ids.fromToken(await addToken(alice, { kind: 'server', serverId: main.id }));
    expect(forMain?.scopes.has('users:activity!user=alice')).toBe(true);
    expect(forMain?.scopes.has('access:servers!server=alice/')).toBe(true);
    expect(forMain?.scopes.has('access:servers!user=alice')).toBe(false);
    expect(forMain?.scopes.has('servers!user=alice')).toBe(false);
    expect(forMain?.scopes.has('read:users:name!user=alice')).toBe(true);
    const forGpu = await ids.fromToken(await addToken(alice, { kind: 'server', serverId: gpu.id }));
    expect(forGpu?.scopes.has('access:servers!server=alice/gpu')).toBe(true);
    expect(forGpu?.scopes.has('access:servers!server=alice/')).toBe(false);
  });

  it('an oauth token carries its granted scopes and the browser session', async () => {
    const identity = await service(baseConfig).fromToken(
      await addToken(alice, { kind: 'oauth', scopes: ['access:servers!server=alice/', 'read:users:name!user=alice'], sessionId: 'sess-1' }),
    );
    expect(identity?.sessionId).toBe('sess-1');
    expect(identity?.scopes.has('access:servers!server=alice/')).toBe(true);
    expect(identity?.scopes.has('read:users:name!user=alice')).toBe(true);
    expect(identity?.scopes.has('servers!user=alice')).toBe(false);
  });

  it('an expired token resolves to null, one expiring later resolves', async () => {
    const ids = service(baseConfig);
    expect(await ids.fromToken(await addToken(alice, { expiresAt: new Date(NOW - 1) }))).toBeNull();
    expect(await ids.fromToken(await addToken(alice, { expiresAt: new Date(NOW) }))).toBeNull();
    expect(await ids.fromToken(await addToken(alice, { expiresAt: new Date(NOW + 60_000) }))).not.toBeNull();
  });

  it('an unknown token resolves to null', async () => {
    expect(await service(baseConfig).fromToken(newToken())).toBeNull();
  });

  it('the token of a deleted user resolves to null', async () => {
    const token = await addToken(alice);
    await store.users.delete(alice.id);
    expect(await service(baseConfig).fromToken(token)).toBeNull();
  });

  it('records token activity', async () => {
    const raw = await addToken(alice);
    await service(baseConfig).fromToken(raw);
    expect((await store.tokens.findByHash(sha256Hex(raw)))?.lastActivity?.getTime()).toBe(NOW);
  });

  it('reports the groups of the user', async () => {
    const group = await store.groups.create({ name: 'gpu-users' });
    await store.groups.addMembers(group.id, [alice.id]);
    expect((await service(baseConfig).fromToken(await addToken(alice)))?.groups).toEqual(['gpu-users']);
  });

  it('configured service tokens: the service scopes, admin role when admin', async () => {
    const config: ResolvedConfig = {
      ...baseConfig,
      services: [
        { name: 'culler', apiToken: 'culler-token-0123456789', scopes: ['list:users', 'read:users:activity', 'admin:servers'], admin: false },
        { name: 'boss', apiToken: 'boss-token-0123456789', scopes: [], admin: true },
        { name: 'tokenless', apiToken: null, scopes: ['read:hub'], admin: false },
      ],
    };
    const ids = service(config);
    const culler = await ids.fromToken('culler-token-0123456789');
    expect(culler).toMatchObject({ kind: 'service', name: 'culler', user: null, token: null });
    expect(culler?.scopes.has('list:users')).toBe(true);
    expect(culler?.scopes.has('admin:servers')).toBe(true);
    expect(culler?.scopes.has('admin:users')).toBe(false);
    const boss = await ids.fromToken('boss-token-0123456789');
    expect(boss?.scopes.has('admin:users')).toBe(true);
    expect(await ids.fromToken('')).toBeNull();
  });
});

describe('IdentityService.fromSession', () => {
  it('a session has the full scopes of its user and carries the session id', async () => {
    const ids = service(baseConfig);
    const identity = await ids.fromSession(root.id, 'sess-9');
    expect(identity).toMatchObject({ kind: 'user', name: 'root', token: null, sessionId: 'sess-9' });
    expect(identity?.scopes).toEqual(ids.userScopes(root));
  });

  it('a session of a missing user is null', async () => {
    expect(await service(baseConfig).fromSession(9999, 'sess')).toBeNull();
  });
});

describe("a user's last_activity (JupyterHub: bumped by the user's tokens and cookie, not by server tokens)", () => {
  const lastActivity = async (user: UserRecord): Promise<number | undefined> => (await store.users.getById(user.id))?.lastActivity?.getTime();

  it.each(['api', 'oauth'] as const)('a %s token of the user sets it', async (kind) => {
    expect(await lastActivity(alice)).toBeUndefined();
    await service(baseConfig).fromToken(await addToken(alice, { kind }));
    expect(await lastActivity(alice)).toBe(NOW);
  });

  it("the server's own token does not", async () => {
    const server = await store.servers.create({ userId: alice.id, name: '' });
    await service(baseConfig).fromToken(await addToken(alice, { kind: 'server', serverId: server.id }));
    expect(await lastActivity(alice)).toBeUndefined();
  });

  it('a browser session sets it', async () => {
    await service(baseConfig).fromSession(alice.id, 'sess-1');
    expect(await lastActivity(alice)).toBe(NOW);
  });

  it('is written at most every 30 s (a use within 30 s of the last one writes nothing)', async () => {
    await store.users.touchActivity(alice.id, new Date(NOW - 10_000));
    await service(baseConfig).fromToken(await addToken(alice));
    await service(baseConfig).fromSession(alice.id, 'sess-1');
    expect(await lastActivity(alice)).toBe(NOW - 10_000);
    await store.users.touchActivity(root.id, new Date(NOW - 31_000));
    await service(baseConfig).fromSession(root.id, 'sess-2');
    expect(await lastActivity(root)).toBe(NOW);
  });
});

describe('scopes follow every change at once (the expansion memo is keyed by all its inputs)', () => {
  it('a token of a user made admin, then not, gains and loses admin:users', async () => {
    const identity = service(baseConfig);
    const token = await addToken(alice, { scopes: ['admin:users'] });
    expect((await identity.fromToken(token))?.scopes.has('admin:users')).toBe(false);
    await store.users.update(alice.id, { admin: true });
    expect((await identity.fromToken(token))?.scopes.has('admin:users')).toBe(true);
    await store.users.update(alice.id, { admin: false });
    expect((await identity.fromToken(token))?.scopes.has('admin:users')).toBe(false);
  });

  it('a browser session follows the admin flag', async () => {
    const identity = service(baseConfig);
    expect((await identity.fromSession(alice.id, 's1'))?.scopes.has('admin:users')).toBe(false);
    await store.users.update(alice.id, { admin: true });
    expect((await identity.fromSession(alice.id, 's1'))?.scopes.has('admin:users')).toBe(true);
  });

  it('a group-filtered token scope holds only while the owner is in the group', async () => {
    const identity = service(baseConfig);
    const token = await addToken(alice, { scopes: ['read:users!group=gpu-users'] });
    expect((await identity.fromToken(token))?.scopes.has('read:users!user=alice')).toBe(false);
    const group = await store.groups.create({ name: 'gpu-users' });
    await store.groups.addMembers(group.id, [alice.id]);
    expect((await identity.fromToken(token))?.scopes.has('read:users!user=alice')).toBe(true);
    await store.groups.removeMembers(group.id, [alice.id]);
    expect((await identity.fromToken(token))?.scopes.has('read:users!user=alice')).toBe(false);
  });

  it('a revoked token stops resolving at once', async () => {
    const identity = service(baseConfig);
    const token = await addToken(alice);
    expect(await identity.fromToken(token)).not.toBeNull();
    await store.tokens.deleteWhere({ userId: alice.id });
    expect(await identity.fromToken(token)).toBeNull();
  });

  it('the sets it hands out are copies: changing one does not change the next answer', async () => {
    const identity = service(baseConfig);
    const first = identity.userScopes(alice);
    first.add('admin:users');
    expect(identity.userScopes(alice).has('admin:users')).toBe(false);
  });
});
