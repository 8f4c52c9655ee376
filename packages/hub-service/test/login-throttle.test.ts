import { request as httpRequest } from 'node:http';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * Failed-login throttling, user enumeration and XSRF on the real hub's login form
 * (protocol.md §11). The hub runs on a controllable clock, so the back-off is passed by advancing
 * it, never by sleeping.
 */
const LOGIN_COOKIE = 'jupyterhub-hub-login';
const SESSION_COOKIE = 'jupyterhub-session-id';
const FREE_FAILURES = 2;
const MAX_DELAY_SECONDS = 30;

/** Milliseconds added to the real time; only ever grows, so the hub's clock never goes backwards. */
let offsetMs = 0;
const clock = (): number => Date.now() + offsetMs;

/** Opens the login page (getting the `_xsrf` cookie) and POSTs the form without following the redirect. */
async function postLogin(client: BrowserClient, baseUrl: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TestResponse> {
  return client.request(`${baseUrl}/hub/login?next=${encodeURIComponent('/hub/home')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    follow: false,
  });
}

/** The login form POST as a browser sends it: page first, then the form with the `_xsrf` field. */
async function submit(client: BrowserClient, baseUrl: string, username: string, password: string): Promise<TestResponse> {
  const page = await client.request(`${baseUrl}/hub/login`);
  expect(page.status).toBe(200);
  const xsrf = (await client.cookie(`${baseUrl}/hub/`, '_xsrf')) ?? '';
  expect(xsrf).not.toBe('');
  return postLogin(client, baseUrl, { username, password, _xsrf: xsrf });
}

/** Names of the cookies a response sets. */
function setCookieNames(res: TestResponse): string[] {
  return res.headers.getSetCookie().map((c) => c.split('=')[0] ?? '');
}

/** The text of the login page's error alert, or null when there is none. */
function loginError(res: TestResponse): string | null {
  return /<div class="alert alert-error" role="alert" id="login-error">([^<]*)<\/div>/.exec(res.text)?.[1] ?? null;
}

/** A login attempt as a browser at `localAddress` makes it (raw node:http, so the source address is ours to pick). */
async function loginFrom(
  baseUrl: string,
  localAddress: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; retryAfter: string | undefined }> {
  const url = new URL(baseUrl);
  const send = (method: string, path: string, body?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          localAddress,
          method,
          path,
          headers: { 'user-agent': 'test-browser', ...headers, ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const page = await send('GET', '/hub/login');
  expect(page.status).toBe(200);
  const xsrf = /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const res = await send('POST', '/hub/login', new URLSearchParams({ username, password, _xsrf: xsrf }).toString());
  const retryAfter = res.headers['retry-after'];
  return { status: res.status, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined };
}

describe('login form: throttling, enumeration and XSRF', () => {
  let t: TestHub;
  const spawner = new FakeSpawner();
  beforeAll(async () => {
    t = await startTestHub({
      config: { auth: { loginThrottle: { freeFailures: FREE_FAILURES, maxDelaySeconds: MAX_DELAY_SECONDS } } },
      overrides: { spawner, clock },
    });
    await t.addUser('alice', { password: 'alice-password-1' });
    await t.addUser('bob', { password: 'bob-password-1' });
    await t.addUser('carol', { password: 'carol-password-1' });
    await t.addUser('dave', { password: 'dave-password-1' });
    await t.addUser('erin', { password: 'erin-password-1' });
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('answers 403 for the free failures, then 429 with Retry-After even for the right password, until the delay has passed', async () => {
    const client = new BrowserClient();
    for (let i = 0; i < FREE_FAILURES; i += 1) {
      const wrong = await submit(client, t.publicUrl, 'alice', `wrong-${i}`);
      expect(wrong.status).toBe(403);
      expect(wrong.headers.get('retry-after')).toBeNull();
      expect(loginError(wrong)).toBe('Invalid username or password.');
      expect(wrong.text).toContain('id="login-form"');
      expect(setCookieNames(wrong)).not.toContain(LOGIN_COOKIE);
    }

    const throttled = await submit(client, t.publicUrl, 'alice', 'alice-password-1');
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(MAX_DELAY_SECONDS);
    expect(loginError(throttled)).toContain('Too many failed attempts');
    expect(setCookieNames(throttled)).not.toContain(LOGIN_COOKIE);
    expect(setCookieNames(throttled)).not.toContain(SESSION_COOKIE);
    expect(await client.cookie(`${t.publicUrl}/hub/`, LOGIN_COOKIE)).toBeUndefined();
    // Still refused while the clock has not moved past the delay.
    expect((await submit(client, t.publicUrl, 'alice', 'alice-password-1')).status).toBe(429);

    offsetMs += retryAfter * 1000;
    const ok = await submit(client, t.publicUrl, 'alice', 'alice-password-1');
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/hub/home');
    expect(setCookieNames(ok)).toContain(LOGIN_COOKIE);
    expect(await client.cookie(`${t.publicUrl}/hub/`, LOGIN_COOKIE)).toBeDefined();
    const home = await client.request(`${t.publicUrl}/hub/home`, { follow: false });
    expect(home.status).toBe(200);
  });

  it('answers a wrong password for an unknown name exactly as for a known one, throttle included', async () => {
    const client = new BrowserClient();
    const known = await submit(client, t.publicUrl, 'bob', 'not-the-password');
    const unknown = await submit(client, t.publicUrl, 'nosuchuser', 'not-the-password');
    expect(unknown.status).toBe(403);
    expect(known.status).toBe(403);
    expect(loginError(unknown)).toBe(loginError(known));
    expect(loginError(unknown)).toBe('Invalid username or password.');
    // Same client, same _xsrf cookie: the pages differ only in the echoed user name.
    expect(unknown.text.replace('value="nosuchuser"', 'value="NAME"')).toBe(known.text.replace('value="bob"', 'value="NAME"'));

    // The name throttle counts unknown names too, so 429 does not tell them apart either.
    for (let i = 1; i < FREE_FAILURES; i += 1) {
      expect((await submit(client, t.publicUrl, 'bob', 'not-the-password')).status).toBe(403);
      expect((await submit(client, t.publicUrl, 'nosuchuser', 'not-the-password')).status).toBe(403);
    }
    const knownThrottled = await submit(client, t.publicUrl, 'bob', 'not-the-password');
    const unknownThrottled = await submit(client, t.publicUrl, 'nosuchuser', 'not-the-password');
    expect(knownThrottled.status).toBe(429);
    expect(unknownThrottled.status).toBe(429);
    expect(unknownThrottled.headers.get('retry-after')).toBe(knownThrottled.headers.get('retry-after'));
    offsetMs += MAX_DELAY_SECONDS * 1000;
  });

  it('requires the _xsrf field on the login POST, even with the right password', async () => {
    const client = new BrowserClient();
    const page = await client.request(`${t.publicUrl}/hub/login`);
    expect(page.status).toBe(200);
    const xsrf = (await client.cookie(`${t.publicUrl}/hub/`, '_xsrf')) ?? '';
    expect(xsrf).not.toBe('');

    const missing = await postLogin(client, t.publicUrl, { username: 'carol', password: 'carol-password-1' });
    expect(missing.status).toBe(403);
    expect(missing.headers.get('content-type')).toContain('text/html');
    expect(setCookieNames(missing)).not.toContain(LOGIN_COOKIE);
    expect(setCookieNames(missing)).not.toContain(SESSION_COOKIE);

    const missingJson = await postLogin(client, t.publicUrl, { username: 'carol', password: 'carol-password-1' }, { accept: 'application/json' });
    expect(missingJson.status).toBe(403);
    expect(missingJson.json).toMatchObject({ code: 'xsrf_missing', status: 403 });

    const mismatch = await postLogin(client, t.publicUrl, { username: 'carol', password: 'carol-password-1', _xsrf: `${xsrf}x` }, { accept: 'application/json' });
    expect(mismatch.status).toBe(403);
    expect(mismatch.json).toMatchObject({ code: 'xsrf_mismatch' });
    expect(setCookieNames(mismatch)).not.toContain(LOGIN_COOKIE);
    expect(await client.cookie(`${t.publicUrl}/hub/`, LOGIN_COOKIE)).toBeUndefined();

    // With the field, the same credentials log in.
    const ok = await postLogin(client, t.publicUrl, { username: 'carol', password: 'carol-password-1', _xsrf: xsrf });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/hub/home');
    expect(setCookieNames(ok)).toContain(LOGIN_COOKIE);
  });

  describe('keyed on the real client, through the built-in proxy', () => {
    afterEach(() => {
      offsetMs += MAX_DELAY_SECONDS * 1000 * 40;
    });

    it('never refuses a correct password because of another client\'s failures for the same name', async () => {
      for (let i = 0; i < FREE_FAILURES; i += 1) expect((await loginFrom(t.publicUrl, '127.0.0.2', 'dave', `guess-${i}`)).status).toBe(403);
      const attacker = await loginFrom(t.publicUrl, '127.0.0.2', 'dave', 'guess-x');
      expect(attacker.status).toBe(429);
      expect(Number(attacker.retryAfter)).toBeGreaterThanOrEqual(1);
      // The attacker's own correct guess still waits; dave at another address gets in at once.
      expect((await loginFrom(t.publicUrl, '127.0.0.2', 'dave', 'dave-password-1')).status).toBe(429);
      expect((await loginFrom(t.publicUrl, '127.0.0.3', 'dave', 'dave-password-1')).status).toBe(302);
    });

    it('lets no client lock out everyone: a client spraying names is throttled, others are not', async () => {
      let status = 0;
      for (let i = 0; i < 40 && status !== 429; i += 1) status = (await loginFrom(t.publicUrl, '127.0.0.4', `spray${i}`, 'wrong-password')).status;
      expect(status).toBe(429);
      expect((await loginFrom(t.publicUrl, '127.0.0.4', 'erin', 'erin-password-1')).status).toBe(429);
      expect((await loginFrom(t.publicUrl, '127.0.0.5', 'erin', 'erin-password-1')).status).toBe(302);
    });

    it('does not believe X-Forwarded-For sent by the client to the proxy', async () => {
      const spoof = (i: number): Record<string, string> => ({ 'x-forwarded-for': `198.51.100.${i}` });
      for (let i = 0; i < FREE_FAILURES; i += 1) expect((await loginFrom(t.publicUrl, '127.0.0.6', 'dave', `guess-${i}`, spoof(i))).status).toBe(403);
      expect((await loginFrom(t.publicUrl, '127.0.0.6', 'dave', 'guess-x', spoof(99))).status).toBe(429);
    });

    it('does not believe X-Forwarded-For sent straight to the hub from its own host (a user server)', async () => {
      const spoof = (i: number): Record<string, string> => ({ 'x-forwarded-for': `198.51.100.${i}`, 'x-forwarded-proto': 'https' });
      for (let i = 0; i < FREE_FAILURES; i += 1) expect((await loginFrom(t.internalUrl, '127.0.0.7', 'dave', `guess-${i}`, spoof(i))).status).toBe(403);
      expect((await loginFrom(t.internalUrl, '127.0.0.7', 'dave', 'guess-x', spoof(99))).status).toBe(429);
    });
  });
});

describe('login throttling behind a configured trusted proxy', () => {
  let t: TestHub;
  const spawner = new FakeSpawner();
  beforeAll(async () => {
    t = await startTestHub({
      config: { hub: { trustedProxies: ['127.0.0.9/32'] }, auth: { loginThrottle: { freeFailures: FREE_FAILURES, maxDelaySeconds: MAX_DELAY_SECONDS } } },
      overrides: { spawner, clock },
    });
    await t.addUser('frank', { password: 'frank-password-1' });
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('keys on the right-most untrusted X-Forwarded-For address', async () => {
    const via = (client: string): Record<string, string> => ({ 'x-forwarded-for': `203.0.113.77, ${client}` });
    for (let i = 0; i < FREE_FAILURES; i += 1) expect((await loginFrom(t.internalUrl, '127.0.0.9', 'frank', `guess-${i}`, via('192.0.2.10'))).status).toBe(403);
    expect((await loginFrom(t.internalUrl, '127.0.0.9', 'frank', 'frank-password-1', via('192.0.2.10'))).status).toBe(429);
    // Another client behind the same proxy is its own key (the left-most value is the client's own claim, ignored).
    expect((await loginFrom(t.internalUrl, '127.0.0.9', 'frank', 'frank-password-1', via('192.0.2.11'))).status).toBe(302);
  });
});
