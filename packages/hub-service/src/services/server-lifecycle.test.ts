import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROFILES, type ProfileConfig } from '@clusterhub/shared';
import { loadConfig } from '../config/load';
import type { ResolvedConfig } from '../config/types';
import { openStore } from '../store/open';
import type { ServerRecord, Store, UserRecord } from '../store/store';
import { FakeSpawner, type FakeBehaviour } from '../spawners/testing/fake-spawner';
import { FakeServerRegistry } from '../spawners/testing/fake-server-registry';
import type { SpawnRequest } from '../spawners/spawner';
import { Backends } from '../spawners/backends';
import { BuiltinProxy } from '../proxy/builtin/builtin-proxy';
import { silentLogger } from '../observability/logger';
import { sha256Hex } from '../lib/secrets';
import { sleep } from '../lib/sleep';
import { HubError } from '../errors';
import { RouteService } from './route-service';
import { ServerLifecycle } from './server-lifecycle';

const profile = DEFAULT_PROFILES[0] as ProfileConfig;
const HUB_URL = 'http://127.0.0.1:8081/hub/';

/** Behaviour by server name: the default server starts fine. */
const BEHAVIOURS: Record<string, FakeBehaviour> = {
  '': { kind: 'ok' },
  bad: { kind: 'fail', message: 'quota exceeded on the cluster' },
  stuck: { kind: 'never' },
  crashy: { kind: 'crash-after-start' },
};
const behaviour = (r: SpawnRequest): FakeBehaviour => BEHAVIOURS[r.server.name] ?? { kind: 'ok' };

let dir: string;
let baseConfig: ResolvedConfig;

/** One hub process' worth of collaborators. */
interface Hub {
  readonly spawner: FakeSpawner;
  readonly proxy: BuiltinProxy;
  readonly lifecycle: ServerLifecycle;
}

let store: Store;
let registry: FakeServerRegistry;
let hubs: Hub[];

function configWith(hub: Partial<ResolvedConfig['hub']>): ResolvedConfig {
  return { ...baseConfig, hub: { ...baseConfig.hub, allowNamedServers: true, ...hub } };
}

async function newHub(config: ResolvedConfig = configWith({})): Promise<Hub> {
  const spawner = new FakeSpawner({ behaviour, registry });
  const proxy = new BuiltinProxy({ ip: '127.0.0.1', port: 0 });
  await proxy.start();
  const logger = silentLogger();
  const routes = new RouteService({ proxy, store, baseUrl: '/', hubTarget: () => 'http://127.0.0.1:8081', logger });
  const lifecycle = new ServerLifecycle({ store, backends: new Backends(new Map([['default', spawner]])), routes, config, clock: () => Date.now(), logger, hubUrl: () => HUB_URL });
  const hub = { spawner, proxy, lifecycle };
  hubs.push(hub);
  return hub;
}

async function userAndServer(userName: string, serverName = ''): Promise<{ user: UserRecord; server: ServerRecord }> {
  const user = (await store.users.getByName(userName)) ?? (await store.users.create({ name: userName }));
  const server = await store.servers.create({ userId: user.id, name: serverName });
  return { user, server };
}

async function reload(server: ServerRecord): Promise<ServerRecord> {
  const row = await store.servers.getById(server.id);
  if (!row) throw new Error('server row vanished');
  return row;
}

async function credentialsOf(user: UserRecord, server: ServerRecord): Promise<{ serverTokens: number; client: boolean }> {
  const tokens = await store.tokens.listForUser(user.id);
  const clientId = server.name ? `jupyterhub-user-${user.name}-${server.name}` : `jupyterhub-user-${user.name}`;
  return {
    serverTokens: tokens.filter((t) => t.kind === 'server' && t.serverId === server.id).length,
    client: (await store.oauth.getClient(clientId)) !== null,
  };
}

async function hubError(promise: Promise<unknown>): Promise<HubError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('expected a HubError');
}

async function startOk(hub: Hub, user: UserRecord, server: ServerRecord): Promise<ServerRecord> {
  const outcome = await hub.lifecycle.start(user, server, { profile, userOptions: { profile: profile.slug } });
  await outcome.done;
  return reload(server);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-lifecycle-'));
  baseConfig = loadConfig(null, { cwd: dir, env: {} });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
  registry = new FakeServerRegistry();
  hubs = [];
});

afterEach(async () => {
  for (const hub of hubs) {
    await hub.lifecycle.close();
    await hub.proxy.stop();
  }
  await registry.closeAll();
  await store.close();
});

describe('ServerLifecycle.start', () => {
  it('starts a server: running, route to its target, credentials issued, env handed over', async () => {
    const hub = await newHub();
    const { user, server } = await userAndServer('alice');
    const running = await startOk(hub, user, server);
    expect(running).toMatchObject({ state: 'running', profile: profile.slug, spawnerKind: 'fake', stopReason: null, message: null });
    expect(running.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.handle).toHaveProperty('fakeServerId');
    const route = (await hub.proxy.getAllRoutes()).get('/user/alice/');
    expect(route?.target).toBe(running.target);
    expect(route?.data).toMatchObject({ user: 'alice', server_name: '', jupyterhub: true });
    expect(await credentialsOf(user, server)).toEqual({ serverTokens: 1, client: true });

    const request = hub.spawner.requests[0];
    expect(request?.prefix).toBe('/user/alice/');
    const token = request?.env.JUPYTERHUB_API_TOKEN ?? '';
    const record = await store.tokens.findByHash(sha256Hex(token));
    expect(record).toMatchObject({ kind: 'server', serverId: server.id, userId: user.id });
    expect((await store.oauth.getClient('jupyterhub-user-alice'))?.secretHash).toBe(sha256Hex(token));
    expect(request?.env.JUPYTERHUB_API_URL).toBe('http://127.0.0.1:8081/hub/api');

    const events = hub.lifecycle.progressOf(server.id)?.snapshot() ?? [];
    expect(events.at(-1)).toMatchObject({ progress: 100, ready: true, url: '/user/alice/' });
  });

  it('refuses to start a running server; a second start while pending joins the first', async () => {
    const hub = await newHub();
    const { user, server } = await userAndServer('alice');
    const first = await hub.lifecycle.start(user, server, { profile, userOptions: {} });
    const second = await hub.lifecycle.start(user, server, { profile, userOptions: {} });
    expect(first.alreadyPending).toBe(false);
    expect(second.alreadyPending).toBe(true);
    await first.done;
    await second.done;
    expect(hub.spawner.requests).toHaveLength(1);
    const err = await hubError(hub.lifecycle.start(user, await reload(server), { profile, userOptions: {} }));
    expect(err.code).toBe('server_running');
  });

  it('a failing spawner: state failed with the message; token and OAuth client revoked', async () => {
    const hub = await newHub();
    const { user, server } = await userAndServer('alice', 'bad');
    const outcome = await hub.lifecycle.start(user, server, { profile, userOptions: {} });
    const err = await hubError(outcome.done);
    expect(err.code).toBe('spawn_failed');
    expect(err.message).toContain('quota exceeded on the cluster');
    const row = await reload(server);
    expect(row).toMatchObject({ state: 'failed', stopReason: 'error', handle: null, target: null });
    expect(row.message).toContain('quota exceeded on the cluster');
    expect(await credentialsOf(user, server)).toEqual({ serverTokens: 0, client: false });
    expect((await hub.proxy.getAllRoutes()).has('/user/alice/bad/')).toBe(false);
    const events = hub.lifecycle.progressOf(server.id)?.snapshot() ?? [];
    expect(events.at(-1)).toMatchObject({ failed: true });
    expect(hub.lifecycle.pendingSpawns).toBe(0);
  });

  it('a start that never finishes fails after startTimeoutSeconds with a time-out message', async () => {
    const hub = await newHub(configWith({ startTimeoutSeconds: 1 }));
    const { user, server } = await userAndServer('alice', 'stuck');
    const outcome = await hub.lifecycle.start(user, server, { profile, userOptions: {} });
    expect((await reload(server)).state).toBe('pending-start');
    const err = await hubError(outcome.done);
    expect(err.code).toBe('spawn_failed');
    const row = await reload(server);
    expect(row.state).toBe('failed');
    expect(row.message).toMatch(/did not start within 1 s/);
    expect(await credentialsOf(user, server)).toEqual({ serverTokens: 0, client: false });
  });

  it('the concurrent spawn limit answers too_many_spawns with Retry-After', async () => {
    const hub = await newHub(configWith({ concurrentSpawnLimit: 1, startTimeoutSeconds: 300 }));
    const a = await userAndServer('alice', 'stuck');
    const b = await userAndServer('bob');
    const outcome = await hub.lifecycle.start(a.user, a.server, { profile, userOptions: {} });
    const err = await hubError(hub.lifecycle.start(b.user, b.server, { profile, userOptions: {} }));
    expect(err.code).toBe('too_many_spawns');
    expect(err.status).toBe(429);
    expect(err.options.headers?.['Retry-After']).toMatch(/^\d+$/);
    expect((await reload(b.server)).state).toBe('stopped');
    await hub.lifecycle.stop(a.user, a.server, 'user');
    await outcome.done.catch(() => undefined);
    // With the slot free again, the start goes through.
    expect((await startOk(hub, b.user, b.server)).state).toBe('running');
  });
});

describe('ServerLifecycle.stop', () => {
  it('stop during start: cancelled, stopped with reason user, credentials revoked', async () => {
    const hub = await newHub(configWith({ startTimeoutSeconds: 300 }));
    const { user, server } = await userAndServer('alice', 'stuck');
    const outcome = await hub.lifecycle.start(user, server, { profile, userOptions: {} });
    await hub.lifecycle.stop(user, server, 'user');
    expect((await hubError(outcome.done)).message).toContain('cancelled');
    const row = await reload(server);
    expect(row).toMatchObject({ state: 'stopped', stopReason: 'user', handle: null, target: null });
    expect(await credentialsOf(user, server)).toEqual({ serverTokens: 0, client: false });
    expect(hub.lifecycle.pendingSpawns).toBe(0);
  });

  it('stop during start records the reason the stop was asked with', async () => {
    const hub = await newHub(configWith({ startTimeoutSeconds: 300 }));
    const { user, server } = await userAndServer('alice', 'stuck');
    const outcome = await hub.lifecycle.start(user, server, { profile, userOptions: {} });
    await hub.lifecycle.stop(user, server, 'admin');
    await outcome.done.catch(() => undefined);
    expect(await reload(server)).toMatchObject({ state: 'stopped', stopReason: 'admin' });
  });

  it('stop of a running server: stopped, route gone, credentials and OAuth tokens revoked, backend stopped', async () => {
    const hub = await newHub();
    const { user, server } = await userAndServer('alice');
    await startOk(hub, user, server);
    await store.tokens.create({
      kind: 'oauth',
      userId: user.id,
      serviceName: null,
      prefix: 'abcd',
      hash: sha256Hex('browser-token'),
      scopes: ['access:servers!server=alice/'],
      note: 'browser',
      expiresAt: null,
      sessionId: 's1',
      oauthClientId: 'jupyterhub-user-alice',
      serverId: null,
    });
    await hub.lifecycle.stop(user, await reload(server), 'admin');
    const row = await reload(server);
    expect(row).toMatchObject({ state: 'stopped', stopReason: 'admin', handle: null, target: null, started: null });
    expect((await hub.proxy.getAllRoutes()).has('/user/alice/')).toBe(false);
    expect(await credentialsOf(user, server)).toEqual({ serverTokens: 0, client: false });
    expect(await store.tokens.findByHash(sha256Hex('browser-token'))).toBeNull();
    expect(hub.spawner.running()).toHaveLength(0);
    // Stopping again is a no-op.
    await expect(hub.lifecycle.stop(user, row, 'admin')).resolves.toBeUndefined();
  });
});

describe('ServerLifecycle.pollAll', () => {
  it('marks a server whose backend went away stopped with stop_reason died', async () => {
    const hub = await newHub();
    const { user, server } = await userAndServer('alice', 'crashy');
    const running = await startOk(hub, user, server);
    expect(running.state).toBe('running');
    const handle = running.handle ?? {};
    // The fake crashes once the readiness check's response went out: wait for that (bounded).
    for (let i = 0; i < 200 && (await hub.spawner.poll(handle)).status === 'running'; i += 1) await sleep(10);
    await hub.lifecycle.pollAll();
    const row = await reload(server);
    expect(row).toMatchObject({ state: 'stopped', stopReason: 'died', handle: null, target: null });
    expect((await hub.proxy.getAllRoutes()).has('/user/alice/crashy/')).toBe(false);
    expect(await credentialsOf(user, server)).toEqual({ serverTokens: 0, client: false });
  });

  it('leaves healthy servers alone', async () => {
    const hub = await newHub();
    const { user, server } = await userAndServer('alice');
    await startOk(hub, user, server);
    await hub.lifecycle.pollAll();
    expect((await reload(server)).state).toBe('running');
  });
});

describe('ServerLifecycle.adopt (hub restart)', () => {
  it('a new lifecycle over the same store re-adopts live servers and marks dead ones stopped', async () => {
    const before = await newHub();
    const alive = await userAndServer('alice');
    const dead = await userAndServer('bob');
    const resumed = await userAndServer('carol');
    await startOk(before, alive.user, alive.server);
    await startOk(before, dead.user, dead.server);
    const carol = await startOk(before, resumed.user, resumed.server);
    // The "old hub" goes away (servers keep running); bob's server dies meanwhile, carol's start
    // was interrupted after the backend reported its target.
    await before.lifecycle.close();
    expect(await before.spawner.crash('bob')).toBe(true);
    await store.servers.update(carol.id, { state: 'pending-start' });

    const after = await newHub();
    expect(await after.lifecycle.adopt()).toEqual({ adopted: 2, lost: 1 });
    expect((await reload(alive.server)).state).toBe('running');
    expect(await credentialsOf(alive.user, alive.server)).toEqual({ serverTokens: 1, client: true });
    const bob = await reload(dead.server);
    expect(bob).toMatchObject({ state: 'stopped', stopReason: 'died', handle: null });
    expect(bob.message).toContain('hub was down');
    expect(await credentialsOf(dead.user, dead.server)).toEqual({ serverTokens: 0, client: false });
    expect(await reload(resumed.server)).toMatchObject({ state: 'running', target: carol.target });
    expect((await after.proxy.getAllRoutes()).get('/user/carol/')?.target).toBe(carol.target);
    // The adopted server can be stopped by the new hub.
    await after.lifecycle.stop(alive.user, await reload(alive.server), 'user');
    expect(after.spawner.running().map((s) => s.request.user.name)).toEqual(['carol']);
  });

  it('an interrupted start without a backend handle is lost', async () => {
    const { server } = await userAndServer('alice');
    await store.servers.update(server.id, { state: 'pending-start' });
    const hub = await newHub();
    expect(await hub.lifecycle.adopt()).toEqual({ adopted: 0, lost: 1 });
    expect(await reload(server)).toMatchObject({ state: 'stopped', stopReason: 'died' });
  });
});
