/**
 * The real jupyterhub-singleuser 6.1 + JupyterLab 4.6, started by the local-process spawner from the
 * default config and reached through the built-in proxy (protocol.md §2, §3, §4, §12a; §13 T6, T8–T14).
 * One server for alice is shared by every test of the file.
 */
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import {
  apiCall,
  isRecord,
  KernelChannel,
  killProcessGroup,
  labPageConfig,
  navigate,
  pollUntil,
  serverModel,
  serverPid,
  startKernel,
  startServerAndWait,
  stopServerQuietly,
} from './harness/singleuser';

const PASSWORDS = { alice: 'alice-password-1', bob: 'bob-password-1', admin: 'admin-password-1' } as const;

/** Logs `user` in and walks to alice's Lab, following every redirect. */
async function browseToAliceLab(t: TestHub, user: keyof typeof PASSWORDS): Promise<{ client: BrowserClient; page: TestResponse }> {
  const client = new BrowserClient();
  const login = await client.login(t.publicUrl, user, PASSWORDS[user]);
  expect(login.status).toBe(200);
  const page = await navigate(client, `${t.publicUrl}/user/alice/lab`);
  return { client, page };
}

/** The tokens of `user` as listed by the admin. */
async function listTokens(t: TestHub, user: string): Promise<Record<string, unknown>[]> {
  const res = await apiCall(`${t.apiUrl}/users/${user}/tokens`, t.adminToken);
  expect(res.status).toBe(200);
  const list = isRecord(res.body) ? res.body['api_tokens'] : undefined;
  if (!Array.isArray(list)) throw new Error('no api_tokens list');
  return list.filter(isRecord);
}

describe('real jupyterhub-singleuser through the built-in proxy', () => {
  let t: TestHub;
  let aliceToken = '';
  let bobToken = '';
  let pid = 0;
  const serverUrl = (): string => `${t.publicUrl}/user/alice/`;

  beforeAll(async () => {
    t = await startTestHub({
      config: {
        spawner: { environment: { JUPYTERHUB_ACTIVITY_INTERVAL: '5' } },
        // No route-activity harvest during the file: server last_activity can only come from the server's own reports.
        proxy: { checkRoutesIntervalSeconds: 3600 },
      },
    });
    aliceToken = await t.addUser('alice', { password: PASSWORDS.alice });
    bobToken = await t.addUser('bob', { password: PASSWORDS.bob });
    pid = serverPid(await startServerAndWait(t, 'alice', aliceToken));
  });

  afterAll(async () => {
    if (t) {
      await stopServerQuietly(t, 'alice');
      await t.stop();
    }
    if (pid > 0) killProcessGroup(pid);
  });

  it('T6: the server stays up, its route exists and it answers through the proxy with X-JupyterHub-Version', async () => {
    const model = await serverModel(t, 'alice');
    expect(model).toMatchObject({ ready: true, lifecycle: 'running', url: '/user/alice/' });
    const route = (await t.hub.proxy.getAllRoutes()).get('/user/alice/');
    expect(route?.data).toMatchObject({ user: 'alice', server_name: '' });
    expect(route?.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${t.publicUrl}/user/alice/api`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-jupyterhub-version')).toMatch(/^6\.1\./);
    const body: unknown = await res.json();
    expect(isRecord(body) && typeof body['version'] === 'string').toBe(true);
  });

  it('T8 + T14: the OAuth dance with PKCE reaches JupyterLab; the server cookie is scoped to /user/alice/; the page config names the hub', async () => {
    const client = new BrowserClient();
    expect((await client.login(t.publicUrl, 'alice', PASSWORDS.alice)).status).toBe(200);

    const first = await navigate(client, `${t.publicUrl}/user/alice/lab`, { follow: false });
    expect(first.status).toBe(302);
    const authorizeUrl = new URL(first.headers.get('location') ?? '', `${t.publicUrl}/user/alice/lab`);
    expect(authorizeUrl.pathname).toBe('/hub/api/oauth2/authorize');
    expect(authorizeUrl.searchParams.get('client_id')).toBe('jupyterhub-user-alice');
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe('/user/alice/oauth_callback');
    expect(authorizeUrl.searchParams.get('response_type')).toBe('code');
    expect(authorizeUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');

    const authorize = await navigate(client, authorizeUrl.toString(), { follow: false });
    expect(authorize.status).toBe(302);
    const callback = new URL(authorize.headers.get('location') ?? '', authorizeUrl);
    expect(callback.pathname).toBe('/user/alice/oauth_callback');
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));

    const page = await navigate(client, callback.toString());
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe('/user/alice/lab');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('jupyter-config-data');

    const cookie = (await client.jar.getCookies(serverUrl())).find((c) => c.key === 'jupyterhub-user-alice');
    expect(cookie?.path).toBe('/user/alice/');
    expect(cookie?.httpOnly).toBe(true);
    expect(await client.cookie(`${t.publicUrl}/hub/`, 'jupyterhub-user-alice')).toBeUndefined();

    const config = labPageConfig(page.text);
    expect(config).toMatchObject({ hubPrefix: '/hub/', hubUser: 'alice', hubServerUser: 'alice', baseUrl: '/user/alice/' });
    expect(typeof config['token']).toBe('string');
    // The token in the page is the OAuth token the server got for this browser session (§4.4).
    const identity = await apiCall(`${t.apiUrl}/user`, String(config['token']));
    expect(identity.status).toBe(200);
    expect(identity.body).toMatchObject({ kind: 'user', name: 'alice' });
    expect(isRecord(identity.body) && identity.body['scopes']).toEqual(expect.arrayContaining(['access:servers!server=alice/']));
    expect(isRecord(identity.body) && identity.body['session_id']).toBe(await client.cookie(`${t.publicUrl}/`, 'jupyterhub-session-id'));

    // Lab's "Hub Control Panel" and share links (hubPrefix-relative) work from this browser.
    const home = await navigate(client, `${t.publicUrl}${String(config['hubPrefix'])}home`);
    expect(home.status).toBe(200);
    const shared = await navigate(client, `${t.publicUrl}${String(config['hubPrefix'])}user-redirect/lab`);
    expect(shared.status).toBe(200);
    expect(new URL(shared.url).pathname).toBe('/user/alice/lab');
  });

  it('T9: another user is refused by the hub authorize step; an admin confirms once and then reaches the Lab', async () => {
    const bob = await browseToAliceLab(t, 'bob');
    expect(bob.page.status).toBe(403);
    expect(new URL(bob.page.url).pathname).toBe('/hub/api/oauth2/authorize');

    const admin = await browseToAliceLab(t, 'admin');
    expect(admin.page.status).toBe(200);
    expect(new URL(admin.page.url).pathname).toBe('/hub/api/oauth2/authorize');
    const form = /<form method="post" action="([^"]+)"[^>]*>/.exec(admin.page.text);
    const xsrf = /name="_xsrf" value="([^"]+)"/.exec(admin.page.text)?.[1];
    expect(form?.[1]).toBeTruthy();
    expect(xsrf).toBeTruthy();
    const action = new URL((form?.[1] ?? '').replace(/&amp;/g, '&'), admin.page.url).toString();
    const scopes = [...admin.page.text.matchAll(/name="scopes" value="([^"]+)"/g)].map((m) => m[1] ?? '');
    const body = new URLSearchParams([['_xsrf', xsrf ?? ''], ...scopes.map((s): [string, string] => ['scopes', s])]).toString();
    const lab = await navigate(admin.client, action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(lab.status).toBe(200);
    expect(new URL(lab.url).pathname).toBe('/user/alice/lab');
    expect(labPageConfig(lab.text)).toMatchObject({ hubUser: 'admin', hubServerUser: 'alice' });
  });

  it('T11: the server API accepts alice’s API token and refuses bob’s with 403', async () => {
    const own = await apiCall(`${serverUrl()}api/contents`, aliceToken);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ type: 'directory' });
    const other = await apiCall(`${serverUrl()}api/contents`, bobToken);
    expect(other.status).toBe(403);
  });

  it('a kernel websocket through the public proxy answers kernel_info_request', async () => {
    const kernelId = await startKernel(serverUrl(), aliceToken);
    const channel = await KernelChannel.open(serverUrl(), kernelId, aliceToken);
    try {
      const reply = await channel.waitFor(channel.send('shell', 'kernel_info_request', {}), 'kernel_info_reply');
      expect(reply.content).toMatchObject({ status: 'ok', implementation: 'ipython' });
      expect(reply.channel).toBe('shell');
    } finally {
      await channel.close();
      expect((await apiCall(`${serverUrl()}api/kernels/${kernelId}`, aliceToken, { method: 'DELETE' })).status).toBe(204);
    }
  });

  it('T12: activity reported by the server advances the hub’s last_activity', async () => {
    const touched = Date.now();
    // jupyter-server's last_activity moves with API traffic; the server reports it every ~5 s.
    const reported = await pollUntil(
      'the hub to record the server activity',
      async () => {
        expect((await apiCall(`${serverUrl()}api/contents`, aliceToken)).status).toBe(200);
        const last = (await serverModel(t, 'alice'))?.last_activity;
        return last && Date.parse(last) >= touched ? last : undefined;
      },
      60_000,
      1000,
    );
    const user = await apiCall(`${t.apiUrl}/users/alice`, t.adminToken);
    expect(isRecord(user.body) && Date.parse(String(user.body['last_activity']))).toBeGreaterThanOrEqual(Date.parse(reported));
  });

  it('T10: a revoked OAuth token is answered 403 by /hub/api/user and refused by the server', async () => {
    const { page } = await browseToAliceLab(t, 'alice');
    expect(page.status).toBe(200);
    const token = String(labPageConfig(page.text)['token']);
    const identity = await apiCall(`${t.apiUrl}/user`, token);
    expect(identity.status).toBe(200);
    const tokenId = isRecord(identity.body) ? identity.body['token_id'] : undefined;
    const listed = (await listTokens(t, 'alice')).find((tok) => tok['id'] === tokenId);
    expect(listed).toMatchObject({ oauth_client: 'jupyterhub-user-alice' });

    expect((await apiCall(`${t.apiUrl}/users/alice/tokens/${String(tokenId)}`, t.adminToken, { method: 'DELETE' })).status).toBe(204);
    expect((await apiCall(`${t.apiUrl}/user`, token)).status).toBe(403);
    // Unseen by the server's 5-minute cache (no session cookie ⇒ new cache key): the hub's 403 becomes a 403, not a 500.
    expect((await apiCall(`${serverUrl()}api/contents`, token)).status).toBe(403);
  });

  it('T13: logging out of the server ends the hub session, deletes its OAuth tokens and the next visit needs a login', async () => {
    const { client, page } = await browseToAliceLab(t, 'alice');
    expect(page.status).toBe(200);
    const sessionId = await client.cookie(`${t.publicUrl}/`, 'jupyterhub-session-id');
    expect(sessionId).toBeTruthy();
    const sessionTokens = async (): Promise<number> => (await listTokens(t, 'alice')).filter((tok) => tok['session_id'] === sessionId).length;
    expect(await sessionTokens()).toBeGreaterThan(0);

    const logout = await navigate(client, `${serverUrl()}logout`, { follow: false });
    expect(logout.status).toBe(302);
    expect(new URL(logout.headers.get('location') ?? '', serverUrl()).pathname).toBe('/hub/logout');
    const hubLogout = await navigate(client, new URL(logout.headers.get('location') ?? '', serverUrl()).toString());
    expect(hubLogout.status).toBe(200);
    expect(await sessionTokens()).toBe(0);
    expect(await client.cookie(serverUrl(), 'jupyterhub-user-alice')).toBeUndefined();

    const again = await navigate(client, `${t.publicUrl}/user/alice/lab`);
    expect(new URL(again.url).pathname).toBe('/hub/login');
    expect(again.status).toBe(200);
  });

  it('the server process is still the one that was started', async () => {
    const model = await serverModel(t, 'alice');
    expect(model?.ready).toBe(true);
    if (model) expect(serverPid(model)).toBe(pid);
  });
});
