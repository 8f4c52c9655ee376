import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { snapshotStore } from './harness/store-snapshot';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * `/hub/admin` as an administrator and as an ordinary user use it: users and their servers, add,
 * edit, delete, start, stop, stop all, groups and members; every action is a form with `_xsrf`
 * answered by a redirect and a one-time notice; non-admins get 403 and change nothing.
 */
function formXsrf(page: TestResponse): string {
  return /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
}

function notice(page: TestResponse): string | null {
  return /id="admin-notice">([^<]*)</.exec(page.text)?.[1] ?? null;
}

function error(page: TestResponse): string | null {
  return /id="admin-error">([^<]*)</.exec(page.text)?.[1] ?? null;
}

describe('admin page', () => {
  let t: TestHub;
  let admin: BrowserClient;
  let alice: BrowserClient;
  const spawner = new FakeSpawner();
  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner } });
    await t.addUser('alice', { password: 'alice-password-1' });
    admin = new BrowserClient();
    alice = new BrowserClient();
    expect((await admin.login(t.internalUrl, 'admin', 'admin-password-1')).status).toBe(200);
    expect((await alice.login(t.internalUrl, 'alice', 'alice-password-1')).status).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  const page = (client: BrowserClient = admin): Promise<TestResponse> => client.request(`${t.internalUrl}/hub/admin`);
  /** Posts a form the way the page does, then follows the redirect back to the page. */
  const submit = async (path: string, fields: Record<string, string>, client: BrowserClient = admin, xsrfFrom?: TestResponse): Promise<TestResponse> => {
    const xsrf = formXsrf(xsrfFrom ?? (await client.request(`${t.internalUrl}/hub/home`)));
    const body = new URLSearchParams({ _xsrf: xsrf, ...fields }).toString();
    return client.request(`${t.internalUrl}/hub/admin${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  };
  const user = (name: string) => t.hub.context.store.users.getByName(name);
  const serverOf = async (name: string, server = '') => t.hub.context.store.servers.get((await user(name))?.id ?? -1, server);
  const waitUntil = async (check: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
  };

  it('is linked for admins only, and refused (403, nothing changed) to others', async () => {
    expect((await admin.request(`${t.internalUrl}/hub/home`)).text).toContain('id="nav-admin"');
    expect((await alice.request(`${t.internalUrl}/hub/home`)).text).not.toContain('id="nav-admin"');
    const refused = await page(alice);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('id="admin-users"');
    const before = await snapshotStore(t.hub.context.store);
    expect((await submit('/users', { names: 'mallory', admin: '1' }, alice)).status).toBe(403);
    expect((await submit('/users/admin/delete', {}, alice)).status).toBe(403);
    expect((await submit('/stop-all', {}, alice)).status).toBe(403);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('lists users with their servers', async () => {
    const res = await page();
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/hub/admin" id="nav-admin" aria-current="page"');
    expect(res.text).toMatch(/<tr data-user="alice">/);
    expect(res.text).toMatch(/<tr data-user="admin">\s*<td><strong>admin<\/strong> <span class="chip">admin<\/span>/);
    expect(res.text).toContain('data-server="alice/"');
  });

  it('adds users (one per line), shows the result once, and a reload adds nothing', async () => {
    const res = await submit('/users', { names: 'carol\r\ndave\r\n\r\nalice' });
    expect(res.status).toBe(200);
    expect(notice(res)).toBe('Added carol, dave. Already there: alice.');
    expect(await user('carol')).toMatchObject({ admin: false });
    expect(notice(await page())).toBeNull();
    const bad = await submit('/users', { names: 'no/slash' });
    expect(error(bad)).toMatch(/Invalid user name/);
    expect(await user('no/slash')).toBeNull();
  });

  it('renames a user and sets the admin flag, but never removes your own', async () => {
    const res = await submit('/users/carol/edit', { name: 'carla', admin: '1' });
    expect(notice(res)).toBe('Saved carla (was carol), an administrator.');
    expect(await user('carol')).toBeNull();
    expect(await user('carla')).toMatchObject({ admin: true });
    const self = await submit('/users/admin/edit', { name: 'admin' });
    expect(error(self)).toBe('You cannot remove your own admin rights.');
    expect(await user('admin')).toMatchObject({ admin: true });
  });

  it('deletes a user, but not yourself', async () => {
    expect(notice(await submit('/users/dave/delete', {}))).toBe('Deleted dave.');
    expect(await user('dave')).toBeNull();
    expect(error(await submit('/users/admin/delete', {}))).toBeTruthy();
    expect(await user('admin')).not.toBeNull();
  });

  it("starts and stops a user's server", async () => {
    expect(notice(await submit('/servers/start', { user: 'alice', server: '' }))).toBe('Starting the server of alice.');
    await waitUntil(async () => (await serverOf('alice'))?.state === 'running');
    const listed = await page();
    expect(listed.text).toMatch(/data-server="alice\/">[\s\S]*?Running[\s\S]*?>Stop</);
    expect(notice(await submit('/servers/stop', { user: 'alice', server: '' }))).toMatch(/^Stopp(ed|ing) the server of alice\.$/);
    await waitUntil(async () => (await serverOf('alice'))?.state === 'stopped');
    expect(await serverOf('alice')).toMatchObject({ state: 'stopped', stopReason: 'admin' });
  });

  it('stops all servers', async () => {
    await submit('/servers/start', { user: 'alice', server: '' });
    await submit('/servers/start', { user: 'carla', server: '' });
    await waitUntil(async () => (await serverOf('alice'))?.state === 'running' && (await serverOf('carla'))?.state === 'running');
    expect(notice(await submit('/stop-all', {}))).toBe('Stopping 2 servers.');
    await waitUntil(async () => (await t.hub.context.store.servers.countActive()) === 0);
    expect(await t.hub.context.store.servers.countActive()).toBe(0);
  });

  it('creates groups, adds and removes members, deletes groups', async () => {
    expect(notice(await submit('/groups', { name: 'team' }))).toBe('Created group team.');
    expect(error(await submit('/groups', { name: 'team' }))).toBe('Group team already exists.');
    expect(notice(await submit('/groups/team/add', { user: 'alice' }))).toBe('Added alice to team.');
    expect(await t.hub.context.store.groups.groupNamesOf((await user('alice'))?.id ?? -1)).toEqual(['team']);
    expect((await page()).text).toMatch(/<tr data-group="team">[\s\S]*?alice/);
    expect(error(await submit('/groups/team/add', { user: 'ghost' }))).toBe('No such user: ghost.');
    expect(notice(await submit('/groups/team/remove', { user: 'alice' }))).toBe('Removed alice from team.');
    expect(await t.hub.context.store.groups.groupNamesOf((await user('alice'))?.id ?? -1)).toEqual([]);
    expect(notice(await submit('/groups/team/delete', {}))).toBe('Deleted group team.');
    expect(await t.hub.context.store.groups.getByName('team')).toBeNull();
  });

  it('refuses a form without _xsrf, changing nothing', async () => {
    const before = await snapshotStore(t.hub.context.store);
    const res = await admin.request(`${t.internalUrl}/hub/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'names=eve',
    });
    expect(res.status).toBe(403);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });
});
