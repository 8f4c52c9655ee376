/**
 * The built-in culler (issue 9) in a real hub with a FakeSpawner and a controlled clock: idle
 * servers warned then culled, active ones spared, max age, a profile's shorter timeout and
 * warning, named servers removed only when configured, and the stop reason recorded and shown by
 * the API. (Real servers, the culling API and the webhook: culler-warnings.test.ts.)
 */
import type { HubConfig } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { apiCall } from './harness/api-call';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
const MINUTE = 60_000;

const PROFILES: HubConfig['profiles'] = [
  { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true },
  { slug: 'short', displayName: 'Short leash', kind: 'cpu', cull: { idleTimeoutSeconds: 600, warningSeconds: 60 } },
];

interface Clocked {
  readonly t: TestHub;
  readonly spawner: FakeSpawner;
  advance(ms: number): void;
}

async function hubWith(culler: NonNullable<HubConfig['culler']>): Promise<Clocked> {
  let now = T0;
  const spawner = new FakeSpawner();
  const t = await startTestHub({
    // A long interval: the test runs each pass itself with cullOnce().
    config: { culler: { enabled: true, intervalSeconds: 86_400, ...culler }, profiles: PROFILES, hub: { allowNamedServers: true } },
    overrides: { spawner, clock: () => now },
  });
  return {
    t,
    spawner,
    advance: (ms) => {
      now += ms;
    },
  };
}

async function startServer(t: TestHub, user: string, name = '', profile = 'cpu'): Promise<void> {
  const path = name === '' ? `/users/${user}/server` : `/users/${user}/servers/${name}`;
  const reply = await apiCall(`${t.apiUrl}${path}`, { method: 'POST', token: t.adminToken, body: { profile } });
  expect([201, 202]).toContain(reply.status);
}

async function serverModel(t: TestHub, user: string, name = ''): Promise<{ status: number; json: Record<string, unknown> }> {
  const path = name === '' ? `/users/${user}/server` : `/users/${user}/servers/${name}`;
  const reply = await apiCall(`${t.apiUrl}${path}`, { token: t.adminToken });
  return { status: reply.status, json: (reply.json ?? {}) as Record<string, unknown> };
}

async function touch(t: TestHub, user: string, name: string, at: number): Promise<void> {
  const store = t.hub.context.store;
  const u = await store.users.getByName(user);
  const server = await store.servers.get(u?.id ?? 0, name);
  if (!server) throw new Error(`no server ${user}/${name}`);
  await store.servers.touchActivity(server.id, new Date(at));
}

describe('built-in culler', () => {
  let c: Clocked;
  afterEach(async () => {
    await c.t.stop();
    await c.spawner.close();
  });

  it('is absent unless enabled', async () => {
    const spawner = new FakeSpawner();
    const t = await startTestHub({ overrides: { spawner } });
    try {
      expect(t.hub.culler).toBeNull();
    } finally {
      await t.stop();
      await spawner.close();
    }
    c = await hubWith({});
    expect(c.t.hub.culler).not.toBeNull();
  });

  it('warns, then stops an idle server with reason idle, spares an active one, and the API shows the reason', async () => {
    c = await hubWith({ idleTimeoutSeconds: 3600 });
    await c.t.addUser('idle');
    await c.t.addUser('busy');
    await startServer(c.t, 'idle');
    await startServer(c.t, 'busy');
    c.advance(50 * MINUTE);
    await touch(c.t, 'busy', '', T0 + 50 * MINUTE);
    c.advance(15 * MINUTE);

    // Past the timeout but never warned: warned now, stopped a full warning (5 minutes) later.
    expect(await c.t.hub.culler?.cullOnce()).toEqual([{ user: 'idle', server: '', reason: 'idle', kind: 'warn', removed: false }]);
    expect((await serverModel(c.t, 'idle')).json).toMatchObject({ ready: true, message: 'This server will be stopped at 13:10 UTC after 70 minutes without activity. Use it or press Keep alive.' });
    c.advance(5 * MINUTE - 1);
    expect(await c.t.hub.culler?.cullOnce()).toEqual([]);
    c.advance(1);
    const actions = await c.t.hub.culler?.cullOnce();
    expect(actions).toEqual([{ user: 'idle', server: '', reason: 'idle', kind: 'stop', removed: false }]);
    const idle = await serverModel(c.t, 'idle');
    expect(idle.json).toMatchObject({ ready: false, stopped: true, stop_reason: 'idle', message: 'This server was stopped at 13:10 UTC after 70 minutes without activity.' });
    const busy = await serverModel(c.t, 'busy');
    expect(busy.json).toMatchObject({ ready: true, message: null });
  });

  it('warns, then stops a server at max age even while active', async () => {
    c = await hubWith({ idleTimeoutSeconds: 0, maxAgeSeconds: 7200 });
    await c.t.addUser('ann');
    await startServer(c.t, 'ann');
    c.advance(114 * MINUTE);
    expect(await c.t.hub.culler?.cullOnce()).toEqual([]);
    c.advance(MINUTE);
    expect(await c.t.hub.culler?.cullOnce()).toEqual([{ user: 'ann', server: '', reason: 'max-age', kind: 'warn', removed: false }]);
    expect((await serverModel(c.t, 'ann')).json).toMatchObject({ message: expect.stringMatching(/^This server will be stopped at 14:00 UTC: .* maximum age of 2 hours\. It cannot be kept alive/) });
    c.advance(4 * MINUTE);
    await touch(c.t, 'ann', '', T0 + 119 * MINUTE);
    expect(await c.t.hub.culler?.cullOnce()).toEqual([]);
    c.advance(MINUTE);
    expect(await c.t.hub.culler?.cullOnce()).toEqual([{ user: 'ann', server: '', reason: 'max-age', kind: 'stop', removed: false }]);
    expect((await serverModel(c.t, 'ann')).json).toMatchObject({ stop_reason: 'max-age', message: 'This server was stopped at 14:00 UTC: it reached its maximum age (it ran for 2 hours).' });
  });

  it("applies a profile's shorter idle timeout and warning", async () => {
    c = await hubWith({ idleTimeoutSeconds: 3600 });
    await c.t.addUser('ann');
    await startServer(c.t, 'ann', 'long', 'cpu');
    await startServer(c.t, 'ann', 'quick', 'short');
    c.advance(9 * MINUTE);
    expect(await c.t.hub.culler?.cullOnce()).toEqual([{ user: 'ann', server: 'quick', reason: 'idle', kind: 'warn', removed: false }]);
    c.advance(MINUTE);
    expect(await c.t.hub.culler?.cullOnce()).toEqual([{ user: 'ann', server: 'quick', reason: 'idle', kind: 'stop', removed: false }]);
    expect((await serverModel(c.t, 'ann', 'long')).json).toMatchObject({ ready: true });
    expect((await serverModel(c.t, 'ann', 'quick')).json).toMatchObject({ stopped: true, stop_reason: 'idle' });
  });

  it('clears a warning message left from before a hub restart, and warns again before any stop', async () => {
    c = await hubWith({ idleTimeoutSeconds: 3600 });
    await c.t.addUser('ann');
    await startServer(c.t, 'ann');
    const store = c.t.hub.context.store;
    const server = await store.servers.get((await store.users.getByName('ann'))?.id ?? 0, '');
    // As a restarted hub finds it: the message on the record, no warning in memory.
    await store.servers.update(server?.id ?? 0, { message: 'This server will be stopped at 12:30 UTC after 30 minutes without activity. Use it or press Keep alive.' });
    c.advance(10 * MINUTE);
    expect(await c.t.hub.culler?.cullOnce()).toEqual([]);
    expect((await serverModel(c.t, 'ann')).json).toMatchObject({ ready: true, message: null });
    c.advance(50 * MINUTE);
    expect((await c.t.hub.culler?.cullOnce())?.map((a) => a.kind)).toEqual(['warn']);
  });

  it('removes named servers only when configured, never the default server', async () => {
    c = await hubWith({ idleTimeoutSeconds: 600, removeNamedServers: true });
    await c.t.addUser('ann');
    await startServer(c.t, 'ann');
    await startServer(c.t, 'ann', 'extra');
    c.advance(11 * MINUTE);
    expect((await c.t.hub.culler?.cullOnce())?.map((a) => a.kind)).toEqual(['warn', 'warn']);
    c.advance(5 * MINUTE);
    const actions = await c.t.hub.culler?.cullOnce();
    expect(actions).toEqual(
      expect.arrayContaining([
        { user: 'ann', server: '', reason: 'idle', kind: 'stop', removed: false },
        { user: 'ann', server: 'extra', reason: 'idle', kind: 'stop', removed: true },
      ]),
    );
    expect((await serverModel(c.t, 'ann', 'extra')).status).toBe(404);
    expect((await serverModel(c.t, 'ann')).json).toMatchObject({ stopped: true, stop_reason: 'idle' });
  });
});
