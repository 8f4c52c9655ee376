import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { freePort, signInAtProvider, startTestProvider, type TestProvider } from './harness/oidc-provider';
import { snapshotStore } from './harness/store-snapshot';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * Login at a real OpenID Provider (oidc-provider, in its own process) through the hub's
 * `/hub/login` → `/hub/oauth_login` → provider → `/hub/oauth_callback`, with the seed's groups:
 * cps-students and cpsHPCAccess may log in, jupyter_admin makes admins, no group is refused.
 */
const SECRET_ENV = 'CLUSTERHUB_TEST_OIDC_SECRET';
const SECRET = 'test-client-secret-0123456789';

const ACCOUNTS = {
  student: { preferred_username: 'student', email: 'student@example.org', groups: ['cps-students'] },
  hpc: { preferred_username: 'hpc', groups: ['cpsHPCAccess'] },
  boss: { preferred_username: 'Boss', groups: ['jupyter_admin', 'cps-students'] },
  nobody: { preferred_username: 'nobody', groups: [] },
};

let provider: TestProvider;
let t: TestHub;
let hubPort: number;

beforeAll(async () => {
  process.env[SECRET_ENV] = SECRET;
  hubPort = await freePort();
  const redirectUri = `http://127.0.0.1:${hubPort}/hub/oauth_callback`;
  provider = await startTestProvider({
    clients: [{ client_id: 'clusterhub', client_secret: SECRET, redirect_uris: [redirectUri] }],
    accounts: ACCOUNTS,
  });
  t = await startTestHub({
    config: {
      hub: { public: { ip: '127.0.0.1', port: hubPort } },
      auth: {
        kind: 'oidc',
        oidc: {
          issuer: provider.issuer,
          clientId: 'clusterhub',
          clientSecretEnv: SECRET_ENV,
          allowedGroups: ['cps-students', 'cpsHPCAccess'],
          adminGroups: ['jupyter_admin'],
          displayName: 'Test University',
          // As a site whose provider gives refresh tokens only after consent; the walk accepts the consent page.
          extraAuthorizeParams: { prompt: 'consent', ui_locales: 'en' },
        },
      },
    },
    overrides: { spawner: new FakeSpawner() },
  });
});

afterAll(async () => {
  await t?.stop();
  await provider?.stop();
  delete process.env[SECRET_ENV];
});

/** The user model as an admin reads it through the API. */
async function userModel(name: string): Promise<{ status: number; admin?: boolean; groups?: string[] }> {
  const res = await fetch(`${t.apiUrl}/users/${name}`, { headers: { authorization: `token ${t.adminToken}` } });
  const body = (await res.json()) as { admin?: boolean; groups?: string[] };
  return { status: res.status, ...body };
}

/** A fresh browser that opens the login page, follows its "Sign in with …" button and signs in at the provider. */
async function browserLogin(login: string, next?: string): Promise<{ browser: BrowserClient; page: TestResponse }> {
  const browser = new BrowserClient();
  const loginPage = await browser.request(`${t.publicUrl}/hub/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  const href = /id="login_provider" href="([^"]+)"/.exec(loginPage.text)?.[1];
  if (!href) throw new Error(`no provider button on the login page: ${loginPage.text}`);
  const page = await signInAtProvider(browser, provider, new URL(href.replace(/&amp;/g, '&'), loginPage.url).toString(), login);
  return { browser, page };
}

/** The provider authorization URL the hub sends a browser to (not followed), and that browser. */
async function startLogin(): Promise<{ browser: BrowserClient; url: URL }> {
  const browser = new BrowserClient();
  const res = await browser.request(`${t.publicUrl}/hub/oauth_login`, { follow: false });
  expect(res.status).toBe(302);
  const location = res.headers.get('location') ?? '';
  expect(location.startsWith(`${provider.issuer}/`)).toBe(true);
  return { browser, url: new URL(location) };
}

describe('OIDC login against a real provider', () => {
  it('offers "Sign in with …" instead of the password form, and refuses form logins', async () => {
    const browser = new BrowserClient();
    const page = await browser.request(`${t.publicUrl}/hub/login`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in with Test University');
    expect(page.text).not.toContain('id="login-form"');
    const xsrf = (await browser.cookie(`${t.publicUrl}/hub/`, '_xsrf')) ?? '';
    const posted = await browser.request(`${t.publicUrl}/hub/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'admin', password: 'admin-password-1', _xsrf: xsrf }).toString(),
    });
    expect(posted.status).toBe(403);
    expect(posted.text).toContain('This hub signs you in at Test University.');
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce, and the configured extra parameters', async () => {
    const { url } = await startLogin();
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe('clusterhub');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('scope')).toBe('openid profile email groups');
    expect(url.searchParams.get('redirect_uri')).toBe(`${t.publicUrl}/hub/oauth_callback`);
    // auth.oidc.extraAuthorizeParams
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('ui_locales')).toBe('en');
  });

  it('logs a student in (full browser login), keeps next, stores the groups; not an admin', async () => {
    const { browser, page } = await browserLogin('student', '/hub/token');
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe('/hub/token');
    expect(page.text).toContain('student');
    const home = await browser.request(`${t.publicUrl}/hub/home`);
    expect(home.status).toBe(200);
    expect(home.url).toBe(`${t.publicUrl}/hub/home`);
    expect(await userModel('student')).toMatchObject({ status: 200, admin: false, groups: ['cps-students'] });
  });

  it('makes members of an admin group admins (user name from preferred_username, lower-cased)', async () => {
    const { page } = await browserLogin('boss');
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe('/hub/home');
    expect(await userModel('boss')).toMatchObject({ status: 200, admin: true, groups: ['cps-students', 'jupyter_admin'] });
  });

  it('refuses a user in no allowed group with a clear page, changing nothing', async () => {
    const before = await snapshotStore(t.hub.context.store);
    const { page } = await browserLogin('nobody');
    expect(page.status).toBe(403);
    expect(new URL(page.url).pathname).toBe('/hub/oauth_callback');
    expect(page.text).toContain('Your account nobody is not allowed on this hub');
    expect(page.text).toContain('cps-students, cpsHPCAccess, jupyter_admin');
    expect(page.text).toContain('Sign in with Test University');
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
    expect((await userModel('nobody')).status).toBe(404);
  });

  it('applies group changes at the provider at the next login (admin given and taken; no group → refused)', async () => {
    await browserLogin('hpc');
    expect(await userModel('hpc')).toMatchObject({ admin: false, groups: ['cpsHPCAccess'] });
    provider.setAccount('hpc', { preferred_username: 'hpc', groups: ['jupyter_admin'] });
    await browserLogin('hpc');
    expect(await userModel('hpc')).toMatchObject({ admin: true, groups: ['jupyter_admin'] });
    provider.setAccount('hpc', { preferred_username: 'hpc', groups: ['cps-students'] });
    await browserLogin('hpc');
    expect(await userModel('hpc')).toMatchObject({ admin: false, groups: ['cps-students'] });
    provider.setAccount('hpc', { preferred_username: 'hpc', groups: [] });
    const before = await snapshotStore(t.hub.context.store);
    const { page } = await browserLogin('hpc');
    expect(page.status).toBe(403);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('refuses an answer whose state was tampered with, changing nothing', async () => {
    const { browser, url } = await startLogin();
    url.searchParams.set('state', 'tampered-state-value-000000000');
    const before = await snapshotStore(t.hub.context.store);
    const page = await signInAtProvider(browser, provider, url.toString(), 'student');
    expect(page.status).toBe(403);
    expect(new URL(page.url).pathname).toBe('/hub/oauth_callback');
    expect(page.text).toContain('does not belong to the sign-in started in this browser');
    expect(await browser.cookie(`${t.publicUrl}/hub/`, 'jupyterhub-hub-login')).toBeUndefined();
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('refuses an ID token whose nonce does not match, changing nothing', async () => {
    const { browser, url } = await startLogin();
    url.searchParams.set('nonce', 'tampered-nonce-value-000000000');
    const before = await snapshotStore(t.hub.context.store);
    const page = await signInAtProvider(browser, provider, url.toString(), 'student');
    expect(page.status).toBe(403);
    expect(page.text).toContain('could not be verified');
    expect(await browser.cookie(`${t.publicUrl}/hub/`, 'jupyterhub-hub-login')).toBeUndefined();
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('refuses a callback replayed after use and one from another browser', async () => {
    const { browser, url } = await startLogin();
    const page = await signInAtProvider(browser, provider, url.toString(), 'student');
    expect(page.status).toBe(200);
    const stranger = new BrowserClient();
    const replay = await stranger.request(`${t.publicUrl}/hub/oauth_callback?code=abc&state=${url.searchParams.get('state') ?? ''}`);
    expect(replay.status).toBe(403);
    expect(replay.text).toContain('expired or was already used');
  });

  it('shows the provider\'s refusal (access_denied) in plain words', async () => {
    const { browser, url } = await startLogin();
    const interaction = await browser.request(url.toString());
    expect(interaction.url.startsWith(`${provider.issuer}/interaction/`)).toBe(true);
    const page = await browser.request(`${interaction.url.replace(/\/$/, '')}/abort`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('The identity provider refused the sign-in');
    expect(page.text).toContain('access_denied');
  });
});
