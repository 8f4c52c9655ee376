/**
 * REST conformance of server start/stop/read and the spawn-progress stream (protocol.md §1.5, §5,
 * §5.2, §6; T23, T24) against a scripted FakeSpawner: 201 vs 202 on start and 204 vs 202 on stop,
 * the named-server rules, removal, limits answered 429 + Retry-After, profiles and user_options,
 * and the event stream (first event, keep-alives, ready/failed final events).
 */
import { request as httpRequest } from 'node:http';
import type { ServerModel, UserModel } from '@clusterhub/shared';
import { apiCall as call } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { readProgress } from './harness/progress';
import { FakeSpawner, type FakeBehaviour } from '../src/spawners/testing/fake-spawner';
import type { SpawnHandle } from '../src/spawners/spawner';

/** A request whose path is sent verbatim (fetch would normalize `..` and `%2e%2e`). */
function rawCall(base: string, method: string, path: string, token: string): Promise<{ status: number; json: unknown }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { authorization: `token ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function codeOf(reply: { json: unknown }): unknown {
  return (reply.json as { code?: unknown } | undefined)?.code;
}

/** Polls until `check` is true or the deadline passes. */
async function eventually(check: () => Promise<boolean>, deadlineMs = 15_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met before the deadline');
}

/** A FakeSpawner whose stop takes a while for one user (to see 202 on DELETE). */
class SlowStopSpawner extends FakeSpawner {
  override async stop(handle: SpawnHandle, opts: { timeoutSeconds: number }): Promise<void> {
    const id = handle['fakeServerId'];
    const server = typeof id === 'string' ? this.registry.get(id) : undefined;
    if (server?.request.user.name === 'stella') await new Promise((resolve) => setTimeout(resolve, 4000));
    return super.stop(handle, opts);
  }
}

const BEHAVIOURS: Record<string, FakeBehaviour> = {
  sam: { kind: 'slow', delayMs: 4000 },
  fred: { kind: 'fail', message: 'no nodes left' },
  nora: { kind: 'never' },
};

describe('REST servers (start, stop, named, progress)', () => {
  const spawner = new SlowStopSpawner({ behaviour: (r) => BEHAVIOURS[r.user.name] ?? { kind: 'ok' } });
  let t: TestHub;
  let bobToken: string;
  const api = (path: string): string => `${t.apiUrl}${path}`;
  const user = async (name: string, query = ''): Promise<UserModel> => (await call(api(`/users/${name}${query}`), { token: t.adminToken })).json as UserModel;

  beforeAll(async () => {
    t = await startTestHub({
      config: { hub: { slowSpawnTimeoutSeconds: 1, slowStopTimeoutSeconds: 1, namedServerLimitPerUser: 2 } },
      overrides: { spawner },
    });
    for (const name of ['alice', 'sam', 'fred', 'nora', 'nina', 'ivan', 'olga', 'uma', 'stella', 'carol']) await t.addUser(name);
    bobToken = await t.addUser('bob');
  });
  afterAll(async () => {
    for (const name of ['alice', 'sam', 'nora', 'olga', 'stella', 'bob']) await call(api(`/users/${name}/server`), { method: 'DELETE', token: t.adminToken });
    await call(api('/users/nina/servers/nb2'), { method: 'DELETE', token: t.adminToken });
    await t.stop();
    await spawner.close();
  });

  describe('default server', () => {
    it('answers 201 (text/plain, empty) for a fast start and 400 server_running for a second one', async () => {
      const first = await call(api('/users/alice/server'), { method: 'POST', token: t.adminToken });
      expect(first.status).toBe(201);
      expect(first.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(first.text).toBe('');
      const model = await user('alice');
      expect(model.servers?.['']).toMatchObject({ ready: true, pending: null, url: '/user/alice/', profile: 'cpu-default' });
      const second = await call(api('/users/alice/server'), { method: 'POST', token: t.adminToken });
      expect(second.status).toBe(400);
      expect(codeOf(second)).toBe('server_running');
    });

    it('answers 202 for a start slower than slow_spawn_timeout, 202 again while pending, and streams progress to ready', async () => {
      const first = await call(api('/users/sam/server'), { method: 'POST', token: t.adminToken });
      expect(first.status).toBe(202);
      expect((await user('sam')).servers?.['']).toMatchObject({ ready: false, pending: 'spawn' });
      const again = await call(api('/users/sam/server'), { method: 'POST', token: t.adminToken });
      expect(again.status).toBe(202);
      const stream = await readProgress(api('/users/sam/server/progress'), t.adminToken, (s) => s.events.some((e) => e.ready === true || e.failed === true));
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      expect(stream.cacheControl).toBe('no-cache');
      expect(stream.events[0]).toMatchObject({ progress: 0 });
      const last = stream.events.at(-1);
      expect(last).toMatchObject({ progress: 100, ready: true, url: '/user/sam/' });
      expect(stream.events.filter((e) => e.ready === true)).toHaveLength(1);
      expect(stream.events.every((e) => e.failed !== true)).toBe(true);
      expect((await user('sam')).servers?.['']).toMatchObject({ ready: true, pending: null });
    });

    it('answers a ready server progress request with one ready event', async () => {
      const stream = await readProgress(api('/users/alice/server/progress'), t.adminToken, () => false, 10_000);
      expect(stream.ended).toBe(true);
      expect(stream.events).toEqual([expect.objectContaining({ ready: true, url: '/user/alice/' })]);
    });

    it('reports a failed start with 500 spawn_failed and a failed:true final event', async () => {
      const res = await call(api('/users/fred/server'), { method: 'POST', token: t.adminToken });
      expect(res.status).toBe(500);
      expect(codeOf(res)).toBe('spawn_failed');
      const stream = await readProgress(api('/users/fred/server/progress'), t.adminToken, () => false, 10_000);
      expect(stream.status).toBe(200);
      expect(stream.events[0]).toMatchObject({ progress: 0 });
      expect(stream.events.at(-1)).toMatchObject({ failed: true });
      expect(stream.events.at(-1)?.message).toMatch(/^Spawn failed: .*no nodes left/);
      expect(stream.events.some((e) => e.ready === true)).toBe(false);
    });

    it('sends blank keep-alive lines while a start is pending', async () => {
      expect((await call(api('/users/nora/server'), { method: 'POST', token: t.adminToken })).status).toBe(202);
      const stream = await readProgress(api('/users/nora/server/progress'), t.adminToken, (s) => s.keepalives > 0, 30_000);
      expect(stream.keepalives).toBeGreaterThan(0);
      expect(stream.events[0]).toMatchObject({ progress: 0 });
      expect(stream.events.some((e) => e.ready === true || e.failed === true)).toBe(false);
      expect((await call(api('/users/nora/server'), { method: 'DELETE', token: t.adminToken })).status).toBe(204);
    });

    it('answers 400 server_not_starting for the progress of a stopped server and 404 for a server that never existed', async () => {
      expect((await call(api('/users/carol/server'), { method: 'POST', token: t.adminToken })).status).toBe(201);
      expect((await call(api('/users/carol/server'), { method: 'DELETE', token: t.adminToken })).status).toBe(204);
      const res = await call(api('/users/carol/server/progress'), { token: t.adminToken });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('server_not_starting');
      const none = await call(api('/users/uma/server/progress'), { token: t.adminToken });
      expect(none.status).toBe(404);
    });

    it('answers 202 for a stop slower than slow_stop_timeout, refuses a start while stopping, then stops', async () => {
      expect((await call(api('/users/stella/server'), { method: 'POST', token: t.adminToken })).status).toBe(201);
      const res = await call(api('/users/stella/server'), { method: 'DELETE', token: t.adminToken });
      expect(res.status).toBe(202);
      expect((await user('stella')).servers?.['']).toMatchObject({ pending: 'stop', ready: false });
      const start = await call(api('/users/stella/server'), { method: 'POST', token: t.adminToken });
      expect(start.status).toBe(400);
      expect(codeOf(start)).toBe('server_pending_stop');
      await eventually(async () => (await user('stella', '?include_stopped_servers=1')).servers?.['']?.stopped === true);
      expect((await user('stella')).servers).toEqual({});
    });

    it('answers 204 for a fast stop and refuses {"remove": true} on the default server', async () => {
      const remove = await call(api('/users/alice/server'), { method: 'DELETE', token: t.adminToken, body: { remove: true } });
      expect(remove.status).toBe(400);
      expect(codeOf(remove)).toBe('bad_request');
      expect((await user('alice')).servers?.['']?.ready).toBe(true);
      expect((await call(api('/users/alice/server'), { method: 'DELETE', token: t.adminToken })).status).toBe(204);
      expect((await user('alice')).servers).toEqual({});
    });
  });

  describe('options and profiles', () => {
    it('accepts the 5.x form (whole body = user_options) and reuses the last options for an empty body', async () => {
      const res = await call(api('/users/olga/server'), { method: 'POST', token: t.adminToken, body: { profile: 'mig-1g.5gb', color: 'blue' } });
      expect(res.status).toBe(201);
      const server = (await user('olga')).servers?.[''];
      expect(server).toMatchObject({ profile: 'mig-1g.5gb', user_options: { profile: 'mig-1g.5gb', color: 'blue' } });
      expect(spawner.requests.filter((r) => r.user.name === 'olga').at(-1)?.userOptions).toMatchObject({ color: 'blue' });
      expect((await call(api('/users/olga/server'), { method: 'DELETE', token: t.adminToken })).status).toBe(204);
      expect((await call(api('/users/olga/server'), { method: 'POST', token: t.adminToken })).status).toBe(201);
      expect((await user('olga')).servers?.['']).toMatchObject({ profile: 'mig-1g.5gb', user_options: { color: 'blue' } });
    });

    it('answers 400 unknown_profile for an unknown profile and starts nothing', async () => {
      const before = spawner.requests.length;
      const res = await call(api('/users/uma/server'), { method: 'POST', token: t.adminToken, body: { user_options: { profile: 'no-such-profile' } } });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('unknown_profile');
      expect(spawner.requests.length).toBe(before);
      expect((await user('uma', '?include_stopped_servers=1')).servers).toEqual({});
    });

    it('hides other users\' servers (404) and lets a user start its own', async () => {
      const other = await call(api('/users/alice/server'), { method: 'POST', token: bobToken });
      expect(other.status).toBe(404);
      const own = await call(api('/users/bob/server'), { method: 'POST', token: bobToken });
      expect(own.status).toBe(201);
    });
  });

  describe('named servers (§1.5)', () => {
    it('starts, reads, limits, stops and removes named servers', async () => {
      const nb1 = await call(api('/users/nina/servers/nb1'), { method: 'POST', token: t.adminToken });
      expect(nb1.status).toBe(201);
      const model = await call(api('/users/nina/servers/nb1'), { token: t.adminToken });
      expect(model.status).toBe(200);
      expect(model.json).toMatchObject({
        name: 'nb1',
        full_name: 'nina/nb1',
        ready: true,
        url: '/user/nina/nb1/',
        progress_url: '/hub/api/users/nina/servers/nb1/progress',
      });
      const nb2 = await call(api('/users/nina/servers/nb2'), {
        method: 'POST',
        token: t.adminToken,
        body: { display_name: 'GPU box', user_options: { profile: 'gpu-1x' } },
      });
      expect(nb2.status).toBe(201);
      expect((await call(api('/users/nina/servers/nb2'), { token: t.adminToken })).json).toMatchObject({ display_name: 'GPU box', profile: 'gpu-1x' });
      const third = await call(api('/users/nina/servers/nb3'), { method: 'POST', token: t.adminToken });
      expect(third.status).toBe(400);
      expect(codeOf(third)).toBe('named_server_limit');

      expect((await call(api('/users/nina/servers/nb1'), { method: 'DELETE', token: t.adminToken })).status).toBe(204);
      expect(Object.keys((await user('nina')).servers ?? {})).toEqual(['nb2']);
      const stopped = (await user('nina', '?include_stopped_servers=1')).servers as Record<string, ServerModel>;
      expect(stopped.nb1).toMatchObject({ stopped: true, ready: false });
      expect((await call(api('/users/nina/servers/nb1'), { token: t.adminToken })).json).toMatchObject({ name: 'nb1', stopped: true });

      const removed = await call(api('/users/nina/servers/nb1'), { method: 'DELETE', token: t.adminToken, body: { remove: true } });
      expect(removed.status).toBe(204);
      expect(Object.keys((await user('nina', '?include_stopped_servers=1')).servers ?? {})).toEqual(['nb2']);
      expect((await call(api('/users/nina/servers/nb1'), { token: t.adminToken })).status).toBe(404);
      const gone = await call(api('/users/nina/servers/nb1'), { method: 'DELETE', token: t.adminToken });
      expect(gone.status).toBe(404);
      expect(codeOf(gone)).toBe('not_found');
      // the freed slot can be used again
      expect((await call(api('/users/nina/servers/nb3'), { method: 'POST', token: t.adminToken })).status).toBe(201);
      expect((await call(api('/users/nina/servers/nb3'), { method: 'DELETE', token: t.adminToken, body: { remove: true } })).status).toBe(204);
    });

    it.each([
      ['..', '/hub/api/users/ivan/servers/..'],
      ['%2e%2e', '/hub/api/users/ivan/servers/%2e%2e'],
      ['a/b (encoded)', '/hub/api/users/ivan/servers/a%2Fb'],
      ['uppercase', '/hub/api/users/ivan/servers/Notebook'],
      ['31 chars', `/hub/api/users/ivan/servers/${'a'.repeat(31)}`],
      ['leading digit', '/hub/api/users/ivan/servers/1nb'],
      ['double hyphen', '/hub/api/users/ivan/servers/a--b'],
      ['trailing hyphen', '/hub/api/users/ivan/servers/ab-'],
      ['space', '/hub/api/users/ivan/servers/a%20b'],
    ])('refuses the server name %s with 400 invalid_server_name', async (_label, path) => {
      const res = await rawCall(t.internalUrl, 'POST', path, t.adminToken);
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('invalid_server_name');
      expect((await user('ivan', '?include_stopped_servers=1')).servers).toEqual({});
    });

    it('accepts a 30-character name', async () => {
      const name = `a${'b'.repeat(28)}c`;
      expect((await call(api(`/users/ivan/servers/${name}`), { method: 'POST', token: t.adminToken })).status).toBe(201);
      expect((await call(api(`/users/ivan/servers/${name}`), { method: 'DELETE', token: t.adminToken, body: { remove: true } })).status).toBe(204);
    });
  });
});

describe('REST servers: limits and disabled named servers', () => {
  const spawner = new FakeSpawner({ behaviour: (r) => (r.user.name === 'p1' ? { kind: 'never' } : { kind: 'ok' }) });
  let t: TestHub;
  const api = (path: string): string => `${t.apiUrl}${path}`;

  beforeAll(async () => {
    t = await startTestHub({
      config: { hub: { slowSpawnTimeoutSeconds: 1, concurrentSpawnLimit: 1, activeServerLimit: 2, allowNamedServers: false } },
      overrides: { spawner },
    });
    for (const name of ['p1', 'p2', 'a1', 'a2', 'a3']) await t.addUser(name);
  });
  afterAll(async () => {
    for (const name of ['p1', 'a1', 'a2']) await call(api(`/users/${name}/server`), { method: 'DELETE', token: t.adminToken });
    await t.stop();
    await spawner.close();
  });

  it('answers 429 too_many_spawns with Retry-After at the concurrent spawn limit', async () => {
    expect((await call(api('/users/p1/server'), { method: 'POST', token: t.adminToken })).status).toBe(202);
    const res = await call(api('/users/p2/server'), { method: 'POST', token: t.adminToken });
    expect(res.status).toBe(429);
    expect(codeOf(res)).toBe('too_many_spawns');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(spawner.requests.map((r) => r.user.name)).toEqual(['p1']);
    expect((await call(api('/users/p1/server'), { method: 'DELETE', token: t.adminToken })).status).toBe(204);
  });

  it('answers 429 active_server_limit with Retry-After at the active server limit', async () => {
    expect((await call(api('/users/a1/server'), { method: 'POST', token: t.adminToken })).status).toBe(201);
    expect((await call(api('/users/a2/server'), { method: 'POST', token: t.adminToken })).status).toBe(201);
    const res = await call(api('/users/a3/server'), { method: 'POST', token: t.adminToken });
    expect(res.status).toBe(429);
    expect(codeOf(res)).toBe('active_server_limit');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 400 named_servers_disabled when named servers are off', async () => {
    for (const method of ['POST', 'DELETE']) {
      const res = await call(api('/users/a1/servers/nb'), { method, token: t.adminToken });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('named_servers_disabled');
    }
  });
});
