import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROFILES, type ProfileConfig } from '@clusterhub/shared';
import { loadConfig } from '../config/load';
import type { ResolvedConfig } from '../config/types';
import { openStore } from '../store/open';
import type { ServerRecord, Store, UserRecord } from '../store/store';
import { FakeSpawner } from '../spawners/testing/fake-spawner';
import { FakeServerRegistry } from '../spawners/testing/fake-server-registry';
import type { PollResult, SpawnHandle, Spawner } from '../spawners/spawner';
import { Backends } from '../spawners/backends';
import { BuiltinProxy } from '../proxy/builtin/builtin-proxy';
import { silentLogger } from '../observability/logger';
import { HubError } from '../errors';
import { RouteService } from './route-service';
import { ServerLifecycle, UNKNOWN_PREFIX } from './server-lifecycle';

/** A fake batch backend: answers a whole poll cycle with one call, and counts the calls. */
class BatchFake extends FakeSpawner {
  pollManyCalls = 0;
  singlePolls = 0;
  override poll(handle: SpawnHandle): Promise<PollResult> {
    this.singlePolls += 1;
    return super.poll(handle);
  }
  async pollMany(handles: readonly SpawnHandle[]): Promise<PollResult[]> {
    this.pollManyCalls += 1;
    this.singlePolls -= handles.length;
    return Promise.all(handles.map((h) => this.poll(h)));
  }
}

/** A backend whose scheduler can be switched off: polls then answer `unknown`. */
class Flaky extends FakeSpawner {
  down = false;
  override poll(handle: SpawnHandle): Promise<PollResult> {
    return this.down ? Promise.resolve({ status: 'unknown', message: 'slurmctld is unreachable' }) : super.poll(handle);
  }
}

const cpu = DEFAULT_PROFILES[0] as ProfileConfig;
const hpcProfile: ProfileConfig = { ...cpu, slug: 'hpc-cpu', default: false, backend: 'hpc' };
const ghostProfile: ProfileConfig = { ...cpu, slug: 'ghost', default: false, backend: 'ghost' };

let dir: string;
let config: ResolvedConfig;
let store: Store;
let registry: FakeServerRegistry;
let proxy: BuiltinProxy;
let lifecycles: ServerLifecycle[];

function lifecycleWith(byName: Record<string, Spawner>): ServerLifecycle {
  const logger = silentLogger();
  const routes = new RouteService({ proxy, store, baseUrl: '/', hubTarget: () => 'http://127.0.0.1:8081', logger });
  const lifecycle = new ServerLifecycle({ store, backends: new Backends(new Map(Object.entries(byName))), routes, config, clock: () => Date.now(), logger, hubUrl: () => 'http://127.0.0.1:8081/hub/' });
  lifecycles.push(lifecycle);
  return lifecycle;
}

async function started(lifecycle: ServerLifecycle, userName: string, profile: ProfileConfig): Promise<{ user: UserRecord; server: ServerRecord }> {
  const user = (await store.users.getByName(userName)) ?? (await store.users.create({ name: userName }));
  const outcome = await lifecycle.start(user, { userId: user.id, name: '', displayName: '' }, { profile, userOptions: { profile: profile.slug } });
  await outcome.done;
  const server = await store.servers.get(user.id, '');
  if (!server) throw new Error('no server row');
  return { user, server };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-backends-'));
  config = loadConfig(null, { cwd: dir, env: {} });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
  registry = new FakeServerRegistry();
  proxy = new BuiltinProxy({ ip: '127.0.0.1', port: 0 });
  await proxy.start();
  lifecycles = [];
});
afterEach(async () => {
  for (const l of lifecycles) await l.close();
  await proxy.stop();
  await registry.closeAll();
  await store.close();
});

describe('backends per profile', () => {
  it('starts each profile on its backend and records the backend with the handle; stop goes to that backend', async () => {
    const local = new FakeSpawner({ registry });
    const hpc = new BatchFake({ registry });
    const lifecycle = lifecycleWith({ default: local, hpc });
    const a = await started(lifecycle, 'alice', hpcProfile);
    const b = await started(lifecycle, 'bob', cpu);
    expect(a.server).toMatchObject({ state: 'running', backend: 'hpc', spawnerKind: 'fake', profile: 'hpc-cpu' });
    expect(b.server).toMatchObject({ state: 'running', backend: 'default' });
    expect(hpc.requests.map((r) => r.user.name)).toEqual(['alice']);
    expect(local.requests.map((r) => r.user.name)).toEqual(['bob']);
    await lifecycle.stop(a.user, a.server, 'user');
    expect(registry.live().map((s) => s.request.user.name)).toEqual(['bob']);
  });

  it('polls a backend with pollMany once per cycle for all its servers; a dead one is marked died', async () => {
    const hpc = new BatchFake({ registry });
    const lifecycle = lifecycleWith({ default: new FakeSpawner({ registry }), hpc });
    for (const name of ['u1', 'u2', 'u3']) await started(lifecycle, name, hpcProfile);
    const other = await started(lifecycle, 'u4', cpu);
    await hpc.crash('u2');
    hpc.pollManyCalls = 0;
    hpc.singlePolls = 0;
    await lifecycle.pollAll();
    expect(hpc.pollManyCalls).toBe(1);
    expect(hpc.singlePolls).toBe(0);
    const states = await Promise.all(['u1', 'u2', 'u3'].map(async (n) => (await store.servers.get((await store.users.getByName(n))?.id ?? 0, ''))?.state));
    expect(states).toEqual(['running', 'stopped', 'running']);
    expect((await store.servers.getById(other.server.id))?.state).toBe('running');
  });

  it('a restarted hub without the backend keeps its servers (unknown, never stopped) and refuses to stop them with the reason', async () => {
    const hpc = new BatchFake({ registry });
    const a = await started(lifecycleWith({ default: new FakeSpawner({ registry }), hpc }), 'alice', hpcProfile);
    const after = lifecycleWith({ default: new FakeSpawner({ registry }) });
    expect(await after.adopt()).toEqual({ adopted: 1, lost: 0 });
    await after.pollAll();
    expect((await store.servers.getById(a.server.id))?.state).toBe('running');
    const err = await after.stop(a.user, a.server, 'admin').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('backend_unavailable');
    expect((err as HubError).message).toContain('"hpc", which is no longer configured');
  });

  it('while a backend cannot tell, the server stays running and its message says the state is unknown; the message goes when it answers', async () => {
    const hpc = new Flaky({ registry });
    const lifecycle = lifecycleWith({ default: new FakeSpawner({ registry }), hpc });
    const a = await started(lifecycle, 'alice', hpcProfile);
    hpc.down = true;
    await lifecycle.pollAll();
    expect(await store.servers.getById(a.server.id)).toMatchObject({ state: 'running', message: `${UNKNOWN_PREFIX} slurmctld is unreachable` });
    hpc.down = false;
    await lifecycle.pollAll();
    expect(await store.servers.getById(a.server.id)).toMatchObject({ state: 'running', message: null });
  });

  it('rows from before backends (backend null) belong to the default backend', async () => {
    const local = new FakeSpawner({ registry });
    const lifecycle = lifecycleWith({ default: local });
    const a = await started(lifecycle, 'alice', cpu);
    await store.servers.update(a.server.id, { backend: null });
    const restarted = lifecycleWith({ default: local });
    expect(await restarted.adopt()).toEqual({ adopted: 1, lost: 0 });
    await restarted.stop(a.user, (await store.servers.getById(a.server.id)) as ServerRecord, 'user');
    expect(registry.live()).toEqual([]);
  });

  it('a profile naming a backend the hub does not have is refused before anything is written', async () => {
    const lifecycle = lifecycleWith({ default: new FakeSpawner({ registry }) });
    const user = await store.users.create({ name: 'carol' });
    const err = await lifecycle.start(user, { userId: user.id, name: '', displayName: '' }, { profile: ghostProfile, userOptions: {} }).then(() => null, (e: unknown) => e);
    expect((err as HubError).code).toBe('backend_unavailable');
    expect(await store.servers.get(user.id, '')).toBeNull();
  });
});
