/**
 * The REAL jupyterhub-idle-culler 2.0 against the hub (protocol.md §9, §13 T15–T17, T19): the
 * culler runs as a child process with a least-privilege service token; servers come from the
 * FakeSpawner. Idleness is set up by back-dating `started`/`last_activity` in the store (the
 * activity API only ever moves them forward) and by reporting fresh activity through the API.
 * Each culler run uses `--cull-every=3600`, so exactly one cull cycle (the immediate one) happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { waitFor } from '../src/proxy/testing/backends';
import { VENV_PYTHON } from './harness/repo-paths';

// The project's testTimeout is not applied to jest projects.
jest.setTimeout(120_000);

const PYTHON = VENV_PYTHON;
const CULLER_SCOPES = ['list:users', 'read:users:activity', 'read:servers', 'delete:servers'];
const TWO_HOURS_AGO = (): Date => new Date(Date.now() - 2 * 3600_000);

/** A running culler process. */
interface Culler {
  /** Everything it wrote so far (stdout + stderr). */
  output(): string;
  /** Resolves true once the output contains `text` (bounded wait). */
  waitForOutput(text: string): Promise<boolean>;
  stop(): Promise<void>;
}

const running = new Set<Culler>();

/** Starts `python -m jupyterhub_idle_culler` against the hub's API with debug logging. */
function startCuller(t: TestHub, token: string, args: readonly string[]): Culler {
  const child: ChildProcess = spawn(
    PYTHON,
    ['-m', 'jupyterhub_idle_culler', `--url=${t.apiUrl}`, '--cull-every=3600', '--IdleCuller.log_level=DEBUG', ...args],
    { cwd: t.dataDir, env: { ...process.env, JUPYTERHUB_API_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const collect = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const culler: Culler = {
    output: () => text,
    waitForOutput: (needle) => waitFor(async () => text.includes(needle) || child.exitCode !== null, 300, 100).then(() => text.includes(needle)),
    async stop() {
      running.delete(culler);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(culler);
  return culler;
}

interface ServerModel {
  readonly name: string;
  readonly ready: boolean;
  readonly pending: string | null;
  readonly stopped: boolean;
  readonly last_activity: string | null;
}

async function api(t: TestHub, method: string, path: string, body?: unknown, token = t.adminToken): Promise<Response> {
  return fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function serversOf(t: TestHub, user: string, includeStopped = false): Promise<Record<string, ServerModel>> {
  const res = await api(t, 'GET', `/users/${user}${includeStopped ? '?include_stopped_servers=1' : ''}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { servers: Record<string, ServerModel> }).servers;
}

/** Starts a server through the API; `expected` is 201 (ready) or 202 (still pending). */
async function startServer(t: TestHub, user: string, server = '', expected = 201): Promise<void> {
  const path = server === '' ? `/users/${user}/server` : `/users/${user}/servers/${server}`;
  const res = await api(t, 'POST', path, {});
  expect(res.status).toBe(expected);
}

/** Rewrites a server's timestamps in the store (the API can only move activity forward). */
async function backdate(t: TestHub, user: string, server: string, patch: { started?: Date; lastActivity?: Date }): Promise<void> {
  const store = t.hub.context.store;
  const owner = await store.users.getByName(user);
  const record = owner ? await store.servers.get(owner.id, server) : null;
  if (!record) throw new Error(`no server ${user}/${server}`);
  await store.servers.update(record.id, patch);
}

/** Reports activity "now" for a server through the API, with the user's own token. */
async function reportActivity(t: TestHub, user: string, token: string, server = ''): Promise<void> {
  const now = new Date().toISOString();
  const res = await api(t, 'POST', `/users/${user}/activity`, { last_activity: now, servers: { [server]: { last_activity: now } } }, token);
  expect(res.status).toBe(200);
}

/** A hub with the culler configured as a service; `pending-pat`'s spawns never finish. */
async function startCullerHub(version: string): Promise<{ t: TestHub; spawner: FakeSpawner; cullerToken: string }> {
  const spawner = new FakeSpawner({ behaviour: (req) => (req.user.name === 'pending-pat' ? { kind: 'never' } : { kind: 'ok' }) });
  const cullerToken = randomBytes(16).toString('hex');
  const t = await startTestHub({
    config: {
      hub: { version, slowSpawnTimeoutSeconds: 1, startTimeoutSeconds: 600 },
      services: [{ name: 'idle-culler', apiToken: cullerToken, scopes: CULLER_SCOPES }],
    },
    overrides: { spawner },
  });
  return { t, spawner, cullerToken };
}

/** Culler output must not show failed requests. */
function expectNoErrors(culler: Culler): void {
  expect(culler.output()).not.toMatch(/Traceback|Error processing|HTTP 4\d\d|HTTP 5\d\d/);
}

afterEach(async () => {
  await Promise.all([...running].map((c) => c.stop()));
});

describe('idle culler 2.0 against a 6.1.1 hub (T15, T17, T19)', () => {
  let t: TestHub;
  let spawner: FakeSpawner;
  let cullerToken: string;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    ({ t, spawner, cullerToken } = await startCullerHub('6.1.1'));
    for (const name of ['idle-ivy', 'active-ada', 'old-olga', 'pending-pat', 'named-nora', 'named-noah']) tokens.set(name, await t.addUser(name));
  });

  afterAll(async () => {
    await Promise.all([...running].map((c) => c.stop()));
    for (const name of tokens.keys()) {
      for (const server of Object.keys(await serversOf(t, name))) {
        await api(t, 'DELETE', server === '' ? `/users/${name}/server` : `/users/${name}/servers/${server}`);
      }
    }
    await t.stop();
    await spawner.close();
  });

  it('T15/T19: stops the idle server via DELETE, keeps the active one, never sees the pending one', async () => {
    await startServer(t, 'idle-ivy');
    await startServer(t, 'active-ada');
    await startServer(t, 'old-olga');
    await startServer(t, 'pending-pat', '', 202);
    await backdate(t, 'idle-ivy', '', { started: TWO_HOURS_AGO(), lastActivity: TWO_HOURS_AGO() });
    await backdate(t, 'old-olga', '', { started: TWO_HOURS_AGO(), lastActivity: TWO_HOURS_AGO() });
    await reportActivity(t, 'active-ada', tokens.get('active-ada') ?? '');
    await reportActivity(t, 'old-olga', tokens.get('old-olga') ?? '');

    const culler = startCuller(t, cullerToken, ['--timeout=600']);
    expect(await waitFor(async () => Object.keys(await serversOf(t, 'idle-ivy')).length === 0, 300, 100)).toBe(true);
    expect(await culler.waitForOutput('Not culling server active-ada')).toBe(true);
    expect(await culler.waitForOutput('Not culling server old-olga')).toBe(true);

    const out = culler.output();
    expect(out).toContain('Culling server idle-ivy');
    // T19: the version from GET /hub/api/ (6.1.1 ≥ 1.3.0) makes the culler ask for ?state=ready, so
    // the user whose only server is pending is filtered out by the hub and never reaches the culler.
    expect(out).toMatch(/Got 3 users with ready servers/);
    expect(out).not.toContain('pending-pat');
    expectNoErrors(culler);

    expect((await serversOf(t, 'active-ada'))['']).toMatchObject({ ready: true });
    expect((await serversOf(t, 'old-olga'))['']).toMatchObject({ ready: true });
    expect((await serversOf(t, 'pending-pat'))['']).toMatchObject({ ready: false, pending: 'spawn' });
    expect(spawner.running().map((s) => s.request.user.name).sort()).toEqual(['active-ada', 'old-olga']);
  });

  it('T15: --max-age culls a long-running server even though it is active', async () => {
    const culler = startCuller(t, cullerToken, ['--timeout=600', '--max-age=3600']);
    expect(await waitFor(async () => Object.keys(await serversOf(t, 'old-olga')).length === 0, 300, 100)).toBe(true);
    expect(await culler.waitForOutput('Not culling server active-ada')).toBe(true);
    expect(culler.output()).toMatch(/Culling server old-olga \(age: 0[12]:/);
    expectNoErrors(culler);
    expect((await serversOf(t, 'active-ada'))['']).toMatchObject({ ready: true });
    expect((await serversOf(t, 'pending-pat'))['']).toMatchObject({ pending: 'spawn' });
  });

  it('T17: an idle named server is only stopped by default, and removed with --remove-named-servers', async () => {
    await startServer(t, 'named-nora', 'gpu');
    await backdate(t, 'named-nora', 'gpu', { started: TWO_HOURS_AGO(), lastActivity: TWO_HOURS_AGO() });
    const plain = startCuller(t, cullerToken, ['--timeout=600']);
    expect(await waitFor(async () => (await serversOf(t, 'named-nora')).gpu === undefined, 300, 100)).toBe(true);
    expect(await plain.waitForOutput('Not culling server active-ada')).toBe(true);
    expect(plain.output()).toContain('Culling server named-nora/gpu');
    expectNoErrors(plain);
    await plain.stop();
    // Stopped, not removed: still listed with include_stopped_servers.
    expect((await serversOf(t, 'named-nora', true)).gpu).toMatchObject({ name: 'gpu', stopped: true, ready: false });

    await startServer(t, 'named-noah', 'gpu');
    await backdate(t, 'named-noah', 'gpu', { started: TWO_HOURS_AGO(), lastActivity: TWO_HOURS_AGO() });
    const removing = startCuller(t, cullerToken, ['--timeout=600', '--remove-named-servers=True']);
    expect(await waitFor(async () => (await serversOf(t, 'named-noah', true)).gpu === undefined, 300, 100)).toBe(true);
    expect(await removing.waitForOutput('Not culling server active-ada')).toBe(true);
    expect(removing.output()).toContain('Culling server named-noah/gpu');
    expectNoErrors(removing);
    expect((await serversOf(t, 'named-nora', true)).gpu).toMatchObject({ stopped: true });
    expect(spawner.running().map((s) => `${s.request.user.name}/${s.request.server.name}`)).toEqual(['active-ada/']);
  });
});

describe('idle culler 2.0 against a hub advertising 1.2.0 (T19)', () => {
  let t: TestHub;
  let spawner: FakeSpawner;
  let cullerToken: string;

  beforeAll(async () => {
    ({ t, spawner, cullerToken } = await startCullerHub('1.2.0'));
    await t.addUser('idle-ivy');
    await t.addUser('pending-pat');
  });

  afterAll(async () => {
    await Promise.all([...running].map((c) => c.stop()));
    await t.stop();
    await spawner.close();
  });

  it('lists all users without the state filter and skips the pending server itself', async () => {
    await startServer(t, 'idle-ivy');
    await startServer(t, 'pending-pat', '', 202);
    await backdate(t, 'idle-ivy', '', { started: TWO_HOURS_AGO(), lastActivity: TWO_HOURS_AGO() });
    const culler = startCuller(t, cullerToken, ['--timeout=600']);
    expect(await waitFor(async () => Object.keys(await serversOf(t, 'idle-ivy')).length === 0, 300, 100)).toBe(true);
    expect(await culler.waitForOutput('Not culling server pending-pat with pending spawn')).toBe(true);
    // No state filter below 1.3.0: every user (admin, idle-ivy, pending-pat) is fetched.
    expect(culler.output()).toMatch(/Got 3 users\s*$/m);
    expect(culler.output()).not.toContain('with ready servers');
    expectNoErrors(culler);
    expect((await serversOf(t, 'pending-pat'))['']).toMatchObject({ pending: 'spawn' });
  });
});

describe('idle culler 2.0 pagination (T16)', () => {
  const USERS = Array.from({ length: 120 }, (_, i) => `page-user-${String(i).padStart(3, '0')}`);
  let t: TestHub;
  let spawner: FakeSpawner;
  let cullerToken: string;

  beforeAll(async () => {
    ({ t, spawner, cullerToken } = await startCullerHub('6.1.1'));
    const res = await api(t, 'POST', '/users', { usernames: USERS });
    expect(res.status).toBe(201);
    for (let i = 0; i < USERS.length; i += 10) {
      await Promise.all(USERS.slice(i, i + 10).map((name) => startServer(t, name)));
    }
    for (const name of USERS) await backdate(t, name, '', { started: TWO_HOURS_AGO(), lastActivity: TWO_HOURS_AGO() });
  });

  afterAll(async () => {
    await Promise.all([...running].map((c) => c.stop()));
    for (const name of USERS) await api(t, 'DELETE', `/users/${name}/server`);
    await t.stop();
    await spawner.close();
  });

  it('follows _pagination.next.url through 3 pages of 50 and culls all 120 idle servers in one cycle', async () => {
    const readyCount = async (): Promise<number> => {
      const res = await api(t, 'GET', '/users?state=ready');
      return ((await res.json()) as unknown[]).length;
    };
    expect(await readyCount()).toBe(120);
    const culler = startCuller(t, cullerToken, ['--timeout=600', '--api-page-size=50']);
    expect(await waitFor(async () => (await readyCount()) === 0, 600, 100)).toBe(true);
    const out = culler.output();
    expect(out).toContain('Got 120 users with ready servers');
    // The next URLs are absolute and keep the state filter and the page size.
    const pages = [...out.matchAll(/Fetching page (\d+) (\S+)/g)].map((m) => ({ page: Number(m[1]), url: new URL(m[2] ?? '') }));
    expect(pages.map((p) => p.page)).toEqual([2, 3]);
    for (const [index, { url }] of pages.entries()) {
      expect(`${url.origin}${url.pathname}`).toBe(`${t.apiUrl}/users`);
      expect(url.searchParams.get('state')).toBe('ready');
      expect(url.searchParams.get('limit')).toBe('50');
      expect(url.searchParams.get('offset')).toBe(String(50 * (index + 1)));
    }
    // Users of the last page (offset 100–119) were culled too.
    for (const name of USERS.slice(100)) expect(out).toContain(`Culling server ${name} `);
    expectNoErrors(culler);
    expect(spawner.running()).toHaveLength(0);
  });
});
