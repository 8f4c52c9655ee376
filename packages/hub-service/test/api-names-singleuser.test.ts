/**
 * User names JupyterHub accepts but a naive hub would mangle (an e-mail address with `+`, a
 * non-ASCII name with a space),
 * driven through the real jupyterhub-singleuser 6.1 + JupyterLab: the server starts at the quoted
 * URL, the browser's OAuth dance completes (the client id and cookie name escape `@` as
 * JupyterHub's `quote(name)` does) and Lab names the user (issue 5 item 6).
 */
import { quoteSegment } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { killProcessGroup, labPageConfig, navigate, serverModel, serverPid, startServerAndWait, stopServerQuietly } from './harness/singleuser';

const PASSWORD = 'named-password-1';

describe.each([
  ['ann+lab@uni.example', 'ann%2Blab@uni.example', 'jupyterhub-user-ann%2Blab%40uni.example'],
  ['zoë smith', 'zo%C3%AB%20smith', 'jupyterhub-user-zo%C3%AB%20smith'],
])('a user named %j, through the real singleuser', (name, quoted, cookieName) => {
  let t: TestHub;
  let pid = 0;

  beforeAll(async () => {
    t = await startTestHub({ config: { proxy: { checkRoutesIntervalSeconds: 3600 } } });
    const token = await t.addUser(name, { password: PASSWORD });
    pid = serverPid(await startServerAndWait(t, quoteSegment(name), token));
  });

  afterAll(async () => {
    if (t) {
      await stopServerQuietly(t, quoted);
      await t.stop();
    }
    if (pid > 0) killProcessGroup(pid);
  });

  it('serves Lab at /user/<quoted name>/ after the OAuth dance, with the cookie JupyterHub would name', async () => {
    expect(quoteSegment(name)).toBe(quoted);
    expect(await serverModel(t, quoted)).toMatchObject({ ready: true, url: `/user/${quoted}/` });
    const client = new BrowserClient();
    expect((await client.login(t.publicUrl, name, PASSWORD)).status).toBe(200);
    const page = await navigate(client, `${t.publicUrl}/user/${quoted}/lab`);
    expect(page.status).toBe(200);
    expect(labPageConfig(page.text)).toMatchObject({ hubUser: name, hubServerUser: name, baseUrl: `/user/${quoted}/` });
    const cookies = await client.jar.getCookies(`${t.publicUrl}/user/${quoted}/lab`);
    expect(cookies.map((c) => c.key)).toContain(cookieName);
  });
});
