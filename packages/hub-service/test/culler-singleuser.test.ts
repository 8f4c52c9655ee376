/**
 * The whole culling chain with real components (protocol.md §9, §13 T15): two real
 * jupyterhub-singleuser servers from the local-process spawner, the REAL jupyterhub-idle-culler 2.0
 * as a long-running child with a least-privilege service token. busy-user's server gets an
 * authenticated API request through the public proxy every ~2 s; its singleuser reports that activity
 * to the hub (JUPYTERHUB_ACTIVITY_INTERVAL=2), which is the only source of server activity here (the
 * proxy's route-activity harvest is pushed out of the test's time frame). idle-user's server gets no
 * traffic, so the culler asks the hub to stop it and the hub stops the real process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { VENV_PYTHON } from './harness/repo-paths';
import {
  apiCall,
  isRecord,
  killProcessGroup,
  pollUntil,
  processAlive,
  serverModel,
  serverPid,
  startServerAndWait,
} from './harness/singleuser';

// The project's testTimeout is not applied to jest projects.
jest.setTimeout(240_000);

const PYTHON = VENV_PYTHON;
const CULLER_SCOPES = ['list:users', 'read:users:activity', 'read:servers', 'delete:servers'];
/** Culler idle timeout and cycle, in seconds. */
const CULL_TIMEOUT_S = 20;
const CULL_EVERY_S = 5;
const CULL_DEADLINE_MS = 90_000;

/** A long-running culler child process. */
interface Culler {
  /** Everything it wrote so far (stdout + stderr). */
  output(): string;
  /** True once it exited. */
  exited(): boolean;
  stop(): Promise<void>;
}

/** Starts `python -m jupyterhub_idle_culler` against the hub's API with debug logging. */
function startCuller(t: TestHub, token: string): Culler {
  const child: ChildProcess = spawn(
    PYTHON,
    [
      '-m',
      'jupyterhub_idle_culler',
      `--url=${t.apiUrl}`,
      `--timeout=${CULL_TIMEOUT_S}`,
      `--cull-every=${CULL_EVERY_S}`,
      '--IdleCuller.log_level=DEBUG',
    ],
    { cwd: t.dataDir, env: { ...process.env, JUPYTERHUB_API_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const collect = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => text,
    exited: gone,
    async stop() {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

/** Keeps a server busy: an authenticated GET of its contents API through the proxy every ~2 s. */
function keepBusy(url: string, token: string): { statuses: number[]; stop(): Promise<void> } {
  const statuses: number[] = [];
  let stopping = false;
  let wake: (() => void) | undefined;
  const loop = (async (): Promise<void> => {
    while (!stopping) {
      try {
        const res = await fetch(url, { headers: { authorization: `token ${token}` }, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        statuses.push(res.status);
      } catch {
        statuses.push(0);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    statuses,
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}

/** Seconds since an ISO timestamp (Infinity when absent). */
function ageSeconds(iso: string | null | undefined): number {
  return iso ? (Date.now() - Date.parse(iso)) / 1000 : Number.POSITIVE_INFINITY;
}

/** Asks the hub to stop `user`'s default server and waits (bounded) until it is gone. */
async function stopServer(t: TestHub, user: string): Promise<number> {
  const res = await apiCall(`${t.apiUrl}/users/${user}/server`, t.adminToken, { method: 'DELETE' });
  if (res.status === 202) await pollUntil(`${user}'s server to stop`, async () => ((await serverModel(t, user)) ? undefined : true), 30_000);
  return res.status;
}

describe('real idle culler 2.0 + real jupyterhub-singleuser servers', () => {
  let t: TestHub | undefined;
  let culler: Culler | undefined;
  let pinger: ReturnType<typeof keepBusy> | undefined;
  const pids = new Map<string, number>();
  const tokens = new Map<string, string>();
  const cullerToken = randomBytes(16).toString('hex');

  beforeAll(async () => {
    t = await startTestHub({
      config: {
        spawner: { environment: { JUPYTERHUB_ACTIVITY_INTERVAL: '2' } },
        // No route-activity harvest during the file: server activity comes only from the servers' own reports.
        proxy: { checkRoutesIntervalSeconds: 3600 },
        services: [{ name: 'idle-culler', apiToken: cullerToken, scopes: CULLER_SCOPES }],
      },
    });
    const hub = t;
    for (const user of ['idle-user', 'busy-user']) tokens.set(user, await hub.addUser(user));
    const models = await Promise.all(
      [...tokens].map(async ([user, token]) => {
        const model = await startServerAndWait(hub, user, token);
        pids.set(user, serverPid(model));
        return model;
      }),
    );
    expect(models.every((m) => m.ready)).toBe(true);
  });

  afterAll(async () => {
    await pinger?.stop();
    await culler?.stop();
    if (t) {
      const hub = t;
      for (const user of tokens.keys()) {
        if (await serverModel(hub, user).catch(() => undefined)) await stopServer(hub, user).catch(() => undefined);
      }
      await hub.stop();
    }
    for (const pid of pids.values()) killProcessGroup(pid);
  });

  it('culls the untouched server (its process ends) and keeps the one whose singleuser reports activity', async () => {
    if (!t) throw new Error('no hub');
    const hub = t;
    const idlePid = pids.get('idle-user') ?? 0;
    const busyPid = pids.get('busy-user') ?? 0;
    expect(processAlive(idlePid)).toBe(true);
    expect(processAlive(busyPid)).toBe(true);

    const pingStart = Date.now();
    pinger = keepBusy(`${hub.publicUrl}/user/busy-user/api/contents`, tokens.get('busy-user') ?? '');
    // The chain works before the culler runs: busy-user's singleuser reports the new activity to the hub.
    await pollUntil(
      "busy-user's reported activity",
      async () => {
        const lastActivity = (await serverModel(hub, 'busy-user'))?.last_activity;
        return lastActivity && Date.parse(lastActivity) > pingStart ? true : undefined;
      },
      30_000,
      500,
    );

    culler = startCuller(hub, cullerToken);
    await pollUntil(
      "the culler to stop idle-user's server",
      async () => {
        if (culler?.exited()) throw new Error(`the culler exited:\n${culler.output()}`);
        return (await serverModel(hub, 'idle-user')) === undefined ? true : undefined;
      },
      CULL_DEADLINE_MS,
      500,
    );
    await pollUntil("idle-user's process to end", async () => (processAlive(idlePid) ? undefined : true), 30_000, 200);
    // At least one full cycle saw busy-user and left it alone.
    const runningCuller = culler;
    await pollUntil('the culler to skip busy-user', async () => (runningCuller.output().includes('Not culling server busy-user') ? true : undefined), 30_000, 500);

    const idleUser = await apiCall(`${hub.apiUrl}/users/idle-user`, hub.adminToken);
    expect(idleUser.status).toBe(200);
    const idleServers = isRecord(idleUser.body) && isRecord(idleUser.body['servers']) ? idleUser.body['servers'] : {};
    expect(Object.values(idleServers).filter((s) => isRecord(s) && s['ready'] === true)).toHaveLength(0);
    expect(processAlive(idlePid)).toBe(false);

    const busy = await serverModel(hub, 'busy-user');
    expect(busy).toMatchObject({ ready: true, lifecycle: 'running' });
    expect(ageSeconds(busy?.last_activity)).toBeLessThan(30);
    expect(processAlive(busyPid)).toBe(true);
    expect(pinger.statuses.length).toBeGreaterThan(0);
    expect(pinger.statuses.every((s) => s === 200)).toBe(true);

    const out = culler.output();
    expect(out).toMatch(/Culling server idle-user \(inactive for/);
    expect(out).not.toMatch(/Culling server busy-user/);
    expect(out).not.toMatch(/Traceback|Error processing|HTTP 4\d\d|HTTP 5\d\d/);

    await pinger.stop();
    await culler.stop();
    expect([202, 204]).toContain(await stopServer(hub, 'busy-user'));
    await pollUntil("busy-user's process to end", async () => (processAlive(busyPid) ? undefined : true), 30_000, 200);
  });
});
