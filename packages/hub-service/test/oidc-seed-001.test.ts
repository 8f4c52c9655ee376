import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { HubConfig } from '@clusterhub/shared';
import { apiCall, errorCode } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { freePort, signInAtProvider, startTestProvider, type TestProvider } from './harness/oidc-provider';
import { REPO_ROOT } from './harness/repo-paths';
import { waitForReady } from './harness/singleuser';
import { snapshotStore } from './harness/store-snapshot';

/**
 * Seed 001 end to end (issue 8, Tests): the hub started with `docs/examples/seed-001-access.yaml`
 * as it is, only its provider pointed at a real OpenID Provider (oidc-provider in its own process)
 * with one account per group of the seed's matrix. Each account signs in through the full browser
 * flow (login page button → provider login and consent → callback); the matrix is then checked
 * through the API with each user's own token: the profile list, a server created with each
 * profile (the access decision, taken before any server runs), a crafted start of a forbidden
 * profile, and one allowed CPU server started for real (jupyterhub-singleuser, local process).
 */
const EXAMPLE = join(REPO_ROOT, 'docs', 'examples', 'seed-001-access.yaml');
const SECRET_ENV = 'OIDC_CLIENT_SECRET';
const SECRET = 'seed-001-client-secret-0123456789';
const PROFILES = ['cpu', 'mig', 'gpu'];

/** Account at the provider → its groups, the profiles it may use, admin. */
const MATRIX: Record<string, { groups: string[]; allowed: string[]; admin: boolean }> = {
  seednone: { groups: [], allowed: [], admin: false },
  seedstudent: { groups: ['cps-students'], allowed: ['cpu'], admin: false },
  seedhpc: { groups: ['cpsHPCAccess'], allowed: ['cpu', 'mig', 'gpu'], admin: false },
  seedadmin: { groups: ['jupyter_admin'], allowed: ['cpu', 'mig', 'gpu'], admin: true },
};
const SIGNED_IN = Object.entries(MATRIX).filter(([, row]) => row.groups.length > 0);

describe('seed 001 through a real OpenID provider (docs/examples/seed-001-access.yaml)', () => {
  let provider: TestProvider;
  let t: TestHub;
  const previousSecret = process.env[SECRET_ENV];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    process.env[SECRET_ENV] = SECRET;
    const hubPort = await freePort();
    provider = await startTestProvider({
      clients: [{ client_id: 'jupyterhub', client_secret: SECRET, redirect_uris: [`http://127.0.0.1:${hubPort}/hub/oauth_callback`] }],
      accounts: Object.fromEntries(Object.entries(MATRIX).map(([name, row]) => [name, { preferred_username: name, groups: row.groups }])),
    });
    const example = parse(readFileSync(EXAMPLE, 'utf8')) as HubConfig;
    const oidc = example.auth?.oidc;
    if (!oidc) throw new Error('the example has no auth.oidc');
    t = await startTestHub({
      config: {
        ...example,
        auth: { ...example.auth, oidc: { ...oidc, issuer: provider.issuer } },
        hub: { ...example.hub, public: { ip: '127.0.0.1', port: hubPort } },
      },
    });
  });

  afterAll(async () => {
    await apiCall(`${t.apiUrl}/users/seedstudent/server`, { method: 'DELETE', token: t.adminToken }).catch(() => undefined);
    await t?.stop();
    await provider?.stop();
    if (previousSecret === undefined) delete process.env[SECRET_ENV];
    else process.env[SECRET_ENV] = previousSecret;
  });

  /** A fresh browser: the login page's "Sign in with Authentik" button, the provider's pages, back to the hub. */
  const browserLogin = async (account: string): Promise<TestResponse> => {
    const browser = new BrowserClient();
    const loginPage = await browser.request(`${t.publicUrl}/hub/login`);
    expect(loginPage.text).toContain('Sign in with Authentik');
    const href = /id="login_provider" href="([^"]+)"/.exec(loginPage.text)?.[1];
    if (!href) throw new Error('no provider button on the login page');
    return signInAtProvider(browser, provider, new URL(href.replace(/&amp;/g, '&'), loginPage.url).toString(), account);
  };

  it('signs each seed account in through the browser: groups and admin from the provider; no group refused', async () => {
    for (const [name, row] of SIGNED_IN) {
      const page = await browserLogin(name);
      expect({ name, status: page.status, path: new URL(page.url).pathname }).toEqual({ name, status: 200, path: '/hub/home' });
      const model = (await apiCall(`${t.apiUrl}/users/${name}`, { token: t.adminToken })).json;
      expect(model).toMatchObject({ name, admin: row.admin, groups: row.groups });
      const created = await apiCall(`${t.apiUrl}/users/${name}/tokens`, { method: 'POST', token: t.adminToken, body: { note: 'seed 001 test' } });
      expect(created.status).toBe(201);
      tokens[name] = (created.json as { token: string }).token;
    }
    const before = await snapshotStore(t.hub.context.store);
    const refused = await browserLogin('seednone');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Your account seednone is not allowed on this hub');
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
    expect((await apiCall(`${t.apiUrl}/users/seednone`, { token: t.adminToken })).status).toBe(404);
  });

  it.each(SIGNED_IN)('lists and decides the profiles of %s as the matrix says (own token)', async (name, row) => {
    const token = tokens[name];
    const profiles = (await apiCall(`${t.apiUrl}/clusterhub/profiles`, { token })).json as { slug: string; allowed: boolean }[];
    expect(Object.fromEntries(profiles.map((p) => [p.slug, p.allowed]))).toEqual(Object.fromEntries(PROFILES.map((p) => [p, row.allowed.includes(p)])));
    for (const profile of PROFILES) {
      // A stopped server made with the profile: the access decision, before anything runs.
      const url = `${t.apiUrl}/users/${name}/servers/probe-${profile}`;
      const before = await snapshotStore(t.hub.context.store);
      const reply = await apiCall(url, { method: 'PUT', token, body: { user_options: { profile } } });
      if (row.allowed.includes(profile)) {
        expect({ profile, status: reply.status }).toEqual({ profile, status: 201 });
        expect((await apiCall(url, { method: 'DELETE', token, body: { remove: true } })).status).toBe(204);
      } else {
        expect({ profile, status: reply.status, code: errorCode(reply) }).toEqual({ profile, status: 403, code: 'profile_forbidden' });
        // The crafted start of a forbidden profile: refused before the spawner, nothing written.
        const start = await apiCall(`${t.apiUrl}/users/${name}/server`, { method: 'POST', token, body: { profile } });
        expect({ profile, status: start.status, code: errorCode(start) }).toEqual({ profile, status: 403, code: 'profile_forbidden' });
        expect(await snapshotStore(t.hub.context.store)).toBe(before);
      }
    }
  });

  it('makes only jupyter_admin members admins', async () => {
    expect((await apiCall(`${t.apiUrl}/users`, { token: tokens.seedadmin })).status).toBe(200);
    for (const name of ['seedstudent', 'seedhpc']) expect((await apiCall(`${t.apiUrl}/users`, { token: tokens[name] })).status).toBe(403);
  });

  it('starts an allowed CPU server for real for the student', async () => {
    const started = await apiCall(`${t.apiUrl}/users/seedstudent/server`, { method: 'POST', token: tokens.seedstudent, body: { profile: 'cpu' } });
    expect([201, 202]).toContain(started.status);
    const model = await waitForReady(t, 'seedstudent');
    expect(model.ready).toBe(true);
    expect((await apiCall(`${t.apiUrl}/users/seedstudent/server`, { method: 'DELETE', token: tokens.seedstudent })).status).toBeLessThan(300);
  }, 120_000);
});
