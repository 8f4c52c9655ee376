/**
 * Restart safety with the real jupyterhub-singleuser: a hub stopped and started again on the same
 * data folder (and the same public and internal ports) re-adopts the running server, restores its
 * route, keeps the browser's session and lets a new websocket reach the same kernel; a server
 * killed while the hub is down is marked stopped (`died`) by the next start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubConfig } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import {
  apiCall,
  freePort,
  KernelChannel,
  killIfCommand,
  killProcessGroup,
  labPageConfig,
  navigate,
  pollUntil,
  processAlive,
  serverModel,
  serverPid,
  startKernel,
  startServerAndWait,
  stopServerQuietly,
} from './harness/singleuser';

const PASSWORD = 'alice-password-1';

describe('hub restart with a running jupyterhub-singleuser', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'clusterhub-restart-'));
  const browser = new BrowserClient();
  let config: HubConfig = {};
  let t: TestHub | null = null;
  let aliceToken = '';
  let pid = 0;
  let kernelId = '';
  let labToken = '';
  let openedBefore: KernelChannel | null = null;
  let kernelPid = 0;
  const serverUrl = (hub: TestHub): string => `${hub.publicUrl}/user/alice/`;

  /** Stops the current hub, keeping the data folder; the servers keep running. */
  async function stopHub(): Promise<void> {
    await t?.stop({ keepData: true });
    t = null;
  }

  async function startHub(): Promise<TestHub> {
    t = await startTestHub({ config, dataDir });
    return t;
  }

  beforeAll(async () => {
    // Fixed ports for both hubs: the browser's origin and the server's JUPYTERHUB_API_URL must stay valid.
    const [publicPort, internalPort] = [await freePort(), await freePort()];
    config = { hub: { public: { ip: '127.0.0.1', port: publicPort }, internal: { ip: '127.0.0.1', port: internalPort } } };
    const hub = await startHub();
    aliceToken = await hub.addUser('alice', { password: PASSWORD });
    pid = serverPid(await startServerAndWait(hub, 'alice', aliceToken));

    expect((await browser.login(hub.publicUrl, 'alice', PASSWORD)).status).toBe(200);
    const lab = await navigate(browser, `${serverUrl(hub)}lab`);
    expect(lab.status).toBe(200);
    labToken = String(labPageConfig(lab.text)['token']);

    kernelId = await startKernel(serverUrl(hub), aliceToken);
    // Left open across the restart, like a browser tab would.
    openedBefore = await KernelChannel.open(serverUrl(hub), kernelId, aliceToken);
    expect(await openedBefore.execute('x = 40; x + 2')).toBe('42');
    // The kernel runs in its own session, outside the server's process group: remember it for the cleanup.
    kernelPid = Number(await openedBefore.execute('import os; os.getpid()'));
  });

  afterAll(async () => {
    await openedBefore?.close();
    const hub = t ?? (await startHub().catch(() => null));
    if (hub) {
      await stopServerQuietly(hub, 'alice');
      await stopHub();
    }
    if (pid > 0) killProcessGroup(pid);
    if (kernelPid > 0) killIfCommand(kernelPid, 'ipykernel');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('re-adopts the running server: same process, route restored, browser session and kernel still usable', async () => {
    await stopHub();
    expect(processAlive(pid)).toBe(true);
    const hub = await startHub();

    const model = await serverModel(hub, 'alice');
    expect(model).toMatchObject({ ready: true, lifecycle: 'running', stopped: false });
    expect(model && serverPid(model)).toBe(pid);

    expect((await hub.hub.proxy.getAllRoutes()).get('/user/alice/')?.data).toMatchObject({ user: 'alice', server_name: '' });
    const api = await fetch(`${serverUrl(hub)}api`);
    expect(api.status).toBe(200);
    expect(api.headers.get('x-jupyterhub-version')).toMatch(/^6\.1\./);

    // The hub cookie is signed with the persisted secret; the server's cookie belongs to the server.
    const home = await browser.request(`${hub.publicUrl}/hub/home`);
    expect(home.status).toBe(200);
    expect(new URL(home.url).pathname).toBe('/hub/home');
    const lab = await navigate(browser, `${serverUrl(hub)}lab`);
    expect(lab.status).toBe(200);
    expect(new URL(lab.url).pathname).toBe('/user/alice/lab');
    expect(labPageConfig(lab.text)['token']).toBe(labToken);
    // The OAuth token the server holds is still known to the new hub (not just cached by the server).
    expect((await apiCall(`${hub.apiUrl}/user`, labToken)).body).toMatchObject({ name: 'alice' });

    const channel = await KernelChannel.open(serverUrl(hub), kernelId, aliceToken);
    try {
      expect(await channel.execute('1+1')).toBe('2');
      // Same kernel process: the state from before the restart is still there.
      expect(await channel.execute('x')).toBe('40');
    } finally {
      await channel.close();
    }
  });

  it('marks a server killed while the hub was down as stopped with reason "died"', async () => {
    await stopHub();
    killProcessGroup(pid);
    await pollUntil('the killed server to be gone', async () => (processAlive(pid) ? undefined : true), 30_000);
    const hub = await startHub();

    const model = await serverModel(hub, 'alice', { includeStopped: true });
    expect(model).toMatchObject({ ready: false, stopped: true, lifecycle: 'stopped', stop_reason: 'died' });
    expect(await serverModel(hub, 'alice')).toBeUndefined();
    expect((await hub.hub.proxy.getAllRoutes()).has('/user/alice/')).toBe(false);
    // The browser (still logged in) now lands on the hub's "not running" page instead of a dead route.
    const page = await navigate(browser, `${serverUrl(hub)}lab`);
    expect(page.status).toBe(424);
    expect(new URL(page.url).pathname).toBe('/hub/user/alice/lab');
    // The server's credentials went with it, including the browser tokens its OAuth client handed out.
    expect((await apiCall(`${hub.apiUrl}/user`, labToken)).status).toBe(403);
    expect((await apiCall(`${hub.apiUrl}/user`, aliceToken)).status).toBe(200);
  });
});
