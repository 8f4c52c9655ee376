/**
 * `hub.tls`: the whole hub over HTTPS with the real jupyterhub-singleuser and JupyterLab behind the
 * built-in proxy. A browser logs in over https:// (the hub's cookies are Secure: hub.cookieSecure
 * auto sees the TLS connection through the proxy's X-Forwarded-Proto), reaches the Lab through the
 * OAuth dance, and runs code in a kernel over wss://. The certificate comes from the real openssl.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { makeSelfSigned, type TestCertificate } from '../src/proxy/testing/self-signed';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { KernelChannel, killProcessGroup, navigate, serverPid, startServerAndWait, stopServerQuietly } from './harness/singleuser';

const PASSWORD = 'alice-password-1';

describe('the hub over HTTPS (hub.tls)', () => {
  let dir = '';
  let cert: TestCertificate;
  let t: TestHub;
  let token = '';
  let pid = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterhub-hub-tls-'));
    cert = makeSelfSigned(dir, 'hub');
    t = await startTestHub({ config: { hub: { tls: { certFile: cert.certFile, keyFile: cert.keyFile } } } });
    token = await t.addUser('alice', { password: PASSWORD });
  });

  afterAll(async () => {
    if (t) {
      await stopServerQuietly(t, 'alice');
      await t.stop();
    }
    if (pid > 0) killProcessGroup(pid);
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs a browser in over https with Secure cookies, serves the Lab through the OAuth dance and a kernel over wss', async () => {
    expect(t.publicUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const browser = new BrowserClient({ ca: cert.pem });
    expect((await browser.login(t.publicUrl, 'alice', PASSWORD)).status).toBe(200);
    const cookies = await browser.jar.getCookies(`${t.publicUrl}/hub/`);
    const login = cookies.find((c) => c.key === 'jupyterhub-hub-login');
    expect(login?.secure).toBe(true);
    expect(login?.httpOnly).toBe(true);

    pid = serverPid(await startServerAndWait(t, 'alice', token));
    const lab = await navigate(browser, `${t.publicUrl}/user/alice/lab`);
    expect(lab.status).toBe(200);
    expect(lab.url).toBe(`${t.publicUrl}/user/alice/lab`);
    expect(lab.text).toContain('jupyter-config-data');
    // The server's own cookie, set on the OAuth callback through the proxy, is Secure too.
    const serverCookies = await browser.jar.getCookies(`${t.publicUrl}/user/alice/`);
    expect(serverCookies.find((c) => c.key.startsWith('jupyterhub-user-alice'))?.secure).toBe(true);

    const dispatcher = new Agent({ connect: { ca: cert.pem } });
    const serverUrl = `${t.publicUrl}/user/alice/`;
    const created = await undiciFetch(`${serverUrl}api/kernels`, { method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: '{}', dispatcher });
    expect(created.status).toBe(201);
    const kernel = (await created.json()) as { id: string };
    const channel = await KernelChannel.open(serverUrl, kernel.id, token, 60_000, cert.pem);
    try {
      expect(await channel.execute('6 * 7')).toBe('42');
    } finally {
      await channel.close();
    }
    await dispatcher.close();
  });

  it('a client that does not trust the certificate gets no answer from the hub', async () => {
    await expect(fetch(`${t.publicUrl}/hub/login`)).rejects.toThrow();
  });
});
