import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { apiCall, errorCode, type ApiReply } from './harness/api-call';
import { BrowserClient } from './harness/http-client';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { REPO_ROOT } from './harness/repo-paths';
import { snapshotStore } from './harness/store-snapshot';

/**
 * Seed 001's access matrix (issue 8, item 4), from the example config `docs/examples/seed-001-access.yaml`:
 * one user per group (none, cps-students, cpsHPCAccess, jupyter_admin) through a real hub with
 * FakeSpawner servers. Every path that starts or changes a server refuses a forbidden profile with
 * 403 `profile_forbidden` and writes nothing.
 */
const EXAMPLE = join(REPO_ROOT, 'docs', 'examples', 'seed-001-access.yaml');

/** user → [groups, profiles allowed]; the matrix of the issue. */
const MATRIX: Record<string, { groups: string[]; allowed: string[]; admin: boolean }> = {
  nora: { groups: [], allowed: [], admin: false },
  sam: { groups: ['cps-students'], allowed: ['cpu'], admin: false },
  hana: { groups: ['cpsHPCAccess'], allowed: ['cpu', 'mig', 'gpu'], admin: false },
  ada: { groups: ['jupyter_admin'], allowed: ['cpu', 'mig', 'gpu'], admin: true },
};
const PROFILES = ['cpu', 'mig', 'gpu'];

function formXsrf(html: string): string {
  return /name="_xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}

describe('seed 001 access matrix (docs/examples/seed-001-access.yaml)', () => {
  const spawner = new FakeSpawner();
  let t: TestHub;
  const tokens: Record<string, string> = {};
  const config = loadConfig(EXAMPLE, { env: { OIDC_CLIENT_SECRET: 'example-secret' } });

  const state = async (): Promise<string> => snapshotStore(t.hub.context.store);
  const expectForbidden = (reply: ApiReply): void => {
    expect(reply.status).toBe(403);
    expect(errorCode(reply)).toBe('profile_forbidden');
  };

  beforeAll(async () => {
    // The hub under test signs users in locally; the groups and admin flag are those a login
    // through the example's provider would give (adminGroups ⇒ admin; tested in oidc-login.test.ts).
    const [first, ...rest] = config.profiles;
    if (!first) throw new Error('the example has no profiles');
    t = await startTestHub({ config: { profiles: [first, ...rest], hub: { allowNamedServers: true } }, overrides: { spawner } });
    const store = t.hub.context.store;
    for (const [name, row] of Object.entries(MATRIX)) {
      tokens[name] = await t.addUser(name, { admin: row.admin, password: `${name}-password-1` });
      const user = await store.users.getByName(name);
      if (!user) throw new Error(`no ${name}`);
      await store.groups.setUserGroups(user.id, row.groups);
    }
  });

  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('is a valid config with the matrix: groups per profile and jupyter_admin as admin group', () => {
    expect(config.profiles.map((p) => [p.slug, p.groups])).toEqual([
      ['cpu', ['cps-students', 'cpsHPCAccess', 'jupyter_admin']],
      ['mig', ['cpsHPCAccess', 'jupyter_admin']],
      ['gpu', ['cpsHPCAccess', 'jupyter_admin']],
    ]);
    expect(config.auth.oidc?.adminGroups).toEqual(['jupyter_admin']);
  });

  it.each(Object.entries(MATRIX))('enforces the matrix for %s on the default server', async (name, row) => {
    for (const profile of PROFILES) {
      const url = `${t.apiUrl}/users/${name}/server`;
      if (row.allowed.includes(profile)) {
        expect((await apiCall(url, { method: 'POST', token: tokens[name], body: { profile } })).status).toBe(201);
        expect((await apiCall(url, { method: 'DELETE', token: tokens[name] })).status).toBe(204);
      } else {
        const before = await state();
        expectForbidden(await apiCall(url, { method: 'POST', token: tokens[name], body: { profile } }));
        expect(await state()).toBe(before);
      }
    }
  });

  it('refuses a forbidden profile on named-server start, PUT and PATCH, writing nothing', async () => {
    const token = tokens.sam;
    const before = await state();
    expectForbidden(await apiCall(`${t.apiUrl}/users/sam/servers/train`, { method: 'POST', token, body: { profile: 'gpu' } }));
    expectForbidden(await apiCall(`${t.apiUrl}/users/sam/servers/train`, { method: 'PUT', token, body: { user_options: { profile: 'mig' } } }));
    expect(await state()).toBe(before);
    // A stopped server made with an allowed profile cannot be switched to a forbidden one.
    expect((await apiCall(`${t.apiUrl}/users/sam/servers/notes`, { method: 'PUT', token, body: { user_options: { profile: 'cpu' } } })).status).toBe(201);
    const created = await state();
    expectForbidden(await apiCall(`${t.apiUrl}/users/sam/servers/notes`, { method: 'PATCH', token, body: { user_options: { profile: 'gpu' } } }));
    expect(await state()).toBe(created);
  });

  it('decides by the server owner: an admin acting for a student cannot start a GPU for them', async () => {
    const before = await state();
    expectForbidden(await apiCall(`${t.apiUrl}/users/sam/server`, { method: 'POST', token: tokens.ada, body: { profile: 'gpu' } }));
    expectForbidden(await apiCall(`${t.apiUrl}/users/sam/servers/admin-made`, { method: 'POST', token: t.adminToken, body: { profile: 'mig' } }));
    expect(await state()).toBe(before);
  });

  it("refuses a forbidden profile posted to the home page's start form, writing nothing", async () => {
    const browser = new BrowserClient();
    expect((await browser.login(t.internalUrl, 'sam', 'sam-password-1')).status).toBe(200);
    const xsrf = formXsrf((await browser.request(`${t.internalUrl}/hub/home`)).text);
    const before = await state();
    const page = await browser.request(`${t.internalUrl}/hub/home/servers`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _xsrf: xsrf, server_name: 'crafted', profile: 'gpu' }).toString(),
      follow: false,
    });
    expect(page.status).toBe(403);
    expect(await state()).toBe(before);
  });

  /** Posts a form of the hub's pages as a browser would, with the XSRF token of the home page. */
  const postForm = async (browser: BrowserClient, path: string, fields: Record<string, string>, follow = false) => {
    const xsrf = formXsrf((await browser.request(`${t.internalUrl}/hub/home`)).text);
    return browser.request(`${t.internalUrl}/hub/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _xsrf: xsrf, ...fields }).toString(),
      follow,
    });
  };

  it("refuses a forbidden profile on the home page's profile form and the spawn-confirm POST, writing nothing", async () => {
    const browser = new BrowserClient();
    expect((await browser.login(t.internalUrl, 'sam', 'sam-password-1')).status).toBe(200);
    // `notes` is sam's stopped server from the PUT test above.
    const before = await state();
    expect((await postForm(browser, 'home/servers/notes/profile', { profile: 'mig' })).status).toBe(403);
    const confirm = await postForm(browser, 'spawn/sam', { profile: 'gpu' });
    expect(confirm.status).toBe(403);
    expect(confirm.text).toContain('may not use profile gpu');
    expect(await state()).toBe(before);
  });

  it('refuses the admin page starting a server for a user with no allowed group, writing nothing', async () => {
    const admin = new BrowserClient();
    expect((await admin.login(t.internalUrl, 'ada', 'ada-password-1')).status).toBe(200);
    const before = await state();
    const page = await postForm(admin, 'admin/servers/start', { user: 'nora', server: '' }, true);
    expect(/id="admin-error">([^<]*)</.exec(page.text)?.[1]).toContain('nora may not use profile cpu');
    expect(await state()).toBe(before);
  });

  it('lists forbidden profiles with the reason, in the profiles API and greyed on the home page', async () => {
    const reply = await apiCall(`${t.apiUrl}/clusterhub/profiles`, { token: tokens.sam });
    expect(reply.status).toBe(200);
    const listed = (reply.json as { slug: string; allowed: boolean; reason?: string }[]).map((p) => [p.slug, p.allowed, p.reason]);
    expect(listed).toEqual([
      ['cpu', true, undefined],
      ['mig', false, 'needs one of the groups cpsHPCAccess, jupyter_admin'],
      ['gpu', false, 'needs one of the groups cpsHPCAccess, jupyter_admin'],
    ]);
    const adminList = (await apiCall(`${t.apiUrl}/clusterhub/profiles`, { token: tokens.ada })).json as { allowed: boolean }[];
    expect(adminList.map((p) => p.allowed)).toEqual([true, true, true]);
    const browser = new BrowserClient();
    expect((await browser.login(t.internalUrl, 'nora', 'nora-password-1')).status).toBe(200);
    const home = (await browser.request(`${t.internalUrl}/hub/home`)).text;
    expect(home).toContain('<option value="cpu" disabled>CPU — 0.1 units/h (needs one of the groups cps-students, cpsHPCAccess, jupyter_admin)</option>');
    expect(home).toContain('<option value="gpu" disabled>Full A100 — 8 units/h (needs one of the groups cpsHPCAccess, jupyter_admin)</option>');
    // nora is in no group: she sees why she cannot start anything, and the start button is disabled.
    expect(home).toContain('No profile is available to you: CPU needs one of the groups cps-students, cpsHPCAccess, jupyter_admin; MIG 1g.5gb needs one of the groups cpsHPCAccess, jupyter_admin; Full A100 needs one of the groups cpsHPCAccess, jupyter_admin. Ask an administrator for access.');
    expect(home).toMatch(/id="start" disabled/);
  });
});
