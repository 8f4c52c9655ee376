/**
 * Browser-facing security of the hub's web routes (issue 5 items 2, 4, 5): bad input on
 * `/hub/user/…` and the fallback redirect answers 4xx and changes nothing; no `Location` ever
 * leaves the hub (raw dot segments, `//host`); a GET from another site never starts a server;
 * hub pages carry `frame-ancestors 'self'`; cookies are `Secure` when the client used HTTPS.
 * Raw paths go out through node:http, since fetch would normalise them.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { snapshotStore } from './harness/store-snapshot';
import { apiCall, errorCode } from './harness/api-call';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { safeNext } from '../src/http/browser-session';

interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** Sends a GET with the path exactly as given. */
function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<RawReply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: 'GET', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** True when a Location would take the browser to another host. */
function leavesHub(location: string | undefined): boolean {
  if (location === undefined) return false;
  return /^[a-z][a-z0-9+.-]*:/i.test(location) || location.startsWith('//') || location.startsWith('\\') || location.startsWith('/\\');
}

describe('web routes: bad input, redirects, spawn by GET, headers', () => {
  let t: TestHub;
  const spawner = new FakeSpawner();
  let aliceToken = '';
  const alice = new BrowserClient();
  let aliceCookies = '';

  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner } });
    aliceToken = await t.addUser('alice', { password: 'alice-password-1' });
    await t.addUser('mallory', { password: 'mallory-password-1' });
    expect((await alice.login(t.publicUrl, 'alice', 'alice-password-1')).status).toBe(200);
    aliceCookies = await alice.jar.getCookieString(`${t.internalUrl}/hub/`);
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  /** Stops alice's default server (if running) through the API. */
  async function stopAlice(): Promise<void> {
    const res = await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'DELETE', token: aliceToken });
    expect([202, 204, 400, 404]).toContain(res.status);
  }

  describe('bad input on /hub/user/… answers 4xx and changes nothing', () => {
    it.each([
      ['/hub/user/%25zz/x', 'a user name that decodes to a malformed escape'],
      ['/hub/user/alice/%25zz/x', 'a server segment that decodes to a malformed escape'],
      ['/hub/user/%zz/x', 'a malformed escape'],
    ])('%s (%s)', async (path) => {
      const before = await snapshotStore(t.hub.context.store);
      for (const accept of ['text/html', 'application/json']) {
        const res = await rawGet(t.internalUrl, path, { cookie: aliceCookies, accept });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        if (accept === 'application/json') expect((JSON.parse(res.text) as { status?: unknown }).status).toBe(res.status);
      }
      expect(await snapshotStore(t.hub.context.store)).toBe(before);
    });
  });

  describe('no redirect leaves the hub', () => {
    beforeAll(async () => {
      expect((await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: aliceToken })).status).toBe(201);
    });
    afterAll(stopAlice);

    it.each([
      '/hub/user/alice/../../..//evil.example/x',
      '/hub/user/alice/%2e%2e/%2e%2e/%2E%2E//evil.example/x',
      '/hub/user/alice/./../../..//evil.example/x?y=1',
    ])('refuses raw dot segments in %s (alice\'s server running), store unchanged', async (path) => {
      const before = await snapshotStore(t.hub.context.store);
      const res = await rawGet(t.internalUrl, path, { cookie: aliceCookies, accept: 'application/json' });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toMatchObject({ code: 'bad_request', status: 400 });
      expect(res.headers.location).toBeUndefined();
      expect(await snapshotStore(t.hub.context.store)).toBe(before);
    });

    it('still redirects a normal /hub/user/ path of a running server to the server', async () => {
      expect(leavesHub('//evil.example/x')).toBe(true);
      const res = await rawGet(t.internalUrl, '/hub/user/alice/lab?x=1', { cookie: aliceCookies });
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/user/alice/lab?x=1&redirects=1');
    });

    it.each(['/..//evil.example/x', '/%2e%2e//evil.example/x', '/x/../..//evil.example/x'])(
      'the fallback redirect refuses dot segments in %s',
      async (path) => {
        const res = await rawGet(t.internalUrl, path);
        expect(res.status).toBe(400);
        expect(res.headers.location).toBeUndefined();
      },
    );

    it.each([
      ['//evil.example/x', '/hub/evil.example/x'],
      ['///evil.example/x', '/hub/evil.example/x'],
      ['/user/alice/lab', '/hub/user/alice/lab'],
    ])('the fallback redirect keeps %s under /hub/', async (path, location) => {
      const res = await rawGet(t.internalUrl, path);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(location);
      expect(leavesHub(res.headers.location)).toBe(false);
    });

    it.each([
      '/hub/../..//evil.example/x',
      '/%2e%2e//evil.example/x',
      '//evil.example/x',
      '/\\evil.example/x',
      '/\t/evil.example/x',
      'https://evil.example/x',
      'javascript:alert(1)',
    ])('login?next=%j sends the signed-in user home, never away', async (next) => {
      const res = await alice.request(`${t.publicUrl}/hub/login?next=${encodeURIComponent(next)}`, { follow: false });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/hub/home');
      expect(leavesHub(res.headers.get('location') ?? undefined)).toBe(false);
    });
  });

  describe('safeNext', () => {
    it.each([
      ['/hub/home', '/hub/home'],
      ['/user/alice/lab/tree/a%20b.ipynb?kernel=1#x', '/user/alice/lab/tree/a%20b.ipynb?kernel=1#x'],
      ['/user/alice/lab/../tree', '/user/alice/tree'],
    ])('keeps the local path %j as %j', (next, expected) => {
      expect(safeNext(next)).toBe(expected);
    });

    it.each(['/a/../..//evil.example', '/%2e%2e//evil.example', '//evil.example', '/\\evil', '/\t/evil.example', '/\r\nx', 'evil', 'http://evil', '', 7, null])(
      'refuses %j',
      (next) => {
        expect(safeNext(next)).toBeNull();
      },
    );
  });

  describe('GET /hub/spawn never starts a server for another site', () => {
    const profile = (): string => t.hub.context.config.profiles[0]?.slug ?? '';
    afterEach(stopAlice);

    /** GET of the spawn URL from alice's browser with the given request headers. */
    const getSpawn = (headers: Record<string, string>): Promise<TestResponse> =>
      alice.request(`${t.publicUrl}/hub/spawn/alice?profile=${encodeURIComponent(profile())}&next=${encodeURIComponent('/user/alice/lab')}`, { headers, follow: false });

    it.each([
      ['a link on another site', { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'document', referer: 'https://evil.example/' }],
      ['a link on a same-site host', { 'sec-fetch-site': 'same-site', 'sec-fetch-dest': 'document' }],
      ["a link on mallory's server page", { 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'document', referer: 'PUBLIC/user/mallory/lab' }],
      ['a browser that sends no Sec-Fetch-Site', {}],
    ])('from %s: shows a confirmation form instead, changes nothing', async (_label, headers) => {
      const fixed = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace('PUBLIC', t.publicUrl)]));
      const requestsBefore = spawner.requests.length;
      const before = await snapshotStore(t.hub.context.store);
      const res = await getSpawn(fixed);
      expect(res.status).toBe(200);
      expect(res.text).toContain('id="spawn-confirm-form"');
      expect(res.text).toMatch(/<form method="post" action="\/hub\/spawn\/alice\?next=%2Fuser%2Falice%2Flab" id="spawn-confirm-form">/);
      expect(res.text).toContain(`name="profile" value="${profile()}"`);
      expect(spawner.requests.length).toBe(requestsBefore);
      expect(await snapshotStore(t.hub.context.store)).toBe(before);

      // Confirming (the form's POST with its _xsrf) starts the server.
      const xsrf = /name="_xsrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
      const confirmed = await alice.request(`${t.publicUrl}/hub/spawn/alice?next=${encodeURIComponent('/user/alice/lab')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _xsrf: xsrf, profile: profile() }).toString(),
        follow: false,
      });
      expect(confirmed.status).toBe(302);
      expect(confirmed.headers.get('location')).toMatch(/^\/hub\/spawn-pending\/alice\?next=/);
      expect(spawner.requests.length).toBe(requestsBefore + 1);
    });

    it.each([
      ['a typed URL or bookmark', { 'sec-fetch-site': 'none', 'sec-fetch-dest': 'document' }],
      ['a link on a hub page', { 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'document', referer: 'PUBLIC/hub/home' }],
      ["a link on alice's own server (Lab's restart)", { 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'document', referer: 'PUBLIC/user/alice/lab' }],
    ])('from %s: starts as JupyterHub does', async (_label, headers) => {
      const fixed = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace('PUBLIC', t.publicUrl)]));
      const requestsBefore = spawner.requests.length;
      const res = await getSpawn(fixed);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toMatch(/^\/hub\/spawn-pending\/alice\?next=/);
      expect(spawner.requests.length).toBe(requestsBefore + 1);
    });

    it('refuses the confirmation POST without a valid _xsrf', async () => {
      const before = await snapshotStore(t.hub.context.store);
      const res = await alice.request(`${t.publicUrl}/hub/spawn/alice`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ _xsrf: 'forged-0123456789', profile: profile() }).toString(),
        follow: false,
      });
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe('xsrf_mismatch');
      expect(await snapshotStore(t.hub.context.store)).toBe(before);
    });
  });

  describe('logout', () => {
    it('revokes the tokens of the signed-in session even when a page planted another jupyterhub-session-id cookie', async () => {
      const client = new BrowserClient();
      expect((await client.login(t.publicUrl, 'mallory', 'mallory-password-1')).status).toBe(200);
      const sessionId = (await client.cookie(`${t.publicUrl}/`, 'jupyterhub-session-id')) ?? '';
      expect(sessionId).not.toBe('');
      const store = t.hub.context.store;
      const user = await store.users.getByName('mallory');
      if (!user) throw new Error('no mallory');
      const created = await store.tokens.create({
        kind: 'oauth', userId: user.id, serviceName: null, prefix: 'sess', hash: 'session-token-hash-for-logout-test', scopes: [], note: 'oauth',
        expiresAt: null, sessionId, oauthClientId: 'jupyterhub-user-mallory', serverId: null,
      });
      await client.jar.setCookie('jupyterhub-session-id=planted-session; Path=/hub/', `${t.publicUrl}/hub/`);
      const res = await client.request(`${t.publicUrl}/hub/logout`, { follow: false });
      expect(res.status).toBe(200);
      expect((await store.tokens.listForUser(user.id)).map((tk) => tk.id)).not.toContain(created.id);
    });
  });

  describe('headers', () => {
    it.each(['/hub/login', '/hub/home', '/hub/token', '/hub/no-such-page'])('%s carries Content-Security-Policy: frame-ancestors \'self\'', async (path) => {
      const res = await alice.request(`${t.publicUrl}${path}`, { follow: false });
      expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'self'");
    });

    it('sets no Secure cookie over plain HTTP, even when the client claims X-Forwarded-Proto: https', async () => {
      const client = new BrowserClient();
      const page = await client.request(`${t.publicUrl}/hub/login`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(page.headers.getSetCookie().join('\n')).not.toMatch(/;\s*Secure/i);
    });
  });
});

describe('Secure cookies when served over HTTPS', () => {
  const spawner = new FakeSpawner();
  afterAll(async () => {
    await spawner.close();
  });

  /** The Set-Cookie lines of the login page and of a successful login POST. */
  async function loginCookies(base: string, headers: Record<string, string>): Promise<string[]> {
    const client = new BrowserClient();
    const page = await client.request(`${base}/hub/login`, { headers });
    const xsrf = /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const res = await client.request(`${base}/hub/login`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: 'alice-password-1', _xsrf: xsrf }).toString(),
      follow: false,
    });
    expect(res.status).toBe(302);
    return [...page.headers.getSetCookie(), ...res.headers.getSetCookie()];
  }

  it('hub.cookieSecure: true marks every hub cookie Secure', async () => {
    const t = await startTestHub({ config: { hub: { cookieSecure: 'true' } }, overrides: { spawner } });
    try {
      await t.addUser('alice', { password: 'alice-password-1' });
      const cookies = await loginCookies(t.publicUrl, {});
      expect(cookies.map((c) => c.split('=')[0])).toEqual(expect.arrayContaining(['_xsrf', 'jupyterhub-hub-login', 'jupyterhub-session-id']));
      for (const cookie of cookies) expect(cookie).toMatch(/;\s*Secure/i);
    } finally {
      await t.stop();
    }
  });

  it('auto: Secure when a trusted proxy says X-Forwarded-Proto: https, not when the client says so through the built-in proxy', async () => {
    const t = await startTestHub({ config: { hub: { trustedProxies: ['127.0.0.1/32'] } }, overrides: { spawner } });
    try {
      await t.addUser('alice', { password: 'alice-password-1' });
      const viaTrusted = await loginCookies(t.internalUrl, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' });
      for (const cookie of viaTrusted) expect(cookie).toMatch(/;\s*Secure/i);
      const spoofed = await loginCookies(t.publicUrl, { 'x-forwarded-proto': 'https' });
      for (const cookie of spoofed) expect(cookie).not.toMatch(/;\s*Secure/i);
    } finally {
      await t.stop();
    }
  });
});
