import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * What a browser sees around a server's start and crash: the spawn-pending page can stop a slow
 * start and links to the server's log (owner and admins only); after a crash a navigation through
 * the proxy lands on the "not running" page with the reason and the last message instead of raw
 * JSON, while scripts keep getting JSON.
 */
function formXsrf(page: TestResponse): string {
  return /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
}

describe('spawn-pending, server log, crash pages', () => {
  let t: TestHub;
  let alice: BrowserClient;
  let bob: BrowserClient;
  let admin: BrowserClient;
  const spawner = new FakeSpawner({ behaviour: (r) => (r.server.name === 'slow' ? { kind: 'never' } : { kind: 'ok' }) });
  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner } });
    await t.addUser('alice', { password: 'alice-password-1' });
    await t.addUser('bob', { password: 'bob-password-1' });
    alice = new BrowserClient();
    bob = new BrowserClient();
    admin = new BrowserClient();
    expect((await alice.login(t.publicUrl, 'alice', 'alice-password-1')).status).toBe(200);
    expect((await bob.login(t.publicUrl, 'bob', 'bob-password-1')).status).toBe(200);
    expect((await admin.login(t.publicUrl, 'admin', 'admin-password-1')).status).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  const serverOf = async (name: string, server = '') => {
    const user = await t.hub.context.store.users.getByName(name);
    return t.hub.context.store.servers.get(user?.id ?? -1, server);
  };
  const waitUntil = async (check: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
  };
  const postForm = (client: BrowserClient, path: string, fields: Record<string, string>): Promise<TestResponse> =>
    client.request(`${t.publicUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), follow: false });

  it('a slow start can be stopped from the spawn-pending page, which links to the log', async () => {
    const home = await alice.request(`${t.publicUrl}/hub/home`);
    const created = await postForm(alice, '/hub/home/servers', { _xsrf: formXsrf(home), server_name: 'slow', profile: 'cpu-default' });
    expect(created.headers.get('location')).toBe('/hub/spawn-pending/alice/slow');
    const pending = await alice.request(`${t.publicUrl}/hub/spawn-pending/alice/slow`);
    expect(pending.status).toBe(200);
    expect(pending.text).toMatch(/<form class="inline" method="post" action="\/hub\/stop\/alice\/slow" id="stop-form"><input type="hidden" name="_xsrf" value="[^"]+"><button[^>]*id="stop-server">Cancel start</);
    expect(pending.text).toContain('id="server-log-link" href="/hub/logs/alice/slow"');

    const log = await alice.request(`${t.publicUrl}/hub/logs/alice/slow`);
    expect(log.status).toBe(200);
    expect(log.text).toMatch(/id="server-log"[^>]*>fake server slow of alice starting \(never\)</);

    const stopped = await postForm(alice, '/hub/stop/alice/slow', { _xsrf: formXsrf(pending) });
    expect(stopped.status).toBe(303);
    expect(stopped.headers.get('location')).toBe('/hub/home');
    await waitUntil(async () => (await serverOf('alice', 'slow'))?.state === 'stopped');
    expect(await serverOf('alice', 'slow')).toMatchObject({ state: 'stopped', stopReason: 'user' });
  });

  it('the log is for its owner and admins only', async () => {
    expect((await bob.request(`${t.publicUrl}/hub/logs/alice/slow`)).status).toBe(403);
    expect((await admin.request(`${t.publicUrl}/hub/logs/alice/slow`)).status).toBe(200);
    expect((await alice.request(`${t.publicUrl}/hub/logs/alice/nosuch`)).status).toBe(404);
    expect((await alice.request(`${t.publicUrl}/hub/logs/ghost`)).status).toBe(404);
  });

  it('after a crash a browser navigation gets the "not running" page with the reason, a script gets JSON', async () => {
    const home = await alice.request(`${t.publicUrl}/hub/home`);
    const started = await postForm(alice, '/hub/spawn/alice', { _xsrf: formXsrf(home), profile: 'cpu-default' });
    expect(started.status).toBe(302);
    await waitUntil(async () => (await serverOf('alice'))?.state === 'running');
    expect((await alice.request(`${t.publicUrl}/user/alice/lab`)).status).toBe(200);
    expect(await spawner.crash('alice')).toBe(true);

    const script = await alice.request(`${t.publicUrl}/user/alice/api/status`, { headers: { accept: 'text/html, application/json', 'sec-fetch-dest': 'empty' } });
    expect(script.status).toBe(503);
    expect(script.json).toMatchObject({ code: 'backend_unavailable', status: 503 });

    const first = await alice.request(`${t.publicUrl}/user/alice/lab?token=secret`, { headers: { accept: 'text/html', 'sec-fetch-dest': 'document' }, follow: false });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/hub/error/503?url=%2Fuser%2Falice%2Flab');

    const page = await alice.request(`${t.publicUrl}/user/alice/lab`, { headers: { accept: 'text/html', 'sec-fetch-dest': 'document' } });
    expect(page.status).toBe(424);
    expect(new URL(page.url).pathname).toBe('/hub/user/alice/lab');
    expect(page.text).toContain('id="stop-reason">It stopped because it exited unexpectedly.<');
    expect(page.text).toMatch(/id="last-error"><strong>Last message:<\/strong> <span class="mono small">the fake server crashed</);
    expect(await serverOf('alice')).toMatchObject({ state: 'stopped', stopReason: 'died' });
  });

  it("the proxy's error target for a server that still runs shows a page that retries", async () => {
    const page = await bob.request(`${t.publicUrl}/hub/error/503?url=${encodeURIComponent('/user/alice/lab')}`);
    expect(page.status).toBe(503);
    expect(page.text).toContain('<meta http-equiv="refresh" content="5;url=/user/alice/lab">');
    expect(page.text).toContain('id="error-home" href="/hub/home"');
    const hostile = await bob.request(`${t.publicUrl}/hub/error/503?url=${encodeURIComponent('//evil.example/x')}`);
    expect(hostile.text).not.toContain('evil.example');
  });
});
