/**
 * GPU-idle `stop` and `notify` through a real hub (issue 9), with real jupyterhub-singleuser
 * servers on GPU profiles that never touch the GPU, sampled from a FAKE nvidia-smi (a script in
 * test/fixtures/gpu that replays recorded outputs; NOT NVIDIA's tool) replaying the real H200's
 * idle capture. The test runs the culler's passes. Checked: the stop profile's server is warned,
 * then stopped with the stop reason `gpu-idle` and a message saying why; the notify profile's
 * server gets a notice and keeps running; a token without scopes gets 403 on the keep-alive; a
 * hub without the culler answers `gpu_idle_off` (GPU-idle state) and `culler_off` (keep-alive).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { HubConfig } from '@clusterhub/shared';
import { apiCall, errorCode } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { pollUntil, waitForReady } from './harness/singleuser';
import { FAKE_NVIDIA_SMI, H200 } from '../src/metrics/gpu/testing/fixtures';
import type { CullAction } from '../src/culler/builtin-culler';

jest.setTimeout(300_000);

const STOPPED = 'gpuidle-stop';
const NOTIFIED = 'gpuidle-notify';

const GPU = { kind: 'gpu', resources: { gpus: { count: 1 } } } as const;
const PROFILES: HubConfig['profiles'] = [
  { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true },
  { slug: 'gpu-stop', displayName: 'GPU (stopped when idle)', ...GPU, cull: { gpuIdle: { action: 'stop', periodSeconds: 10, warningSeconds: 5 } } },
  { slug: 'gpu-notify', displayName: 'GPU (told when idle)', ...GPU, cull: { gpuIdle: { action: 'notify', periodSeconds: 10 } } },
];

/** The REST model of a server (the fields the test reads). */
interface ServerJson {
  readonly ready: boolean;
  readonly stopped?: boolean;
  readonly stop_reason: string | null;
  readonly message: string | null;
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clusterhub-gpu-idle-actions-'));
  writeFileSync(path.join(dir, 'frames'), `${path.join(H200, 'query-idle-xml.txt')}\n`);
  writeFileSync(
    path.join(dir, 'nvidia-smi'),
    [
      '#!/bin/sh',
      '# Test wrapper around the FAKE nvidia-smi (test/fixtures/gpu/fake-nvidia-smi).',
      `export FAKE_NVIDIA_SMI_FRAMES='${path.join(dir, 'frames')}'`,
      `export FAKE_NVIDIA_SMI_STATE='${path.join(dir, 'state')}'`,
      `exec '${FAKE_NVIDIA_SMI}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(path.join(dir, 'nvidia-smi'), 0o755);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('GPU-idle stop and notify of real servers', () => {
  let t: TestHub;
  const tokens = new Map<string, string>();

  const server = async (user: string): Promise<ServerJson> => {
    const reply = await apiCall(`${t.apiUrl}/users/${user}?include_stopped_servers=1`, { token: t.adminToken });
    const model = (reply.json as { servers?: Record<string, ServerJson> }).servers?.[''];
    if (!model) throw new Error(`${user} has no default server`);
    return model;
  };

  beforeAll(async () => {
    t = await startTestHub({
      config: {
        gpuMetrics: { enabled: true, nvidiaSmi: path.join(dir, 'nvidia-smi'), intervalSeconds: 1, commandTimeoutSeconds: 10 },
        culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 0 },
        profiles: PROFILES,
      },
    });
    for (const [user, profile] of [
      [STOPPED, 'gpu-stop'],
      [NOTIFIED, 'gpu-notify'],
    ] as const) {
      const token = await t.addUser(user);
      tokens.set(user, token);
      const start = await apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'POST', token, body: { profile } });
      expect([201, 202]).toContain(start.status);
    }
    await waitForReady(t, STOPPED);
    await waitForReady(t, NOTIFIED);
  }, 300_000);

  afterAll(async () => {
    for (const user of [STOPPED, NOTIFIED]) await apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'DELETE', token: t.adminToken }).catch(() => undefined);
    await t.stop();
  }, 120_000);

  it('refuses a keep-alive to a token without scopes', async () => {
    const made = await apiCall(`${t.apiUrl}/users/${STOPPED}/tokens`, { method: 'POST', token: tokens.get(STOPPED) ?? '', body: { scopes: ['read:users!user'] } });
    expect(made.status).toBe(201);
    const bare = String((made.json as { token?: string }).token);
    const reply = await apiCall(`${t.apiUrl}/clusterhub/users/${STOPPED}/server/keep-alive`, { method: 'POST', token: bare });
    expect([reply.status, errorCode(reply)]).toEqual([403, 'forbidden']);
  });

  it('warns, then stops the stop profile\'s server with reason gpu-idle; tells the notify profile\'s user and keeps the server', async () => {
    const culler = t.hub.culler;
    if (!culler) throw new Error('no culler');
    const seen: CullAction[] = [];
    await pollUntil(
      'the stop and the notice',
      async () => {
        seen.push(...(await culler.cullOnce()));
        const done = (user: string, kind: CullAction['kind']): boolean => seen.some((a) => a.user === user && a.reason === 'gpu-idle' && a.kind === kind);
        return done(STOPPED, 'stop') && done(NOTIFIED, 'notify') ? true : undefined;
      },
      120_000,
      500,
    );
    const stops = seen.filter((a) => a.user === STOPPED).map((a) => a.kind);
    expect(stops.indexOf('warn')).toBeGreaterThanOrEqual(0);
    expect(stops.indexOf('warn')).toBeLessThan(stops.indexOf('stop'));
    expect(seen.filter((a) => a.user === NOTIFIED).map((a) => a.kind)).not.toContain('stop');

    const stopped = await server(STOPPED);
    expect(stopped.ready).toBe(false);
    expect(stopped.stop_reason).toBe('gpu-idle');
    expect(stopped.message).toMatch(/^This server was stopped at \d\d:\d\d UTC after (less than a minute|\d+ minutes?) without GPU use\.$/);

    const notified = await server(NOTIFIED);
    expect(notified.ready).toBe(true);
    expect(notified.message).toMatch(/^GPU idle: this server has held its GPU without using it since \d\d:\d\d UTC/);
    // One notice per idle run: later passes add none.
    const again = await culler.cullOnce();
    expect(again.filter((a) => a.user === NOTIFIED)).toEqual([]);
  });

  it('answers gpu_idle_off (GPU-idle state) and culler_off (keep-alive) on a hub without the culler', async () => {
    const off = await startTestHub({ config: { gpuMetrics: { enabled: true, nvidiaSmi: path.join(dir, 'nvidia-smi'), intervalSeconds: 1, commandTimeoutSeconds: 10 } } });
    try {
      const token = await off.addUser('gpuidle-off');
      const state = await apiCall(`${off.apiUrl}/clusterhub/users/gpuidle-off/server/gpu-idle`, { token });
      expect([state.status, errorCode(state)]).toEqual([404, 'gpu_idle_off']);
      const reply = await apiCall(`${off.apiUrl}/clusterhub/users/gpuidle-off/server/keep-alive`, { method: 'POST', token });
      expect([reply.status, errorCode(reply)]).toEqual([404, 'culler_off']);
    } finally {
      await off.stop();
    }
  });
});
