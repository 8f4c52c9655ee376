import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiCall, errorCode } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { freePort, signInAtProvider, startTestProvider, type ProviderClient, type TestProvider } from './harness/oidc-provider';
import { pollUntil } from './harness/singleuser';
import type { ProfileConfig } from '@clusterhub/shared';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * Groups refreshed with the provider's refresh token (auth.oidc.refreshGroupsSeconds, issue 8
 * item 1), against a real OpenID Provider (oidc-provider in its own process) that issues refresh
 * tokens: the periodic pass and the refresh before a start apply the provider's new groups and
 * admin decision as a login would; a revoked grant, or an account no longer allowed, makes the
 * user sign in again before a new start; a provider that cannot answer refuses the start that
 * needed it. The hub's clock is moved past the period; the passes are awaited through the service.
 */
const SECRET_ENV = 'CLUSTERHUB_TEST_REFRESH_OIDC_SECRET';
const SECRET = 'refresh-client-secret-0123456789';
const PERIOD = 600;

const PROFILES: [ProfileConfig, ...ProfileConfig[]] = [
  { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, groups: ['cps-students', 'cpsHPCAccess', 'jupyter_admin'] },
  { slug: 'gpu', displayName: 'Full A100', kind: 'gpu', resources: { gpus: { count: 1, type: 'a100' } }, groups: ['cpsHPCAccess', 'jupyter_admin'] },
];

interface EventJson {
  action: string;
  user: string | null;
  actor: { kind: string };
  details: Record<string, unknown>;
}

describe('OIDC groups refreshed with a refresh token', () => {
  const spawner = new FakeSpawner();
  let provider: TestProvider;
  let client: ProviderClient;
  let t: TestHub;
  let offsetMs = 0;

  beforeAll(async () => {
    process.env[SECRET_ENV] = SECRET;
    const hubPort = await freePort();
    client = {
      client_id: 'clusterhub',
      client_secret: SECRET,
      redirect_uris: [`http://127.0.0.1:${hubPort}/hub/oauth_callback`],
      grant_types: ['authorization_code', 'refresh_token'],
    };
    provider = await startTestProvider({
      clients: [client],
      accounts: {
        hana: { preferred_username: 'hana', groups: ['cpsHPCAccess'] },
        ravi: { preferred_username: 'ravi', groups: ['cpsHPCAccess'] },
        ines: { preferred_username: 'ines', groups: ['cpsHPCAccess'] },
        omar: { preferred_username: 'omar', groups: ['cps-students'] },
      },
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
            refreshGroupsSeconds: PERIOD,
          },
        },
        profiles: PROFILES,
      },
      overrides: { spawner, clock: () => Date.now() + offsetMs },
    });
  });

  afterAll(async () => {
    await t?.stop();
    await provider?.stop();
    await spawner.close();
    delete process.env[SECRET_ENV];
  });

  const refresh = (): NonNullable<TestHub['hub']['context']['groupRefresh']> => {
    const service = t.hub.context.groupRefresh;
    if (!service) throw new Error('the hub has no group refresh');
    return service;
  };
  /** Moves the hub's clock past one refresh period. */
  const pastPeriod = (): void => {
    offsetMs += (PERIOD + 1) * 1000;
  };

  const login = async (account: string): Promise<number> => {
    const browser = new BrowserClient();
    const page = await signInAtProvider(browser, provider, `${t.publicUrl}/hub/oauth_login`, account);
    return page.status;
  };
  const userModel = async (name: string): Promise<{ admin?: boolean; groups?: string[] }> =>
    (await apiCall(`${t.apiUrl}/users/${name}`, { token: t.adminToken })).json as { admin?: boolean; groups?: string[] };
  const startServer = (name: string, profile: string) => apiCall(`${t.apiUrl}/users/${name}/server`, { method: 'POST', token: t.adminToken, body: { profile } });
  const stopServer = (name: string) => apiCall(`${t.apiUrl}/users/${name}/server`, { method: 'DELETE', token: t.adminToken });
  const storedToken = async (name: string): Promise<string | null> => {
    const user = await t.hub.context.store.users.getByName(name);
    if (!user) throw new Error(`no user ${name}`);
    return (await t.hub.context.store.oidcSessions.get(user.id))?.refreshToken ?? null;
  };
  const refreshEvents = (name: string, count: number): Promise<EventJson[]> =>
    pollUntil(`${count} auth.refresh events of ${name}`, async () => {
      const items = ((await apiCall(`${t.apiUrl}/clusterhub/audit?action=auth.refresh&user=${name}`, { token: t.adminToken })).json as { items: EventJson[] }).items;
      return items.length >= count ? items : undefined;
    }, 10_000, 50);

  it('keeps the refresh token of a login, and no API returns it', async () => {
    expect(await login('hana')).toBe(200);
    const token = await storedToken('hana');
    expect(token).toEqual(expect.any(String));
    const admin = await apiCall(`${t.apiUrl}/users/hana`, { token: t.adminToken });
    const list = await apiCall(`${t.apiUrl}/users`, { token: t.adminToken });
    expect(admin.status).toBe(200);
    expect(admin.text).not.toContain(token ?? 'no token');
    expect(list.text).not.toContain(token ?? 'no token');
  });

  it('applies the provider\'s new groups and admin decision at the periodic pass, once the period has passed, and audits them', async () => {
    provider.setAccount('hana', { preferred_username: 'hana', groups: ['jupyter_admin'] });
    expect(await refresh().sweep()).toBe(0);
    expect(await userModel('hana')).toMatchObject({ admin: false, groups: ['cpsHPCAccess'] });
    pastPeriod();
    expect(await refresh().sweep()).toBeGreaterThanOrEqual(1);
    expect(await userModel('hana')).toMatchObject({ admin: true, groups: ['jupyter_admin'] });
    provider.setAccount('hana', { preferred_username: 'hana', groups: ['cps-students'] });
    pastPeriod();
    await refresh().sweep();
    expect(await userModel('hana')).toMatchObject({ admin: false, groups: ['cps-students'] });
    // A user refreshed to cps-students may no longer start the GPU profile.
    expect(errorCode(await startServer('hana', 'gpu'))).toBe('profile_forbidden');
    const [latest, first] = await refreshEvents('hana', 2);
    expect(first).toMatchObject({ actor: { kind: 'system' }, details: { method: 'oidc', trigger: 'periodic', groups: ['jupyter_admin'], groups_before: ['cpsHPCAccess'], admin: true, admin_before: false } });
    expect(latest).toMatchObject({ details: { groups: ['cps-students'], groups_before: ['jupyter_admin'], admin: false, admin_before: true } });
  });

  it('refreshes before a start when the last refresh is a period old: removed from cpsHPCAccess, no GPU server', async () => {
    expect(await login('ravi')).toBe(200);
    expect((await startServer('ravi', 'gpu')).status).toBe(201);
    expect((await stopServer('ravi')).status).toBe(204);
    provider.setAccount('ravi', { preferred_username: 'ravi', groups: ['cps-students'] });
    pastPeriod();
    const refused = await startServer('ravi', 'gpu');
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('profile_forbidden');
    expect(await userModel('ravi')).toMatchObject({ groups: ['cps-students'] });
    const ravi = await t.hub.context.store.users.getByName('ravi');
    expect((await t.hub.context.store.servers.listByUser(ravi?.id ?? -1)).filter((s) => s.state !== 'stopped')).toEqual([]);
    expect((await refreshEvents('ravi', 1))[0]).toMatchObject({ details: { trigger: 'start', groups: ['cps-students'] } });
    // The CPU profile stays open to cps-students.
    expect((await startServer('ravi', 'cpu')).status).toBe(201);
    expect((await stopServer('ravi')).status).toBe(204);
  });

  it('makes a user whose grant was revoked sign in again before a new start', async () => {
    expect(await login('ines')).toBe(200);
    const token = await storedToken('ines');
    if (token === null) throw new Error('no refresh token kept');
    await provider.revoke(token, client);
    pastPeriod();
    await refresh().sweep();
    expect(await storedToken('ines')).toBeNull();
    const refused = await startServer('ines', 'cpu');
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('auth_expired');
    expect((refused.json as { message?: string }).message).toContain('sign in again');
    expect((await refreshEvents('ines', 1))[0]).toMatchObject({ details: { method: 'oidc', failed: true } });
    // Groups stay as last read (no refresh can change them); a new login clears the mark.
    expect(await userModel('ines')).toMatchObject({ groups: ['cpsHPCAccess'] });
    expect(await login('ines')).toBe(200);
    expect((await startServer('ines', 'cpu')).status).toBe(201);
    expect((await stopServer('ines')).status).toBe(204);
  });

  it('treats an account that lost every allowed group as signed out (a login would be refused)', async () => {
    expect(await login('omar')).toBe(200);
    provider.setAccount('omar', { preferred_username: 'omar', groups: [] });
    pastPeriod();
    const refused = await startServer('omar', 'cpu');
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('auth_expired');
    expect(await login('omar')).toBe(403);
  });

  it('refuses a start that needs a refresh while the provider cannot answer, without marking the user (runs last: stops the provider)', async () => {
    expect(await login('hana')).toBe(200);
    await provider.stop();
    pastPeriod();
    const refused = await startServer('hana', 'cpu');
    expect(refused.status).toBe(503);
    expect(errorCode(refused)).toBe('identity_provider_unavailable');
    await refresh().sweep();
    expect(await storedToken('hana')).toEqual(expect.any(String));
  });
});
