/**
 * The culling and keep-alive endpoints' conventions (issue 9, item 5) in a real hub with a
 * FakeSpawner and a controlled clock: the owner and admins read it, another user gets 404, a token
 * without the scope 403, a server that is not running 424 on the keep-alive, named servers by
 * their path, and a hub without the culler `culler_off`. (Real servers and the webhook:
 * culler-warnings.test.ts.)
 */
import type { CullingModel } from '@clusterhub/shared';
import { cullingPath, keepAlivePath } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { apiCall, errorCode } from './harness/api-call';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
const MINUTE = 60_000;

describe('culling API', () => {
  let t: TestHub;
  let spawner: FakeSpawner;
  let now = T0;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    spawner = new FakeSpawner();
    t = await startTestHub({
      config: { culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 3600, warningSeconds: 600 }, hub: { allowNamedServers: true } },
      overrides: { spawner, clock: () => now },
    });
    for (const user of ['cora', 'dan']) tokens.set(user, await t.addUser(user));
    for (const path of ['/users/cora/servers/lab', '/users/dan/server']) {
      const reply = await apiCall(`${t.apiUrl}${path}`, { method: 'POST', token: t.adminToken, body: {} });
      expect([201, 202]).toContain(reply.status);
    }
  });

  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  const get = (path: string, token: string): ReturnType<typeof apiCall> => apiCall(`${t.apiUrl}${path}`, { token });
  const post = (path: string, token: string): ReturnType<typeof apiCall> => apiCall(`${t.apiUrl}${path}`, { method: 'POST', token });

  it("serves a named server's warning to its owner and admins; another user gets 404, a bare token 403", async () => {
    now = T0 + 50 * MINUTE;
    expect((await t.hub.culler?.cullOnce())?.map((a) => [a.user, a.server, a.kind])).toEqual([
      ['cora', 'lab', 'warn'],
      ['dan', '', 'warn'],
    ]);
    const mine = await get(cullingPath('cora', 'lab'), tokens.get('cora') ?? '');
    expect(mine.status).toBe(200);
    const model = mine.json as CullingModel;
    expect(model).toMatchObject({ user: 'cora', server: 'lab', warning: { reason: 'idle', action: 'stop', action_at: new Date(T0 + 60 * MINUTE).toISOString(), keep_alive: true }, last_action: null });
    expect((await get(cullingPath('cora', 'lab'), t.adminToken)).json).toEqual(model);

    const dans = await get(cullingPath('cora', 'lab'), tokens.get('dan') ?? '');
    expect([dans.status, errorCode(dans)]).toEqual([404, 'not_found']);
    const made = await apiCall(`${t.apiUrl}/users/cora/tokens`, { method: 'POST', token: tokens.get('cora') ?? '', body: { scopes: ['read:users!user'] } });
    const bare = String((made.json as { token?: string }).token);
    for (const reply of [await get(cullingPath('cora', 'lab'), bare), await post(keepAlivePath('cora', 'lab'), bare)]) {
      expect([reply.status, errorCode(reply)]).toEqual([403, 'forbidden']);
    }
    const missing = await get(cullingPath('cora', 'nope'), tokens.get('cora') ?? '');
    expect([missing.status, errorCode(missing)]).toEqual([404, 'not_found']);
  });

  it('keeps a named server alive; a server that is not running answers 424', async () => {
    const kept = await post(keepAlivePath('cora', 'lab'), tokens.get('cora') ?? '');
    expect(kept.status).toBe(200);
    expect(kept.json).toEqual({ user: 'cora', server: 'lab', warning: null, last_action: null });
    // dan's warning stands: his server is stopped at its time, and the record says why.
    now = T0 + 60 * MINUTE;
    expect((await t.hub.culler?.cullOnce())?.map((a) => [a.user, a.server, a.kind])).toEqual([['dan', '', 'stop']]);
    const dans = (await get(cullingPath('dan'), tokens.get('dan') ?? '')).json as CullingModel;
    expect(dans).toEqual({
      user: 'dan',
      server: '',
      warning: null,
      last_action: { reason: 'idle', at: new Date(T0 + 60 * MINUTE).toISOString(), message: 'This server was stopped at 13:00 UTC after 60 minutes without activity.' },
    });
    const late = await post(keepAlivePath('dan'), tokens.get('dan') ?? '');
    expect([late.status, errorCode(late)]).toEqual([424, 'server_not_running']);
  });

  it('answers culler_off on a hub without the culler, after the scope check', async () => {
    const offSpawner = new FakeSpawner();
    const off = await startTestHub({ overrides: { spawner: offSpawner } });
    try {
      const token = await off.addUser('eve');
      await off.addUser('finn');
      for (const reply of [await apiCall(`${off.apiUrl}${cullingPath('eve')}`, { token }), await apiCall(`${off.apiUrl}${keepAlivePath('eve')}`, { method: 'POST', token })]) {
        expect([reply.status, errorCode(reply)]).toEqual([404, 'culler_off']);
      }
      const others = await apiCall(`${off.apiUrl}${cullingPath('finn')}`, { token });
      expect([others.status, errorCode(others)]).toEqual([404, 'not_found']);
    } finally {
      await off.stop();
      await offSpawner.close();
    }
  });
});
