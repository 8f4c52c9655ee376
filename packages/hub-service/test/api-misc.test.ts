/**
 * Cross-cutting hub behaviour (protocol.md §1.1, §1.3, §5, §11; T23): the version header on every
 * response, JSON 404s under /hub/api, info/health/metrics/proxy endpoints, the redirect of
 * non-/hub paths, the /hub/user/... fallback (424, 303 spawn-pending, 302 back), user-redirect,
 * and that no secret reaches the logs (structured JSON lines with a request id).
 */
import type { DestinationStream } from 'pino';
import { apiCall as call, errorCode as codeOf } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { FakeSpawner, type FakeBehaviour } from '../src/spawners/testing/fake-spawner';
import { createLogger } from '../src/observability/logger';

const BEHAVIOURS: Record<string, FakeBehaviour> = { penny: { kind: 'never' }, fred: { kind: 'fail' } };

describe('hub misc endpoints and pages', () => {
  const spawner = new FakeSpawner({ behaviour: (r) => BEHAVIOURS[r.user.name] ?? { kind: 'ok' } });
  let t: TestHub;
  let bobToken: string;
  const alice = new BrowserClient();
  const admin = new BrowserClient();

  beforeAll(async () => {
    t = await startTestHub({ config: { hub: { slowSpawnTimeoutSeconds: 1 } }, overrides: { spawner } });
    await t.addUser('alice', { password: 'alice-password-1' });
    bobToken = await t.addUser('bob', { password: 'bob-password-1' });
    await t.addUser('penny');
    await t.addUser('fred');
    expect((await alice.login(t.internalUrl, 'alice', 'alice-password-1')).status).toBe(200);
    expect((await admin.login(t.internalUrl, 'admin', 'admin-password-1')).status).toBe(200);
  });
  afterAll(async () => {
    for (const name of ['alice', 'penny']) await call(`${t.apiUrl}/users/${name}/server`, { method: 'DELETE', token: t.adminToken });
    await t.stop();
    await spawner.close();
  });

  it('sends X-JupyterHub-Version on every response: API, errors, pages, redirects, 404s, through the proxy', async () => {
    const urls: [string, Record<string, string>?][] = [
      [`${t.apiUrl}/`],
      [`${t.apiUrl}`],
      [`${t.apiUrl}/users`, { authorization: `token ${t.adminToken}` }],
      [`${t.apiUrl}/users`],
      [`${t.apiUrl}/no/such/endpoint`],
      [`${t.internalUrl}/hub/login`],
      [`${t.internalUrl}/hub/home`],
      [`${t.internalUrl}/hub/no-such-page`],
      [`${t.internalUrl}/hub/health`],
      [`${t.internalUrl}/hub/metrics`],
      [`${t.internalUrl}/hub/static/clusterhub.css`],
      [`${t.internalUrl}/hub/error/503`],
      [`${t.internalUrl}/user/alice/lab`],
      [`${t.internalUrl}/`],
      [`${t.publicUrl}/hub/api/`],
      [`${t.publicUrl}/hub/login`],
      [`${t.publicUrl}/somewhere/else`],
    ];
    const seen = new Set<number>();
    for (const [url, headers] of urls) {
      const res = await call(url, { headers });
      seen.add(res.status);
      expect({ url, version: res.headers.get('x-jupyterhub-version') }).toEqual({ url, version: '6.1.1' });
    }
    expect([...seen].sort()).toEqual(expect.arrayContaining([200, 302, 403, 404]));
    const bad = await call(`${t.apiUrl}/users`, { method: 'POST', token: t.adminToken, headers: { 'content-type': 'application/json' } });
    expect(bad.headers.get('x-jupyterhub-version')).toBe('6.1.1');
  });

  it('answers the API root without auth, with and without the trailing slash, with CORS *', async () => {
    for (const url of [`${t.apiUrl}`, `${t.apiUrl}/`]) {
      const res = await call(url);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ version: '6.1.1' });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('answers unknown /hub/api/* paths with a JSON 404', async () => {
    for (const [path, token] of [
      ['/nope', undefined],
      ['/nope', t.adminToken],
      ['/users/alice/nonsense', t.adminToken],
      ['/authorizations/token', t.adminToken],
    ] as const) {
      const res = await call(`${t.apiUrl}${path}`, { token, method: path === '/authorizations/token' ? 'POST' : 'GET' });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.json).toMatchObject({ code: 'not_found', status: 404 });
    }
  });

  it('requires read:hub for /info', async () => {
    const res = await call(`${t.apiUrl}/info`, { token: t.adminToken });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      version: '6.1.1',
      authenticator: { class: expect.any(String), version: expect.any(String) },
      spawner: { class: expect.any(String), version: expect.any(String) },
    });
    expect(res.json).toHaveProperty('python');
    expect(res.json).toHaveProperty('sys_executable');
    const user = await call(`${t.apiUrl}/info`, { token: bobToken });
    expect(user.status).toBe(403);
    expect(codeOf(user)).toBe('forbidden');
    expect(codeOf(await call(`${t.apiUrl}/info`))).toBe('not_authenticated');
  });

  it('answers health checks at /hub/health and /hub/api/health without auth', async () => {
    expect((await call(`${t.internalUrl}/hub/health`)).status).toBe(200);
    expect((await call(`${t.internalUrl}/hub/api/health`)).status).toBe(200);
    expect((await call(`${t.publicUrl}/hub/health`)).status).toBe(200);
  });

  it('serves Prometheus metrics with jupyterhub_ names to read:metrics only', async () => {
    expect((await call(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: t.adminToken })).status).toBe(201);
    expect((await call(`${t.internalUrl}/hub/metrics`)).status).toBe(403);
    expect((await call(`${t.internalUrl}/hub/metrics`, { token: bobToken })).status).toBe(403);
    for (const path of ['/hub/metrics', '/hub/api/metrics']) {
      const res = await call(`${t.internalUrl}${path}`, { token: t.adminToken });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      for (const name of ['jupyterhub_request_duration_seconds', 'jupyterhub_running_servers', 'jupyterhub_total_users', 'jupyterhub_server_spawn_duration_seconds']) {
        expect(res.text).toContain(`# TYPE ${name} `);
      }
      expect(res.text).toMatch(/^jupyterhub_total_users 5$/m);
      expect(res.text).toMatch(/^jupyterhub_running_servers 1$/m);
      // hub.processMetrics (default true): the hub process's own, as JupyterHub's process_* metrics.
      for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_open_fds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
        expect(res.text).toMatch(new RegExp(`^${name} \\d`, 'm'));
      }
    }
  });

  it('lists proxy routes with the proxy scope (hub route and the running server) and forces a sync on POST', async () => {
    const res = await call(`${t.apiUrl}/proxy`, { token: t.adminToken });
    expect(res.status).toBe(200);
    const routes = res.json as Record<string, { routespec: string; target: string; data: Record<string, unknown> }>;
    expect(routes['/']).toMatchObject({ routespec: '/', target: t.internalUrl, data: { hub: true, jupyterhub: true } });
    expect(routes['/user/alice/']).toMatchObject({ routespec: '/user/alice/', data: { user: 'alice', server_name: '', jupyterhub: true } });
    expect(routes['/user/alice/']?.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const paged = await call(`${t.apiUrl}/proxy?limit=1`, { token: t.adminToken, headers: { accept: 'application/jupyterhub-pagination+json' } });
    expect(paged.json).toMatchObject({ items: [{ routespec: '/' }], _pagination: { offset: 0, limit: 1, total: 2 } });
    expect((await call(`${t.apiUrl}/proxy`, { method: 'POST', token: t.adminToken })).status).toBe(200);
    const user = await call(`${t.apiUrl}/proxy`, { token: bobToken });
    expect(user.status).toBe(403);
    expect(codeOf(user)).toBe('forbidden');
  });

  it('redirects requests outside /hub/ to the same path under /hub/ (query kept)', async () => {
    const res = await call(`${t.internalUrl}/user/alice/lab?reset=1`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/hub/user/alice/lab?reset=1');
    expect((await call(`${t.internalUrl}/`)).headers.get('location')).toBe('/hub/');
  });

  describe('/hub/user/... fallback (§11)', () => {
    const visit = (browser: BrowserClient, path: string, headers: Record<string, string> = {}): Promise<TestResponse> =>
      browser.request(`${t.internalUrl}${path}`, { follow: false, headers });

    it('answers 424 for a stopped server: an HTML page for a browser GET, JSON for API-looking requests', async () => {
      const page = await visit(alice, '/hub/user/bob/lab');
      expect(page.status).toBe(403);
      expect((await call(`${t.apiUrl}/users/alice/server`, { method: 'DELETE', token: t.adminToken })).status).toBe(204);
      const html = await visit(alice, '/hub/user/alice/lab');
      expect(html.status).toBe(424);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html.text).toContain('/hub/spawn/alice?next=');
      const json = await visit(alice, '/hub/user/alice/lab', { accept: 'application/json' });
      expect(json.status).toBe(424);
      expect(json.headers.get('content-type')).toMatch(/^application\/json/);
      expect(json.json).toMatchObject({ code: 'server_not_running', status: 424 });
      const apiLike = await visit(alice, '/hub/user/alice/api/contents');
      expect(apiLike.status).toBe(424);
      expect(codeOf(apiLike)).toBe('server_not_running');
      const post = await alice.request(`${t.internalUrl}/hub/user/alice/lab`, { method: 'POST', follow: false });
      expect(post.status).toBe(424);
      expect(codeOf(post)).toBe('server_not_running');
    });

    it('sends a pending server (303) and a failed one (303) to spawn-pending, keeping the target as next', async () => {
      expect((await call(`${t.apiUrl}/users/penny/server`, { method: 'POST', token: t.adminToken })).status).toBe(202);
      const pending = await visit(admin, '/hub/user/penny/lab');
      expect(pending.status).toBe(303);
      expect(pending.headers.get('location')).toBe(`/hub/spawn-pending/penny?next=${encodeURIComponent('/user/penny/lab')}`);
      expect((await call(`${t.apiUrl}/users/fred/server`, { method: 'POST', token: t.adminToken })).status).toBe(500);
      const failed = await visit(admin, '/hub/user/fred/');
      expect(failed.status).toBe(303);
      expect(failed.headers.get('location')).toBe(`/hub/spawn-pending/fred?next=${encodeURIComponent('/user/fred/')}`);
    });

    it('sends a running server back to /user/... with a redirects counter', async () => {
      expect((await call(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: t.adminToken })).status).toBe(201);
      const res = await visit(alice, '/hub/user/alice/lab?x=1');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/user/alice/lab?x=1&redirects=1');
    });

    it('sends a visitor without a session to the login page', async () => {
      const res = await call(`${t.internalUrl}/hub/user/alice/lab`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/hub/login?next=${encodeURIComponent('/hub/user/alice/lab')}`);
    });

    it('redirects /hub/user-redirect/<path> through spawn to the signed-in user\'s server path', async () => {
      const res = await visit(alice, '/hub/user-redirect/lab/tree/notes.ipynb?kernel=1');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/hub/spawn/alice?next=${encodeURIComponent('/user/alice/lab/tree/notes.ipynb?kernel=1')}`);
    });
  });
});

describe('logs: JSON lines with a request id, no secrets', () => {
  const lines: string[] = [];
  const destination: DestinationStream = {
    write(msg: string): void {
      lines.push(msg);
    },
  };
  const spawner = new FakeSpawner();
  let t: TestHub;

  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner, logger: createLogger({ level: 'debug', destination }) } });
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('never writes tokens, passwords or session cookies, and logs each request with its reqId', async () => {
    const password = 'Carol-Secret-Passw0rd-4711';
    const carolToken = await t.addUser('carol', { password });
    const unknownToken = 'f00dfeedf00dfeedf00dfeedf00dfeed';
    const secrets = [t.adminToken, carolToken, password, unknownToken];

    const ids: string[] = [];
    const track = (res: { headers: Headers }): void => {
      const id = res.headers.get('x-request-id');
      if (id) ids.push(id);
    };
    track(await call(`${t.apiUrl}/users`, { token: t.adminToken }));
    track(await call(`${t.apiUrl}/user`, { token: carolToken }));
    track(await call(`${t.apiUrl}/user`, { token: unknownToken }));
    track(await call(`${t.apiUrl}/user?token=${unknownToken}`));
    const created = await call(`${t.apiUrl}/users/carol/tokens`, { method: 'POST', token: carolToken, body: { note: 'log test' } });
    track(created);
    const newToken = (created.json as { token: string }).token;
    secrets.push(newToken);
    track(await call(`${t.apiUrl}/user`, { headers: { authorization: `Bearer ${newToken}` } }));
    track(await call(`${t.apiUrl}/users/carol/server`, { method: 'POST', token: carolToken }));

    const browser = new BrowserClient();
    const bad = await browser.login(t.internalUrl, 'carol', 'wrong-password-0815');
    expect(bad.status).toBe(403);
    secrets.push('wrong-password-0815');
    const login = await browser.login(t.internalUrl, 'carol', password);
    expect(login.status).toBe(200);
    track(login);
    const cookie = await browser.cookie(`${t.internalUrl}/hub/`, 'jupyterhub-hub-login');
    expect(cookie).toBeDefined();
    secrets.push(cookie ?? '');
    const xsrf = (await browser.cookie(`${t.internalUrl}/hub/`, '_xsrf')) ?? '';
    track(await browser.request(`${t.apiUrl}/user`, { headers: { 'x-xsrftoken': xsrf } }));
    track(await call(`${t.apiUrl}/users/carol/server`, { method: 'DELETE', token: carolToken }));

    const text = lines.join('');
    expect(text.length).toBeGreaterThan(0);
    for (const secret of secrets) expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });

    const records = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const record of records) {
      expect(typeof record.level).toBe('number');
      expect(typeof record.time).toBe('string');
      expect(typeof record.msg).toBe('string');
    }
    const requests = records.filter((r) => r.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(ids.length);
    for (const record of requests) {
      expect(typeof record.reqId).toBe('string');
      expect(typeof record.status).toBe('number');
      expect(String(record.path)).not.toContain('?');
    }
    const logged = new Set(requests.map((r) => r.reqId));
    for (const id of ids) expect(logged.has(id)).toBe(true);
  });
});
