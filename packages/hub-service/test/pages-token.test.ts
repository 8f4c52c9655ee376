import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { apiCall } from './harness/api-call';
import { snapshotStore } from './harness/store-snapshot';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * The token page in a browser's shoes: the default "Never" expiry works, a create answers with
 * POST-redirect-GET (the secret never in a URL, a reload creates nothing and shows nothing), the
 * one-time display belongs to the user who made it, and a token's permissions can be limited to
 * a subset of the user's own.
 */
const FLASH_COOKIE = 'clusterhub-token-flash';

/** `<code id="new-token">…</code>` of the page, or null. */
function shownToken(res: TestResponse): string | null {
  return /<code id="new-token">([^<]+)<\/code>/.exec(res.text)?.[1] ?? null;
}

/** The `_xsrf` value the page's form carries. */
function formXsrf(page: TestResponse): string {
  return /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
}

describe('token page', () => {
  let t: TestHub;
  let alice: BrowserClient;
  let bob: BrowserClient;
  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner: new FakeSpawner() } });
    await t.addUser('alice', { password: 'alice-password-1' });
    await t.addUser('bob', { password: 'bob-password-1' });
    alice = new BrowserClient();
    bob = new BrowserClient();
    expect((await alice.login(t.internalUrl, 'alice', 'alice-password-1')).status).toBe(200);
    expect((await bob.login(t.internalUrl, 'bob', 'bob-password-1')).status).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
  });

  const tokenCount = async (name: string): Promise<number> => {
    const user = await t.hub.context.store.users.getByName(name);
    return (await t.hub.context.store.tokens.listForUser(user?.id ?? -1)).length;
  };

  /** Opens the page (for the `_xsrf` cookie) and submits the form as the browser would, without following the redirect. */
  const submit = async (client: BrowserClient, fields: [string, string][]): Promise<TestResponse> => {
    const page = await client.request(`${t.internalUrl}/hub/token`);
    expect(page.status).toBe(200);
    const xsrf = formXsrf(page);
    const body = new URLSearchParams([['_xsrf', xsrf], ...fields]).toString();
    return client.request(`${t.internalUrl}/hub/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, follow: false });
  };

  it('creates a never-expiring token with the default form values, shows it once after a redirect, and a reload creates nothing', async () => {
    const before = await tokenCount('alice');
    const posted = await submit(alice, [['note', 'laptop'], ['expires_in', '']]);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/hub/token');
    expect(posted.text).not.toMatch(/new-token/);
    expect(await tokenCount('alice')).toBe(before + 1);

    const shown = await alice.request(`${t.internalUrl}/hub/token`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    const secret = shownToken(shown);
    expect(secret).not.toBeNull();
    const who = await apiCall(`${t.apiUrl}/user`, { token: secret ?? '' });
    expect(who.status).toBe(200);
    expect((who.json as { name: string }).name).toBe('alice');
    const user = await t.hub.context.store.users.getByName('alice');
    const record = (await t.hub.context.store.tokens.listForUser(user?.id ?? -1)).find((tk) => tk.note === 'laptop');
    expect(record?.expiresAt).toBeNull();

    const reload = await alice.request(`${t.internalUrl}/hub/token`);
    expect(reload.status).toBe(200);
    expect(shownToken(reload)).toBeNull();
    expect(await tokenCount('alice')).toBe(before + 1);
  });

  it("does not show (or spend) a user's new token to another user holding the cookie", async () => {
    const posted = await submit(alice, [['expires_in', '3600']]);
    expect(posted.status).toBe(303);
    const setCookie = posted.headers.getSetCookie().find((c) => c.startsWith(`${FLASH_COOKIE}=`)) ?? '';
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).toMatch(/; Path=\/hub\/token/);
    expect(setCookie).not.toMatch(/; Secure/i);
    const flash = setCookie.split(';')[0];
    expect(flash).toBeDefined();
    await bob.jar.setCookie(`${flash ?? ''}; Path=/hub/token`, `${t.internalUrl}/hub/token`);
    expect(shownToken(await bob.request(`${t.internalUrl}/hub/token`))).toBeNull();
    expect(shownToken(await alice.request(`${t.internalUrl}/hub/token`))).not.toBeNull();
  });

  it("offers the user's own scopes, and a token limited to one of them cannot do more", async () => {
    const page = await alice.request(`${t.internalUrl}/hub/token`);
    expect(page.text).toContain('name="scopes" value="read:users!user=alice"');
    expect(page.text).toContain('name="scopes" value="tokens!user=alice"');
    expect(page.text).not.toContain('value="admin:users"');

    expect((await submit(alice, [['expires_in', ''], ['scopes', 'read:users!user=alice']])).status).toBe(303);
    const secret = shownToken(await alice.request(`${t.internalUrl}/hub/token`)) ?? '';
    expect((await apiCall(`${t.apiUrl}/users/alice`, { token: secret })).status).toBe(200);
    const mint = await apiCall(`${t.apiUrl}/users/alice/tokens`, { method: 'POST', token: secret, body: {} });
    expect(mint.status).toBe(403);
    expect((await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: secret })).status).toBe(403);
  });

  it('refuses scopes the user does not hold, an unknown expiry, and a missing _xsrf, changing nothing', async () => {
    const before = await snapshotStore(t.hub.context.store);
    const beyond = await submit(alice, [['expires_in', ''], ['scopes', 'admin:users']]);
    expect(beyond.status).toBe(400);
    const other = await submit(alice, [['expires_in', ''], ['scopes', 'read:users!user=bob']]);
    expect(other.status).toBe(400);
    expect((await submit(alice, [['expires_in', '99']])).status).toBe(400);
    const noXsrf = await alice.request(`${t.internalUrl}/hub/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'expires_in=',
      follow: false,
    });
    expect(noXsrf.status).toBe(403);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });
});
