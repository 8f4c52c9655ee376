import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubConfig } from '@clusterhub/shared';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import type { Spawner } from '../src/spawners/spawner';
import { apiCall, errorCode } from './harness/api-call';
import { startTestHub, tokenFor, type TestHub } from './harness/hub-harness';

/**
 * The compute-unit ledger through a real hub (real store, proxy and API; FakeSpawner servers,
 * a controlled clock): starts and stops through the API accrue at the profile's price, a hub
 * restart in the middle of a session counts it once, a server that died while the hub was down is
 * closed at re-adoption, and the usage API answers with the scopes of the rest of the API.
 */
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-02T08:00:00Z');
let now = T0;
const clock = (): number => now;

const CONFIG: HubConfig = {
  profiles: [
    { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 0.1 },
    { slug: 'big', displayName: 'Big', kind: 'cpu', pricePerHour: 8, groups: ['cpsHPCAccess'] },
  ],
};

describe('the ledger in a running hub', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'clusterhub-ledger-'));
  const fake = new FakeSpawner();
  // The hub closes its spawner when it stops; this one keeps the fake servers alive across a hub restart.
  const spawner: Spawner = { kind: fake.kind, start: (r, c) => fake.start(r, c), poll: (h) => fake.poll(h), stop: (h, o) => fake.stop(h, o) };
  let t: TestHub;
  let alice = '';
  let bob = '';

  const start = async (): Promise<TestHub> => startTestHub({ config: CONFIG, dataDir, overrides: { spawner, clock } });
  const usage = async (token: string, query: string, headers: Record<string, string> = {}) => apiCall(`${t.apiUrl}/clusterhub/usage${query}`, { token, headers });

  beforeAll(async () => {
    t = await start();
    alice = await t.addUser('alice');
    bob = await t.addUser('bob');
    const aliceRecord = await t.hub.context.store.users.getByName('alice');
    if (!aliceRecord) throw new Error('no alice');
    await t.hub.context.store.groups.setUserGroups(aliceRecord.id, ['cps-students', 'cpsHPCAccess']);
  });

  afterAll(async () => {
    await t.stop({ keepData: true });
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('charges a started server at its profile price to the first group the profile allows, from start to stop', async () => {
    const started = await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: alice, body: { profile: 'big' } });
    expect(started.status).toBe(201);
    now += 2 * HOUR;
    const running = await usage(alice, '?from=2026-11-01&to=2026-12-01');
    expect(running.status).toBe(200);
    expect(running.json).toMatchObject({
      user: 'alice',
      unit: 'CU',
      usage: [{ user: 'alice', group: 'cpsHPCAccess', profile: 'big', price_per_hour: 8, hours: 2, cost: 16 }],
      total: { hours: 2, cost: 16 },
    });
    now += HOUR;
    const stopped = await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'DELETE', token: alice });
    expect(stopped.status).toBe(204);
    now += 5 * HOUR;
    expect((await usage(alice, '?from=2026-11-01&to=2026-12-01')).json).toMatchObject({ total: { hours: 3, cost: 24 } });
  });

  it('counts a session once across a hub restart, and closes one whose server died while the hub was down', async () => {
    expect((await apiCall(`${t.apiUrl}/users/bob/server`, { method: 'POST', token: bob, body: { profile: 'cpu' } })).status).toBe(201);
    expect((await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: alice, body: { profile: 'cpu' } })).status).toBe(201);
    const sessionStart = now;
    now += 4 * HOUR;
    await t.stop({ keepData: true });
    await fake.crash('alice');
    now += 6 * HOUR;
    t = await start();
    alice = await tokenFor(t.hub, 'alice');
    bob = await tokenFor(t.hub, 'bob');
    now += 10 * HOUR;
    const window = `?from=${new Date(sessionStart).toISOString()}&to=2026-12-01T00:00:00Z`;
    // bob's server ran all along: 20 h at 0.1, not 20 h plus anything from before the restart.
    expect((await usage(bob, window)).json).toMatchObject({ usage: [{ profile: 'cpu', hours: 20, cost: 2 }], total: { cost: 2 } });
    // alice's died while the hub was down: closed when the restarted hub found it gone (10 h), counted once.
    expect((await usage(alice, window)).json).toMatchObject({ usage: [{ profile: 'cpu', group: null, hours: 10, cost: 1 }], total: { cost: 1 } });
    const sessions = await t.hub.context.store.usage.list({ from: new Date(sessionStart), to: new Date(now) });
    expect(sessions.map((s) => [s.userName, s.endReason])).toEqual([
      ['bob', null],
      ['alice', 'died'],
    ]);
    now += HOUR;
    expect((await apiCall(`${t.apiUrl}/users/bob/server`, { method: 'DELETE', token: bob })).status).toBe(204);
  });

  it('gives users their own usage, admins everyone, CSV on request; others get 404 and bad windows 400', async () => {
    const all = await usage(t.adminToken, '?from=2026-11-01&to=2026-12-01');
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ user: null, total: { cost: 24 + 1 + 2.1 } });
    const own = await usage(bob, '?from=2026-11-01&to=2026-12-01');
    expect(own.json).toMatchObject({ user: 'bob', usage: [{ user: 'bob' }], total: { hours: 21 } });
    const csv = await usage(alice, '?user=alice&from=2026-11-01&to=2026-12-01', { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')).toEqual([
      'user,group,profile,price_per_hour,hours,cost',
      'alice,,cpu,0.1,10,1',
      'alice,cpsHPCAccess,big,8,3,24',
      'total,,,,13,25',
      '',
    ]);
    const other = await usage(bob, '?user=alice');
    expect(other.status).toBe(404);
    expect(errorCode(other)).toBe('not_found');
    expect((await usage(t.adminToken, '?user=nobody')).status).toBe(404);
    const bad = await usage(alice, '?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'invalid_query', status: 400 });
    expect((await usage(alice, '?from=2026-12-01&to=2026-11-01')).status).toBe(400);
    expect((await apiCall(`${t.apiUrl}/clusterhub/usage`)).status).toBe(403);
  });
});
