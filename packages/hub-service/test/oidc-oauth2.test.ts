import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { freePort, signInAtProvider, startTestProvider, type TestProvider } from './harness/oidc-provider';
import { snapshotStore } from './harness/store-snapshot';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * Provider logins beyond discovery, against a real OpenID Provider (oidc-provider): plain OAuth2
 * with explicit endpoints and a userinfo URL (seed 003: no openid scope, no ID token), a nested
 * groups claim, an allowed user by name, and a provider that cannot be reached at the start of the
 * login or at the token exchange.
 */
const SECRET = 'oauth2-test-secret-0123456789';

interface Endpoints {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
}

let provider: TestProvider;
let endpoints: Endpoints;
let hubPort: number;
const hubs: TestHub[] = [];

beforeAll(async () => {
  hubPort = await freePort();
  provider = await startTestProvider({
    clients: [{ client_id: 'vsc-hub', client_secret: SECRET, redirect_uris: [`http://127.0.0.1:${hubPort}/hub/oauth_callback`] }],
    accounts: {
      carol: { preferred_username: 'carol', realm_access: { roles: [] } },
      dave: { preferred_username: 'dave', realm_access: { roles: ['cpsHPCAccess', 'jupyter_admin'] } },
      erin: { preferred_username: 'erin', realm_access: { roles: ['other'] } },
    },
  });
  endpoints = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as Endpoints;
});

afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
});

afterAll(async () => {
  await provider?.stop();
});

/** A hub on the port registered at the provider, with `oidc` as its `auth.oidc`. */
async function hubWith(oidc: Record<string, unknown>): Promise<TestHub> {
  const hub = await startTestHub({
    config: { hub: { public: { ip: '127.0.0.1', port: hubPort } }, auth: { kind: 'oidc', oidc: { clientId: 'vsc-hub', clientSecret: SECRET, ...oidc } } },
    overrides: { spawner: new FakeSpawner() },
  });
  hubs.push(hub);
  return hub;
}

const oauth2 = (): Record<string, unknown> => ({
  protocol: 'oauth2',
  authorizationUrl: endpoints.authorization_endpoint,
  tokenUrl: endpoints.token_endpoint,
  // The provider harness's plain OAuth2 user API (no openid scope, no ID token).
  userinfoUrl: `${provider.issuer}/oauth2/user`,
  scopes: ['profile', 'groups'],
  groupsClaim: 'realm_access.roles',
  allowedGroups: ['cpsHPCAccess'],
  allowedUsers: ['carol'],
  adminGroups: ['jupyter_admin'],
  displayName: 'VSC account',
});

async function userModel(hub: TestHub, name: string): Promise<{ status: number; admin?: boolean; groups?: string[] }> {
  const res = await fetch(`${hub.apiUrl}/users/${name}`, { headers: { authorization: `token ${hub.adminToken}` } });
  return { status: res.status, ...((await res.json()) as { admin?: boolean; groups?: string[] }) };
}

describe('plain OAuth2 login with a userinfo URL', () => {
  it('logs in through explicit endpoints (no nonce), groups from a nested claim, admin by group', async () => {
    const hub = await hubWith(oauth2());
    const browser = new BrowserClient();
    const start = await browser.request(`${hub.publicUrl}/hub/oauth_login`, { follow: false });
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(endpoints.authorization_endpoint);
    expect(authorize.searchParams.get('nonce')).toBeNull();
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const page = await signInAtProvider(browser, provider, authorize.toString(), 'dave');
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe('/hub/home');
    expect(await userModel(hub, 'dave')).toMatchObject({ admin: true, groups: ['cpsHPCAccess', 'jupyter_admin'] });
  });

  it('lets an allowed user in by name without any group, and refuses a user of another group', async () => {
    const hub = await hubWith(oauth2());
    const carol = await signInAtProvider(new BrowserClient(), provider, `${hub.publicUrl}/hub/oauth_login`, 'carol');
    expect(new URL(carol.url).pathname).toBe('/hub/home');
    expect(await userModel(hub, 'carol')).toMatchObject({ admin: false, groups: [] });
    const before = await snapshotStore(hub.hub.context.store);
    const erin = await signInAtProvider(new BrowserClient(), provider, `${hub.publicUrl}/hub/oauth_login`, 'erin');
    expect(erin.status).toBe(403);
    expect(erin.text).toContain('Your account erin is not allowed on this hub');
    expect(erin.text).toContain('your groups: other');
    expect(await snapshotStore(hub.hub.context.store)).toBe(before);
  });

  it('shows a clear error when the token endpoint cannot be reached, changing nothing', async () => {
    const deadPort = await freePort();
    const hub = await hubWith({ ...oauth2(), tokenUrl: `http://127.0.0.1:${deadPort}/token` });
    const before = await snapshotStore(hub.hub.context.store);
    const page = await signInAtProvider(new BrowserClient(), provider, `${hub.publicUrl}/hub/oauth_login`, 'dave');
    expect(page.status).toBe(403);
    expect(page.text).toContain('could not be reached');
    expect(await snapshotStore(hub.hub.context.store)).toBe(before);
  });
});

describe('provider unreachable at the start of a login', () => {
  it('answers the login start with a clear error page (502) and keeps offering the button', async () => {
    const deadPort = await freePort();
    const hub = await hubWith({ issuer: `http://127.0.0.1:${deadPort}`, allowAll: true, displayName: 'Campus login' });
    const before = await snapshotStore(hub.hub.context.store);
    const browser = new BrowserClient();
    const page = await browser.request(`${hub.publicUrl}/hub/oauth_login?next=${encodeURIComponent('/hub/token')}`);
    expect(page.status).toBe(502);
    expect(page.text).toContain(`The identity provider (127.0.0.1:${deadPort}) could not be reached`);
    expect(page.text).toContain('Sign in with Campus login');
    expect(page.text).toContain(`oauth_login?next=${encodeURIComponent('/hub/token')}`);
    expect(await browser.cookie(`${hub.publicUrl}/hub/oauth_callback`, 'clusterhub-oauth-state')).toBeUndefined();
    expect(await snapshotStore(hub.hub.context.store)).toBe(before);
  });
});
