/**
 * GPU-idle downshift through a real hub (issue 9): a real jupyterhub-singleuser server started on a
 * GPU profile whose `cull.gpuIdle` rule is "downshift to CPU", sampled from a FAKE nvidia-smi (a
 * script in test/fixtures/gpu that replays recorded outputs; NOT NVIDIA's tool) that shows the
 * server's kernel on the real H200 captures. Checked, with the culler's passes run by the test:
 * a replayed busy run is left alone; memory held at 0 % brings a warning (server message and the
 * gpu-idle and culling APIs) before any action; the keep-alive (scopes checked) takes the warning
 * back and restarts the idle period; the next warning is followed by the downshift: the server
 * runs again on the CPU profile, says why (its message and the culling API's last action), and the
 * user's file and Lab workspace are still there.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CullingModel, HubConfig } from '@clusterhub/shared';
import { apiCall, errorCode } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { KernelChannel, pollUntil, startKernel, waitForReady } from './harness/singleuser';
import { H200 } from '../src/metrics/gpu/testing/fixtures';
import { useFakeNvidiaSmi } from './harness/fake-nvidia-smi';
import type { CullAction } from '../src/culler/builtin-culler';

jest.setTimeout(300_000);

const ALICE = 'gpuidle-alice';
const BOB = 'gpuidle-bob';
/** Idle period and warning of the GPU profile, seconds. */
const PERIOD = 16;
const WARNING = 8;

const WORKSPACE = 'gpu-idle';
const WORKSPACE_DATA = { 'file-browser-filebrowser:cwd': { path: 'results' }, 'layout-restorer:data': { main: { dock: null }, left: { collapsed: true, visible: true, widgets: [] } } };

const PROFILES: HubConfig['profiles'] = [
  { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true },
  {
    slug: 'gpu-1x',
    displayName: 'One GPU',
    kind: 'gpu',
    resources: { gpus: { count: 1 } },
    cull: { gpuIdle: { action: 'downshift', periodSeconds: PERIOD, warningSeconds: WARNING, downshiftTo: 'cpu' } },
  },
];

/** The gpu-idle API's answer (the fields the test reads). */
interface IdleJson {
  readonly profile: string | null;
  readonly rule: { action: string; period_seconds: number; warning_seconds: number; downshift_to: string | null } | null;
  readonly idle_since: string | null;
  readonly kept_alive_at: string | null;
  readonly warned_at: string | null;
  readonly action_at: string | null;
}

/** The REST model of a server (the fields the test reads). */
interface ServerJson {
  readonly ready: boolean;
  readonly profile: string | null;
  readonly message: string | null;
  readonly started: string | null;
}

const fake = useFakeNvidiaSmi('clusterhub-gpu-idle-');

describe('GPU-idle downshift of a real server, GPU use replayed from the real H200 captures', () => {
  let t: TestHub;
  let aliceToken = '';
  let bobToken = '';
  let channel: KernelChannel | null = null;
  const serverUrl = (): string => `${t.publicUrl}/user/${ALICE}/`;
  const idleUrl = `/clusterhub/users/${ALICE}/server/gpu-idle`;
  const cullingUrl = `/clusterhub/users/${ALICE}/server/culling`;
  const keepUrl = `/clusterhub/users/${ALICE}/server/keep-alive`;

  const idleState = async (): Promise<IdleJson> => {
    const reply = await apiCall(`${t.apiUrl}${idleUrl}`, { token: aliceToken });
    expect(reply.status).toBe(200);
    return reply.json as IdleJson;
  };
  const culling = async (): Promise<CullingModel> => {
    const reply = await apiCall(`${t.apiUrl}${cullingUrl}`, { token: aliceToken });
    expect(reply.status).toBe(200);
    return reply.json as CullingModel;
  };
  const server = async (): Promise<ServerJson> => {
    const reply = await apiCall(`${t.apiUrl}/users/${ALICE}`, { token: aliceToken });
    const servers = (reply.json as { servers?: Record<string, ServerJson> }).servers ?? {};
    const model = servers[''];
    if (!model) throw new Error(`${ALICE} has no default server`);
    return model;
  };
  /** Runs culler passes until one did `kind` to alice's server; the actions of all passes. */
  const passUntil = async (kind: CullAction['kind']): Promise<CullAction[]> => {
    const seen: CullAction[] = [];
    const culler = t.hub.culler;
    if (!culler) throw new Error('no culler');
    await pollUntil(
      `a culler pass that does ${kind}`,
      async () => {
        const actions = await culler.cullOnce();
        seen.push(...actions);
        return actions.some((a) => a.user === ALICE && a.reason === 'gpu-idle' && a.kind === kind) ? true : undefined;
      },
      120_000,
      500,
    );
    return seen;
  };

  beforeAll(async () => {
    t = await startTestHub({
      config: {
        gpuMetrics: { enabled: true, nvidiaSmi: fake.command, intervalSeconds: 1, commandTimeoutSeconds: 10 },
        // The test runs each pass itself (cullOnce); no web-idle timeout.
        culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 0 },
        profiles: PROFILES,
      },
    });
    aliceToken = await t.addUser(ALICE);
    bobToken = await t.addUser(BOB);
    const start = await apiCall(`${t.apiUrl}/users/${ALICE}/server`, { method: 'POST', token: aliceToken, body: { profile: 'gpu-1x' } });
    expect([201, 202]).toContain(start.status);
    await waitForReady(t, ALICE);
    channel = await KernelChannel.open(serverUrl(), await startKernel(serverUrl(), aliceToken), aliceToken);
    const kernelPid = Number(await channel.execute('import os; os.getpid()'));
    expect(kernelPid).toBeGreaterThan(1);
    await channel.execute("open(os.path.expanduser('~/gpu-idle-kept.txt'), 'w').write('written on the GPU profile')");
    // A Lab workspace, saved through JupyterLab's workspaces API as the Lab saves its layout.
    const saved = await apiCall(`${serverUrl()}lab/api/workspaces/${WORKSPACE}`, { method: 'PUT', token: aliceToken, body: { data: WORKSPACE_DATA, metadata: { id: WORKSPACE } } });
    expect(saved.status).toBe(204);
    fake.pointAt(kernelPid);
  }, 300_000);

  afterAll(async () => {
    await channel?.close();
    await apiCall(`${t.apiUrl}/users/${ALICE}/server`, { method: 'DELETE', token: t.adminToken }).catch(() => undefined);
    await t.stop();
  }, 120_000);

  it('leaves a replayed busy run alone for longer than the idle period', async () => {
    // FAKE frame: the real held-idle capture with the utilisation the real timeline shows when busy (100 %).
    const busy = path.join(fake.dir, 'fake-busy-xml.txt');
    writeFileSync(busy, readFileSync(path.join(H200, 'query-busy-xml.txt'), 'utf8').replace('<gpu_util>0 %</gpu_util>', '<gpu_util>100 %</gpu_util>'));
    fake.replay(busy);
    await pollUntil(
      'busy readings over more than the idle period',
      async () => {
        const reply = await apiCall(`${t.apiUrl}/clusterhub/users/${ALICE}/server/gpu`, { token: aliceToken });
        const readings = (reply.json as { readings?: { at: string; activity: string }[] }).readings ?? [];
        const busyRun = readings.slice(readings.map((r) => r.activity).lastIndexOf('held-idle') + 1).filter((r) => r.activity === 'busy');
        const first = busyRun[0];
        const last = busyRun[busyRun.length - 1];
        return first && last && Date.parse(last.at) - Date.parse(first.at) > PERIOD * 1000 ? true : undefined;
      },
      120_000,
      500,
    );
    const actions = await t.hub.culler?.cullOnce();
    expect(actions?.filter((a) => a.user === ALICE)).toEqual([]);
    expect(await idleState()).toMatchObject({ profile: 'gpu-1x', idle_since: null, warned_at: null, action_at: null });
    expect((await server()).message).toBeNull();
  });

  it('warns a server that holds its GPU memory at 0 %, with the time left, before doing anything', async () => {
    fake.replay(path.join(H200, 'query-busy-xml.txt'));
    await passUntil('warn');
    const state = await idleState();
    expect(state.rule).toEqual({ action: 'downshift', period_seconds: PERIOD, warning_seconds: WARNING, downshift_to: 'cpu' });
    expect(state.idle_since).not.toBeNull();
    expect(state.warned_at).not.toBeNull();
    // The action comes at the end of the period, and a full warning after the warning at the earliest.
    const actionAt = Date.parse(state.action_at ?? '');
    expect(actionAt).toBeGreaterThanOrEqual(Date.parse(state.idle_since ?? '') + PERIOD * 1000);
    expect(actionAt).toBeGreaterThanOrEqual(Date.parse(state.warned_at ?? '') + WARNING * 1000);
    const model = await server();
    expect(model.profile).toBe('gpu-1x');
    expect(model.message).toMatch(/^GPU idle: this server has not used its GPU since \d\d:\d\d UTC\. It will be moved to CPU \(your files stay as they are\) at \d\d:\d\d UTC/);
    // The warning as the Lab reads it.
    expect(await culling()).toEqual({
      user: ALICE,
      server: '',
      warning: { reason: 'gpu-idle', action: 'downshift', action_at: state.action_at, message: model.message, keep_alive: true },
      last_action: null,
    });
  });

  it('takes the warning back on a keep-alive from its owner, and only its owner', async () => {
    const bobs = await apiCall(`${t.apiUrl}${keepUrl}`, { method: 'POST', token: bobToken });
    expect([bobs.status, errorCode(bobs)]).toEqual([404, 'not_found']);
    const before = Date.now();
    const kept = await apiCall(`${t.apiUrl}${keepUrl}`, { method: 'POST', token: aliceToken });
    expect(kept.status).toBe(200);
    expect(kept.json).toMatchObject({ user: ALICE, server: '', warning: null });
    const state = await idleState();
    expect(state.warned_at).toBeNull();
    const keptAt = Date.parse(state.kept_alive_at ?? '');
    expect(keptAt).toBeGreaterThanOrEqual(before - 1000);
    // The idle period starts again at the keep-alive.
    expect(Date.parse(state.action_at ?? '')).toBeGreaterThanOrEqual(keptAt + PERIOD * 1000);
    expect((await server()).message).toBeNull();
  });

  it('warns again after a new period and then moves the server to the CPU profile with its files and Lab workspace', async () => {
    const keptAt = Date.parse((await idleState()).kept_alive_at ?? '');
    const warned = await passUntil('warn');
    expect(Date.parse((await idleState()).warned_at ?? '')).toBeGreaterThanOrEqual(keptAt + (PERIOD - WARNING) * 1000);
    await channel?.close();
    channel = null;
    const actions = [...warned, ...(await passUntil('downshift'))];
    // Warned (at least once) before the action; no stop or downshift without that.
    const kinds = actions.filter((a) => a.user === ALICE).map((a) => a.kind);
    expect(kinds.indexOf('warn')).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('warn')).toBeLessThan(kinds.indexOf('downshift'));

    const model = await server();
    expect(model).toMatchObject({ ready: true, profile: 'cpu' });
    expect(model.message).toMatch(/^Your GPU server was moved to CPU at \d\d:\d\d UTC after (less than a minute|\d+ minutes?) without GPU use; your files are as you left them\.$/);
    // The Lab shows it at the next visit: the culler's last action, at the restart.
    expect(await culling()).toEqual({ user: ALICE, server: '', warning: null, last_action: { reason: 'gpu-idle', at: model.started, message: model.message } });
    await waitForReady(t, ALICE);
    channel = await KernelChannel.open(serverUrl(), await startKernel(serverUrl(), aliceToken), aliceToken);
    expect(await channel.execute("import os; open(os.path.expanduser('~/gpu-idle-kept.txt')).read()")).toBe("'written on the GPU profile'");
    const workspace = await apiCall(`${serverUrl()}lab/api/workspaces/${WORKSPACE}`, { token: aliceToken });
    expect(workspace.status).toBe(200);
    expect((workspace.json as { data?: unknown }).data).toEqual(WORKSPACE_DATA);
    // A CPU server has no GPU-idle rule: nothing more happens to it.
    expect((await idleState()).rule).toBeNull();
  });
});
