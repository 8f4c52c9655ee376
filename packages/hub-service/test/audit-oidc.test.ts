import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiCall } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { freePort, signInAtProvider, startTestProvider, type TestProvider } from './harness/oidc-provider';
import { pollUntil } from './harness/singleuser';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * Login events of a provider login in the audit log, against a real OpenID Provider
 * (oidc-provider in its own process): a member of an allowed group signs in (method oidc, the
 * groups the provider sent), an account without an allowed group is refused (a failure with the
 * reason, no user named: the provider's answer is not a login name the hub accepted).
 */
const SECRET_ENV = 'CLUSTERHUB_TEST_AUDIT_OIDC_SECRET';
const SECRET = 'audit-client-secret-0123456789';

interface EventJson {
  actor: { kind: string; name: string | null };
  action: string;
  user: string | null;
  address: string | null;
  details: Record<string, unknown>;
}

describe('provider logins in the audit log', () => {
  let provider: TestProvider;
  let t: TestHub;
  const spawner = new FakeSpawner();

  beforeAll(async () => {
    process.env[SECRET_ENV] = SECRET;
    const hubPort = await freePort();
    provider = await startTestProvider({
      clients: [{ client_id: 'clusterhub', client_secret: SECRET, redirect_uris: [`http://127.0.0.1:${hubPort}/hub/oauth_callback`] }],
      accounts: {
        student: { preferred_username: 'audstudent', groups: ['cps-students'] },
        outsider: { preferred_username: 'audoutsider', groups: [] },
      },
    });
    t = await startTestHub({
      config: {
        hub: { public: { ip: '127.0.0.1', port: hubPort } },
        auth: { kind: 'oidc', oidc: { issuer: provider.issuer, clientId: 'clusterhub', clientSecretEnv: SECRET_ENV, allowedGroups: ['cps-students'], displayName: 'Test University' } },
      },
      overrides: { spawner },
    });
  });

  afterAll(async () => {
    await t?.stop();
    await provider?.stop();
    await spawner.close();
    delete process.env[SECRET_ENV];
  });

  const login = async (account: string): Promise<number> => {
    const browser = new BrowserClient();
    const loginPage = await browser.request(`${t.publicUrl}/hub/login`);
    const href = /id="login_provider" href="([^"]+)"/.exec(loginPage.text)?.[1] ?? '';
    return (await signInAtProvider(browser, provider, new URL(href.replace(/&amp;/g, '&'), loginPage.url).toString(), account)).status;
  };

  const loginEvents = (count: number): Promise<EventJson[]> =>
    pollUntil(`${count} login events`, async () => {
      const items = ((await apiCall(`${t.apiUrl}/clusterhub/audit?action=login`, { token: t.adminToken })).json as { items: EventJson[] }).items;
      return items.length >= count ? items : undefined;
    }, 10_000, 50);

  it('records the success with method oidc and the groups, and the refusal with its reason', async () => {
    expect(await login('student')).toBe(200);
    expect(await login('outsider')).toBe(403);
    const [refused, success] = await loginEvents(2);
    expect(success).toMatchObject({ action: 'login.success', actor: { kind: 'user', name: 'audstudent' }, user: 'audstudent', details: { method: 'oidc', groups: ['cps-students'] } });
    expect(refused).toMatchObject({ action: 'login.failure', actor: { kind: 'anonymous', name: null }, user: null, details: { method: 'oidc' } });
    expect(String(refused?.details.reason)).toContain('not allowed');
    expect(refused?.address).toBe('127.0.0.1');
  });
});
