/**
 * GPU metrics through a real hub (issue 9, step 2): the hub samples a FAKE nvidia-smi (a script in
 * test/fixtures/gpu that replays recorded outputs; NOT NVIDIA's tool) once per interval, and the
 * replayed GPU process is the real kernel of a real jupyterhub-singleuser server started through
 * the hub. The replay follows the real H200 timeline: idle, memory held at 0 %, busy, held at 0 %
 * again, with one failed nvidia-smi run in between. Checked: the server's readings and their
 * classification through the API, the admin overview, the Prometheus gauges (cleared when the
 * server stops), servers re-adopted by a restarted hub, scopes (another user gets 404, a token without read:servers 403), the sampling
 * loop surviving failures, and a hub whose nvidia-smi is missing or whose GPU metrics are off.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { apiCall, errorCode, type ApiReply } from './harness/api-call';
import { startTestHub, tokenFor, type TestHub } from './harness/hub-harness';
import { KernelChannel, pollUntil, startKernel, waitForReady } from './harness/singleuser';
import { H200 } from '../src/metrics/gpu/testing/fixtures';
import { useFakeNvidiaSmi } from './harness/fake-nvidia-smi';
import { MIB } from '../src/metrics/gpu/sample';

jest.setTimeout(240_000);

const H200_UUID = 'GPU-a6b9ae15-a075-db5c-a1f1-4ab0b402df48';
const ALICE = 'gpu-alice';
const BOB = 'gpu-bob';

/** One reading as the API returns it (the fields the test reads). */
interface ReadingJson {
  readonly at: string;
  readonly activity: string;
  readonly devices: readonly {
    readonly gpu: string;
    readonly uuid: string | null;
    readonly utilizationPercent: number | null;
    readonly memoryUsedBytes: number | null;
    readonly activity: string;
    readonly processes: readonly { readonly pid: number; readonly usedMemoryBytes: number | null }[];
  }[];
}

/** Consecutive equal entries collapsed: [a, a, b, a] is [a, b, a]. */
function runs(values: readonly string[]): string[] {
  return values.filter((value, i) => i === 0 || values[i - 1] !== value);
}

/** Whether `needle` appears in order (not necessarily adjacent) in `hay`. */
function inOrder(hay: readonly string[], needle: readonly string[]): boolean {
  let at = 0;
  for (const value of hay) if (value === needle[at]) at += 1;
  return at === needle.length;
}

/** The hub's Prometheus text, read with the admin's token (metrics need read:metrics). */
async function metricsText(t: TestHub): Promise<string> {
  return (await apiCall(`${t.apiUrl}/metrics`, { token: t.adminToken })).text;
}

const fake = useFakeNvidiaSmi('clusterhub-gpu-hub-');

/** Writes a capture-format frame (as the fixtures are) into the test folder. */
function frameFile(name: string, text: string): string {
  const file = path.join(fake.dir, name);
  writeFileSync(file, text);
  return file;
}

describe('GPU metrics of a real server, sampled from a fake nvidia-smi replaying the real H200 timeline', () => {
  let t: TestHub;
  let aliceToken = '';
  let bobToken = '';
  let kernelPid = 0;
  let channel: KernelChannel | null = null;
  /** The data folder a restarted hub took over (removed at the end). */
  let restartedDataDir: string | null = null;
  const gpuUrl = (user: string, server = ''): string => `${t.apiUrl}/clusterhub/users/${user}/${server === '' ? 'server' : `servers/${server}`}/gpu`;

  beforeAll(async () => {
    t = await startTestHub({ config: { gpuMetrics: { enabled: true, nvidiaSmi: fake.command, intervalSeconds: 1, commandTimeoutSeconds: 10 } } });
    aliceToken = await t.addUser(ALICE);
    bobToken = await t.addUser(BOB);
    const start = await apiCall(`${t.apiUrl}/users/${ALICE}/server`, { method: 'POST', token: aliceToken, body: { profile: 'gpu-1x' } });
    expect([201, 202]).toContain(start.status);
    await waitForReady(t, ALICE);
    // The GPU user is the server's kernel: a process in a session of its own, below the server.
    const serverUrl = `${t.publicUrl}/user/${ALICE}/`;
    channel = await KernelChannel.open(serverUrl, await startKernel(serverUrl, aliceToken), aliceToken);
    kernelPid = Number(await channel.execute('import os; os.getpid()'));
    expect(kernelPid).toBeGreaterThan(1);
  }, 240_000);

  afterAll(async () => {
    await channel?.close();
    await apiCall(`${t.apiUrl}/users/${ALICE}/server`, { method: 'DELETE', token: t.adminToken }).catch(() => undefined);
    await t.stop();
    if (restartedDataDir) rmSync(restartedDataDir, { recursive: true, force: true });
  }, 120_000);

  it('records the timeline for the server that owns the GPU process, classifies it, and survives a failed run', async () => {
    fake.pointAt(kernelPid);
    const noDriver = frameFile(
      'no-driver.txt',
      "$ nvidia-smi -q -x\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n[rc=9]\n",
    );
    // FAKE frame: no `-q -x` capture was taken during the busy phase, so it is the real held-idle
    // capture with the utilisation the real timeline (query-gpu-timeline.csv) shows when busy: 100 %.
    const busy = frameFile('fake-busy-xml.txt', readFileSync(path.join(H200, 'query-busy-xml.txt'), 'utf8').replace('<gpu_util>0 %</gpu_util>', '<gpu_util>100 %</gpu_util>'));
    const held = path.join(H200, 'query-busy-xml.txt');
    fake.replay(path.join(H200, 'query-idle-xml.txt'), held, held, noDriver, busy, busy, held);

    const answer = await pollUntil(
      'the replayed timeline in the API',
      async () => {
        const reply = await apiCall(gpuUrl(ALICE), { token: aliceToken });
        const readings = (reply.json as { readings?: ReadingJson[] } | undefined)?.readings ?? [];
        const classes = runs(readings.map((r) => r.activity));
        return inOrder(classes, ['idle', 'held-idle', 'busy', 'held-idle']) && classes[classes.length - 1] === 'held-idle' ? reply : undefined;
      },
      90_000,
      500,
    );
    expect(answer.status).toBe(200);
    const model = answer.json as { readings: ReadingJson[] } & Record<string, unknown>;
    expect(model).toMatchObject({ user: ALICE, server: '', profile: 'gpu-1x', state: 'running', intervalSeconds: 1, historySeconds: 1800, thresholdPercent: 10, activity: 'held-idle' });
    const heldReading = model.readings[model.readings.length - 1];
    expect(heldReading?.devices).toEqual([
      {
        gpu: '0',
        uuid: H200_UUID,
        name: 'NVIDIA H200',
        gpuInstanceId: null,
        computeInstanceId: null,
        utilizationPercent: 0,
        memoryUsedBytes: 8977 * MIB,
        memoryTotalBytes: expect.any(Number) as unknown as number,
        activity: 'held-idle',
        processes: [{ pid: kernelPid, usedMemoryBytes: 8968 * MIB }],
      },
    ]);
    const busyReading = model.readings.find((r) => r.activity === 'busy');
    expect(busyReading?.devices[0]).toMatchObject({ utilizationPercent: 100, activity: 'busy', processes: [{ pid: kernelPid }] });
    // GPU-idle since the first held-idle reading after the busy phase: memory held does not count as use.
    const lastBusy = model.readings.map((r) => r.activity).lastIndexOf('busy');
    expect(model['idleSince']).toBe(model.readings[lastBusy + 1]?.at);

    // The failed run recorded nothing and the loop went on.
    const metrics = await metricsText(t);
    expect(Number(/^clusterhub_gpu_samples_total\{status="failure"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^clusterhub_gpu_samples_total\{status="success"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(5);
  });

  it('shows the admin every GPU with who holds it, and exports the per-server gauges', async () => {
    const reply = await apiCall(`${t.apiUrl}/clusterhub/gpus`, { token: t.adminToken });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      lastError: null,
      intervalSeconds: 1,
      devices: [
        {
          gpu: '0',
          uuid: H200_UUID,
          name: 'NVIDIA H200',
          utilizationPercent: 0,
          memoryUsedBytes: 8977 * MIB,
          activity: 'held-idle',
          holders: [{ user: ALICE, server: '', profile: 'gpu-1x' }],
          source: 'local',
          node: null,
        },
      ],
      sources: [{ name: 'local', lastError: null }],
    });
    const metrics = await metricsText(t);
    const labels = `{user="${ALICE}",server="",profile="gpu-1x",gpu="0",uuid="${H200_UUID}"}`;
    expect(metrics).toContain(`clusterhub_gpu_utilization_percent${labels} 0`);
    expect(metrics).toContain(`clusterhub_gpu_memory_used_bytes${labels} ${8968 * MIB}`);
  });

  it('answers other users 404, tokens without read:servers 403, and admins the server\'s readings', async () => {
    const asBob = await apiCall(gpuUrl(ALICE), { token: bobToken });
    expect([asBob.status, errorCode(asBob)]).toEqual([404, 'not_found']);
    const overviewAsBob = await apiCall(`${t.apiUrl}/clusterhub/gpus`, { token: bobToken });
    expect([overviewAsBob.status, errorCode(overviewAsBob)]).toEqual([403, 'forbidden']);
    const narrow = await tokenFor(t.hub, ALICE, [`read:users:activity!user=${ALICE}`]);
    const withoutScope = await apiCall(gpuUrl(ALICE), { token: narrow });
    expect([withoutScope.status, errorCode(withoutScope)]).toEqual([403, 'forbidden']);
    const noToken = await apiCall(gpuUrl(ALICE));
    expect(noToken.status).toBe(403);

    const asAdmin = await apiCall(gpuUrl(ALICE), { token: t.adminToken });
    expect(asAdmin.status).toBe(200);
    expect((asAdmin.json as { readings: unknown[] }).readings.length).toBeGreaterThan(0);
    const named = await apiCall(gpuUrl(ALICE, 'nope'), { token: t.adminToken });
    expect([named.status, errorCode(named)]).toEqual([404, 'not_found']);
    const bobsOwn = await apiCall(gpuUrl(BOB), { token: bobToken });
    expect(bobsOwn.json).toMatchObject({ user: BOB, state: 'stopped', activity: 'unknown', idleSince: null, readings: [] });
  });

  it('watches the servers a restarted hub re-adopts (their pids come from the store)', async () => {
    const dataDir = t.dataDir;
    await t.stop({ keepData: true });
    t = await startTestHub({ dataDir, config: { gpuMetrics: { enabled: true, nvidiaSmi: fake.command, intervalSeconds: 1, commandTimeoutSeconds: 10 } } });
    restartedDataDir = dataDir;
    const reply = await pollUntil(
      'readings after the restart',
      async () => {
        const answer = await apiCall(gpuUrl(ALICE), { token: aliceToken });
        return (answer.json as { readings?: unknown[] } | undefined)?.readings?.length ? answer : undefined;
      },
      30_000,
      250,
    );
    expect(reply.json).toMatchObject({ state: 'running', activity: 'held-idle', readings: [{ devices: [{ processes: [{ pid: kernelPid }] }] }] });
  });

  it('clears the server\'s gauges and readings when it stops', async () => {
    await channel?.close();
    channel = null;
    const stop = await apiCall(`${t.apiUrl}/users/${ALICE}/server`, { method: 'DELETE', token: aliceToken });
    expect([202, 204]).toContain(stop.status);
    await pollUntil(
      'the gauges of the stopped server to go',
      async () => {
        // Only the GPU gauges: other series (the compute units spent) keep the user's label.
        const gauges = (await metricsText(t)).split('\n').filter((line) => line.startsWith('clusterhub_gpu_') && line.includes(`user="${ALICE}"`));
        return gauges.length > 0 ? undefined : true;
      },
      60_000,
      500,
    );
    const after: ApiReply = await apiCall(gpuUrl(ALICE), { token: aliceToken });
    expect(after.json).toMatchObject({ state: 'stopped', activity: 'unknown', readings: [] });
    const overview = await apiCall(`${t.apiUrl}/clusterhub/gpus`, { token: t.adminToken });
    expect((overview.json as { devices: { holders: unknown[] }[] }).devices.map((d) => d.holders)).toEqual([[]]);
  });
});

describe('a hub whose GPU metrics are off or whose nvidia-smi is missing', () => {
  it('answers gpu_metrics_disabled when off (after the scope check)', async () => {
    const t = await startTestHub();
    try {
      const bob = await t.addUser(BOB);
      const overview = await apiCall(`${t.apiUrl}/clusterhub/gpus`, { token: t.adminToken });
      expect([overview.status, errorCode(overview)]).toEqual([404, 'gpu_metrics_disabled']);
      const own = await apiCall(`${t.apiUrl}/clusterhub/users/${BOB}/server/gpu`, { token: bob });
      expect([own.status, errorCode(own)]).toEqual([404, 'gpu_metrics_disabled']);
      const overviewAsBob = await apiCall(`${t.apiUrl}/clusterhub/gpus`, { token: bob });
      expect([overviewAsBob.status, errorCode(overviewAsBob)]).toEqual([403, 'forbidden']);
    } finally {
      await t.stop();
    }
  });

  it('keeps running and says why in the overview when nvidia-smi cannot be started', async () => {
    const t = await startTestHub({ config: { gpuMetrics: { enabled: true, nvidiaSmi: path.join(fake.dir, 'no-such-nvidia-smi'), intervalSeconds: 1 } } });
    try {
      const overview = await pollUntil(
        'the failure in the overview',
        async () => {
          const reply = await apiCall(`${t.apiUrl}/clusterhub/gpus`, { token: t.adminToken });
          return (reply.json as { lastError?: unknown } | undefined)?.lastError ? reply : undefined;
        },
        30_000,
        200,
      );
      expect(overview.json).toMatchObject({ at: null, devices: [], lastError: expect.stringMatching(/ENOENT/) as unknown as string });
      const metrics = await metricsText(t);
      expect(metrics).toMatch(/^clusterhub_gpu_samples_total\{status="failure"\} [1-9]/m);
      expect((await apiCall(`${t.apiUrl}/`)).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});
