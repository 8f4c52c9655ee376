import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * Error pages as a signed-in browser sees them: the header names the user and offers Logout (and
 * Admin to admins), the page links home, and nothing says "Sign in". Anonymous visitors still get
 * the sign-in link.
 */
function expectSignedIn(res: TestResponse, name: string): void {
  expect(res.headers.get('content-type')).toMatch(/text\/html/);
  expect(res.text).toContain(`id="user-name" title="Signed in as ${name}">${name}</span>`);
  expect(res.text).toContain('id="logout"');
  expect(res.text).toContain('id="error-home" href="/hub/home">Back to home<');
  expect(res.text).not.toContain('Sign in');
}

describe('error pages for signed-in users', () => {
  let t: TestHub;
  let alice: BrowserClient;
  let admin: BrowserClient;
  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner: new FakeSpawner() } });
    await t.addUser('alice', { password: 'alice-password-1' });
    alice = new BrowserClient();
    admin = new BrowserClient();
    expect((await alice.login(t.internalUrl, 'alice', 'alice-password-1')).status).toBe(200);
    expect((await admin.login(t.internalUrl, 'admin', 'admin-password-1')).status).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('404: an unknown page', async () => {
    const res = await alice.request(`${t.internalUrl}/hub/no-such-page`);
    expect(res.status).toBe(404);
    expectSignedIn(res, 'alice');
    expect(res.text).not.toContain('id="nav-admin"');
  });

  it('400: a form with a bad value', async () => {
    const page = await alice.request(`${t.internalUrl}/hub/token`);
    const xsrf = /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const res = await alice.request(`${t.internalUrl}/hub/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _xsrf: xsrf, expires_in: 'soon' }).toString(),
    });
    expect(res.status).toBe(400);
    expectSignedIn(res, 'alice');
  });

  it("403/404: another user's server pages", async () => {
    const res = await alice.request(`${t.internalUrl}/hub/spawn-pending/admin`);
    expect([403, 404]).toContain(res.status);
    expectSignedIn(res, 'alice');
  });

  it("the proxy's error target", async () => {
    const res = await alice.request(`${t.internalUrl}/hub/error/503`);
    expect(res.status).toBe(503);
    expectSignedIn(res, 'alice');
  });

  it('admins see the Admin link on error pages too', async () => {
    const res = await admin.request(`${t.internalUrl}/hub/no-such-page`);
    expectSignedIn(res, 'admin');
    expect(res.text).toContain('id="nav-admin"');
  });

  it('anonymous visitors are offered Sign in', async () => {
    const res = await new BrowserClient().request(`${t.internalUrl}/hub/error/404`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('id="error-home" href="/hub/login">Sign in<');
    expect(res.text).not.toContain('id="logout"');
  });
});
