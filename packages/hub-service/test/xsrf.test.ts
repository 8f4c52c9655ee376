/**
 * XSRF as JupyterHub >= 4.1 does it (issue 5 item 2), attacked the way a page under
 * `/user/<mallory>/` would: that page is same-origin with the hub, so it can plant `_xsrf` cookies
 * for `/hub/` paths and fetch hub pages with the victim's cookies. Tokens are signed by the hub and
 * bound to the browser session, so planted values do not verify, and token pages refuse script
 * fetches. Runs through the built-in proxy on a controllable clock (no sleeping).
 */
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { snapshotStore } from './harness/store-snapshot';
import { errorCode } from './harness/api-call';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/** Headers Chromium sends with `fetch()` from a same-origin page. */
const SCRIPT_FETCH = { 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty', 'sec-fetch-site': 'same-origin' };
/** Headers Chromium sends when the user clicks a link to a page. */
const NAVIGATION = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-fetch-site': 'same-origin' };

let offsetMs = 0;
const clock = (): number => Date.now() + offsetMs;

/** The `_xsrf` cookie visible to hub pages. */
async function xsrfOf(client: BrowserClient, t: TestHub): Promise<string> {
  return (await client.cookie(`${t.publicUrl}/hub/`, '_xsrf')) ?? '';
}

/** Names of the cookies a response sets. */
function setCookieNames(res: TestResponse): string[] {
  return res.headers.getSetCookie().map((c) => c.split('=')[0] ?? '');
}

describe('XSRF: signed tokens bound to the browser session', () => {
  let t: TestHub;
  const spawner = new FakeSpawner();

  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner, clock } });
    await t.addUser('alice', { password: 'alice-password-1' });
    await t.addUser('mallory', { password: 'mallory-password-1' });
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  /** A signed-in browser of `name`. */
  async function signedIn(name: string): Promise<BrowserClient> {
    const client = new BrowserClient();
    expect((await client.login(t.publicUrl, name, `${name}-password-1`)).status).toBe(200);
    return client;
  }

  /** Alice's browser asks the API to create a token with cookie auth and the given XSRF header. */
  async function createTokenViaCookie(client: BrowserClient, xsrf: string): Promise<TestResponse> {
    return client.request(`${t.publicUrl}/hub/api/users/alice/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xsrftoken': xsrf },
      body: JSON.stringify({ note: 'xsrf test' }),
    });
  }

  it('accepts the token the hub set for this session, in the header or the _xsrf query', async () => {
    const alice = await signedIn('alice');
    const xsrf = await xsrfOf(alice, t);
    expect(xsrf).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect((await createTokenViaCookie(alice, xsrf)).status).toBe(201);
    const query = await alice.request(`${t.publicUrl}/hub/api/user?_xsrf=${encodeURIComponent(xsrf)}`);
    expect(query.status).toBe(200);
  });

  it('refuses a value planted in the _xsrf cookie by a page under /user/<someone>/ (double submit no longer enough)', async () => {
    const alice = await signedIn('alice');
    const before = await snapshotStore(t.hub.context.store);
    // What document.cookie = '_xsrf=…; path=/hub/api/' on mallory's server page does to alice's browser.
    const planted = 'planted-by-mallory-0123456789';
    await alice.jar.setCookie(`_xsrf=${planted}; Path=/hub/api/`, `${t.publicUrl}/hub/api/`);
    const res = await createTokenViaCookie(alice, planted);
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('xsrf_mismatch');
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('refuses a genuine token of another session (mallory plants her own valid token into alice\'s browser)', async () => {
    const mallory = await signedIn('mallory');
    const malloryToken = await xsrfOf(mallory, t);
    expect((await mallory.request(`${t.publicUrl}/hub/api/user`, { headers: { 'x-xsrftoken': malloryToken } })).status).toBe(200);

    const alice = await signedIn('alice');
    await alice.jar.setCookie(`_xsrf=${malloryToken}; Path=/hub/api/`, `${t.publicUrl}/hub/api/`);
    const before = await snapshotStore(t.hub.context.store);
    const res = await createTokenViaCookie(alice, malloryToken);
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('xsrf_mismatch');
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('refuses a token of an earlier session of the same user after logging in again', async () => {
    const alice = await signedIn('alice');
    const old = await xsrfOf(alice, t);
    const again = await signedIn('alice');
    const res = await createTokenViaCookie(again, old);
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('xsrf_mismatch');
  });

  it('refuses a forged form POST (stop server) with a planted cookie and field', async () => {
    const alice = await signedIn('alice');
    expect((await alice.request(`${t.publicUrl}/hub/api/users/alice/server`, { method: 'POST', headers: { 'x-xsrftoken': await xsrfOf(alice, t) } })).status).toBe(201);
    const before = await snapshotStore(t.hub.context.store);
    const planted = 'planted-by-mallory-0123456789';
    await alice.jar.setCookie(`_xsrf=${planted}; Path=/hub/stop/`, `${t.publicUrl}/hub/stop/`);
    const res = await alice.request(`${t.publicUrl}/hub/stop/alice`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ _xsrf: planted }).toString(),
      follow: false,
    });
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('xsrf_mismatch');
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
    expect(spawner.running()).toHaveLength(1);
    // The real token still works.
    const stop = await alice.request(`${t.publicUrl}/hub/api/users/alice/server`, { method: 'DELETE', headers: { 'x-xsrftoken': await xsrfOf(alice, t) } });
    expect([202, 204]).toContain(stop.status);
  });

  it.each(['home', 'token', 'login'])('refuses a script fetch of /hub/%s (it hands out the token); a navigation gets it', async (page) => {
    const client = page === 'login' ? new BrowserClient() : await signedIn('alice');
    const scripted = await client.request(`${t.publicUrl}/hub/${page}`, { headers: SCRIPT_FETCH, follow: false });
    expect(scripted.status).toBe(403);
    expect(scripted.text).not.toContain('name="_xsrf"');
    expect(setCookieNames(scripted)).not.toContain('_xsrf');
    const json = await client.request(`${t.publicUrl}/hub/${page}`, { headers: { ...SCRIPT_FETCH, accept: 'application/json' }, follow: false });
    expect(errorCode(json)).toBe('page_fetch_refused');

    const navigated = await client.request(`${t.publicUrl}/hub/${page}`, { headers: NAVIGATION, follow: false });
    expect(navigated.status).toBe(200);
    const embedded = /name="_xsrf" value="([^"]+)"/.exec(navigated.text)?.[1];
    expect(embedded).toBe(await xsrfOf(client, t));
  });

  it('refuses a login POST whose token was fetched by another browser (login CSRF)', async () => {
    const attacker = new BrowserClient();
    await attacker.request(`${t.publicUrl}/hub/login`, { headers: { 'user-agent': 'attacker-browser' } });
    const stolen = await xsrfOf(attacker, t);
    expect(stolen).not.toBe('');

    const victim = new BrowserClient();
    await victim.jar.setCookie(`_xsrf=${stolen}; Path=/hub/`, `${t.publicUrl}/hub/`);
    const res = await victim.request(`${t.publicUrl}/hub/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'victim-browser', accept: 'application/json' },
      body: new URLSearchParams({ username: 'mallory', password: 'mallory-password-1', _xsrf: stolen }).toString(),
      follow: false,
    });
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('xsrf_mismatch');
    expect(setCookieNames(res)).not.toContain('jupyterhub-hub-login');
  });

  it('expires an anonymous token after an hour; the login page then issues a new one', async () => {
    const client = new BrowserClient();
    await client.request(`${t.publicUrl}/hub/login`);
    const old = await xsrfOf(client, t);
    offsetMs += 3601 * 1000;
    const form = (xsrf: string): string => new URLSearchParams({ username: 'alice', password: 'alice-password-1', _xsrf: xsrf }).toString();
    const post = (xsrf: string): Promise<TestResponse> =>
      client.request(`${t.publicUrl}/hub/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form(xsrf), follow: false });
    const expired = await post(old);
    expect(errorCode(expired)).toBe('xsrf_mismatch');
    // The tough-cookie jar dropped the expired cookie itself; a page view gives a fresh token.
    await client.request(`${t.publicUrl}/hub/login`);
    const fresh = await xsrfOf(client, t);
    expect(fresh).not.toBe(old);
    expect((await post(fresh)).status).toBe(302);
  });

  it('needs no XSRF token for token-authenticated calls (the Lab extension sends Authorization: token)', async () => {
    const alice = await signedIn('alice');
    const token = await t.addUser('alice-lab-token-owner');
    // Cookies of alice's browser and the singleuser's own _xsrf value in the header, as Lab sends them.
    const res = await alice.request(`${t.publicUrl}/hub/api/user`, { headers: { authorization: `token ${token}`, 'x-xsrftoken': 'singleuser-own-xsrf-value' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: 'alice-lab-token-owner' });
  });
});
