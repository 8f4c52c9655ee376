import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { snapshotStore } from './harness/store-snapshot';
import { apiCall } from './harness/api-call';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { SERVER_NAME_PATTERN } from '../src/http/pages/home';
import { isValidServerName } from '@clusterhub/shared';

/**
 * Named servers on the home page, as a browser uses them: the name field's `pattern` compiles the
 * way browsers compile it (`v` flag) and agrees with the hub's rule; a refused name comes back in
 * the form with the reason; a stopped server's profile can be changed and the server deleted; the
 * forms refuse running servers, other users' servers and a missing `_xsrf`, changing nothing.
 */
function formXsrf(page: TestResponse): string {
  return /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
}

describe('the name pattern', () => {
  it('is a valid regular expression under the v flag and matches exactly what the hub accepts', () => {
    const re = new RegExp(`^(?:${SERVER_NAME_PATTERN})$`, 'v');
    for (const name of ['a', 'gpu', 'train-2', 'a-b-c', 'x'.repeat(30), 'A', '2a', 'a-', 'a--b', '-a', 'a_b', 'x'.repeat(31), '', 'é']) {
      expect([name, re.test(name)]).toEqual([name, isValidServerName(name)]);
    }
  });
});

describe('named servers on the home page', () => {
  let t: TestHub;
  let alice: BrowserClient;
  const spawner = new FakeSpawner();
  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner } });
    await t.addUser('alice', { password: 'alice-password-1' });
    await t.addUser('bob', { password: 'bob-password-1' });
    alice = new BrowserClient();
    expect((await alice.login(t.internalUrl, 'alice', 'alice-password-1')).status).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  const home = (): Promise<TestResponse> => alice.request(`${t.internalUrl}/hub/home`);
  const post = async (path: string, fields: Record<string, string>, withXsrf = true): Promise<TestResponse> => {
    const xsrf = formXsrf(await home());
    const body = new URLSearchParams({ ...(withXsrf ? { _xsrf: xsrf } : {}), ...fields }).toString();
    return alice.request(`${t.internalUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, follow: false });
  };
  const server = async (owner: string, name: string) => {
    const user = await t.hub.context.store.users.getByName(owner);
    return t.hub.context.store.servers.get(user?.id ?? -1, name);
  };
  const waitUntil = async (check: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
  };

  it('a refused name re-renders the form with what was typed, the profile chosen and the reason, and creates nothing', async () => {
    const before = await snapshotStore(t.hub.context.store);
    const res = await post('/hub/home/servers', { server_name: 'My_Server', profile: 'mig-1g.5gb' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/role="alert" id="new-server-error">Invalid server_name/);
    expect(res.text).toMatch(/id="new-server-name"[^>]*value="My_Server"/);
    expect(res.text).toMatch(/<select name="profile" id="new-server-profile" required>.*<option value="mig-1g.5gb" selected>/s);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('an empty name is refused the same way (never starts the default server)', async () => {
    const res = await post('/hub/home/servers', { server_name: '  ', profile: 'cpu-default' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="new-server-error"');
    expect(await server('alice', '')).toBeNull();
  });

  it('a good name creates and starts the server and goes to its progress page', async () => {
    const res = await post('/hub/home/servers', { server_name: 'train', profile: 'cpu-default' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/hub/spawn-pending/alice/train');
    await waitUntil(async () => (await server('alice', 'train'))?.state === 'running');
    expect((await server('alice', 'train'))?.state).toBe('running');
  });

  it('an existing name is a conflict shown in the form', async () => {
    const res = await post('/hub/home/servers', { server_name: 'train', profile: 'cpu-default' });
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/id="new-server-name"[^>]*value="train"/);
  });

  it('a running server can be neither re-profiled nor deleted', async () => {
    const before = await snapshotStore(t.hub.context.store);
    expect((await post('/hub/home/servers/train/profile', { profile: 'mig-1g.5gb' })).status).toBe(400);
    expect((await post('/hub/home/servers/train/delete', {})).status).toBe(400);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
    expect((await home()).text).not.toContain('id="delete-train"');
  });

  it('a stopped server offers Change profile and Delete; both work', async () => {
    const stop = await post('/hub/stop/alice/train', {});
    expect(stop.status).toBe(303);
    await waitUntil(async () => (await server('alice', 'train'))?.state === 'stopped');
    const page = await home();
    expect(page.text).toMatch(/action="\/hub\/home\/servers\/train\/profile"/);
    expect(page.text).toContain('id="delete-train"');

    const changed = await post('/hub/home/servers/train/profile', { profile: 'mig-1g.5gb' });
    expect(changed.status).toBe(303);
    expect(await server('alice', 'train')).toMatchObject({ profile: 'mig-1g.5gb', userOptions: { profile: 'mig-1g.5gb' } });
    expect((await post('/hub/home/servers/train/profile', { profile: 'nope' })).status).toBe(400);

    const deleted = await post('/hub/home/servers/train/delete', {});
    expect(deleted.status).toBe(303);
    expect(await server('alice', 'train')).toBeNull();
    expect((await home()).text).not.toContain('data-server="train"');
  });

  it('says what the local-process backend does not apply of a profile, on the page and in the profiles API', async () => {
    const page = await home();
    expect(page.text).toContain('id="backend-limits"');
    expect(page.text).toMatch(/<strong>Not applied on this backend:<\/strong> 1 GPU\(s\) are not reserved/);
    const token = await t.addUser('carol');
    const profiles = await apiCall(`${t.apiUrl}/clusterhub/profiles`, { token });
    expect(profiles.status).toBe(200);
    const bySlug = new Map((profiles.json as { slug: string; notApplied: string[] }[]).map((p) => [p.slug, p.notApplied]));
    expect(bySlug.get('gpu-1x')?.join(' ')).toMatch(/GPU\(s\) are not reserved/);
    expect(bySlug.get('mig-1g.5gb')?.join(' ')).toMatch(/MIG slice 1g\.5gb is not reserved/);
  });

  it("cannot touch another user's server, the default server, or act without _xsrf", async () => {
    const bob = await t.hub.context.store.users.getByName('bob');
    await t.hub.context.store.servers.create({ userId: bob?.id ?? -1, name: 'secret', displayName: 'secret' });
    await t.hub.context.store.servers.create({ userId: (await t.hub.context.store.users.getByName('alice'))?.id ?? -1, name: 'mine', displayName: 'mine' });
    const before = await snapshotStore(t.hub.context.store);
    // The forms act on the signed-in user's own servers only: bob's "secret" is simply not found.
    expect((await post('/hub/home/servers/secret/delete', {})).status).toBe(404);
    expect((await post('/hub/home/servers/secret/profile', { profile: 'cpu-default' })).status).toBe(404);
    expect((await post('/hub/home/servers//delete', {})).status).toBe(404);
    expect((await post('/hub/home/servers/mine/delete', {}, false)).status).toBe(403);
    expect((await post('/hub/home/servers', { server_name: 'other' }, false)).status).toBe(403);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });
});
