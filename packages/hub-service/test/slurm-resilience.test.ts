/**
 * The Slurm backend over SSH and through outages, against the real test cluster: jobs submitted on
 * a "login node" (a private sshd on loopback; the first of two is down, so the second is used) as
 * the user through the operator's sudo rule; the SSH connection dropped; slurmctld stopped (the
 * state is unknown, never stopped) and back; the hub killed and restarted with a job running (it is
 * re-adopted by its id and its route comes back); a job ended by its walltime (stop reason
 * `walltime`). Root only, as CI runs.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { HubConfig } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { apiCall, navigate, pollUntil, serverModel, waitForReady } from './harness/singleuser';
import { ensureSlurmCluster, SLURM_START_DEADLINE_MS, startSlurmController, stopSlurmController } from './harness/slurm/cluster';
import { BATCH_SERVER_CMD, FAILING_PROLOGUE, jobIdOf, loginNodeSsh, squeueOf, waitForStopped } from './harness/slurm/hub-jobs';
import { startLoginNodes, SCHEDULER_DIR, type TestLoginNodes } from './harness/login-node';

const AS_ROOT = process.getuid?.() === 0;
const PASSWORD = 'alice-password-1';

function config(nodes: TestLoginNodes): HubConfig {
  const server = { cpu: { limit: 1 }, memory: { limit: '1Gi' } };
  return {
    hub: { allowNamedServers: true },
    backends: {
      hpc: {
        kind: 'slurm',
        transport: 'ssh',
        ssh: loginNodeSsh(nodes, 'CH_TEST_OPERATOR_KEY'),
        commandDir: SCHEDULER_DIR,
        cmd: BATCH_SERVER_CMD,
        pollIntervalSeconds: 2,
      },
    },
    profiles: [
      { slug: 'cpu', displayName: 'CPU here', kind: 'cpu', default: true },
      { slug: 'slurm-cpu', displayName: 'CPU on Slurm', kind: 'cpu', backend: 'hpc', resources: { ...server, walltime: '00:30:00' }, slurm: { partition: 'cpu' } },
      {
        slug: 'slurm-broken',
        displayName: 'A job that fails at once',
        kind: 'cpu',
        backend: 'hpc',
        resources: { ...server, walltime: '00:05:00' },
        slurm: { partition: 'cpu', prologue: FAILING_PROLOGUE },
      },
      { slug: 'slurm-short', displayName: 'One minute on Slurm', kind: 'cpu', backend: 'hpc', resources: { ...server, walltime: '00:01:00' }, slurm: { partition: 'cpu' } },
    ],
  };
}

(AS_ROOT ? describe : describe.skip)('Slurm backend over SSH, through outages and restarts', () => {
  let nodes: TestLoginNodes;
  let t: TestHub;
  let dataDir = '';
  let alice = '';
  let bob = '';
  let aliceJob = '';
  /** alice's browser, logged in to her Lab in the first test (its cookies outlive a hub restart). */
  const browser = new BrowserClient();

  beforeAll(async () => {
    await ensureSlurmCluster();
    nodes = await startLoginNodes(2);
    await nodes.nodes[0]?.stop();
    process.env['CH_TEST_OPERATOR_KEY'] = nodes.privateKey;
    t = await startTestHub({ config: config(nodes) });
    dataDir = t.dataDir;
    alice = await t.addUser('alice', { password: PASSWORD });
    bob = await t.addUser('bob');
  }, SLURM_START_DEADLINE_MS);

  afterAll(async () => {
    try {
      if (aliceJob) execFileSync('scancel', [aliceJob]);
    } finally {
      await t?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      await nodes?.stop();
      delete process.env['CH_TEST_OPERATOR_KEY'];
    }
  });

  it('starts jobs over SSH on the second login node (the first is down), as each user', async () => {
    // bob's one-minute job runs out its walltime while the other checks go on.
    const first = await apiCall(`${t.apiUrl}/users/bob/server`, bob, { method: 'POST', body: { profile: 'slurm-short' } });
    expect(first.status).toBeLessThan(300);
    expect((await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'slurm-cpu' } })).status).toBeLessThan(300);
    aliceJob = jobIdOf(await waitForReady(t, 'alice'));
    expect(squeueOf(aliceJob, '%u|%T')).toBe('alice|RUNNING');
    expect(squeueOf(jobIdOf(await waitForReady(t, 'bob')), '%u|%T')).toBe('bob|RUNNING');
    expect(nodes.nodes[1]?.log()).toMatch(/Accepted publickey for hubop/);
    expect((await browser.login(t.publicUrl, 'alice', PASSWORD)).status).toBe(200);
    const lab = await navigate(browser, `${t.publicUrl}/user/alice/lab`);
    expect(lab.status).toBe(200);
    expect(lab.text).toContain('jupyter-config-data');
  });

  it('over SSH a job that fails at once says why, with the last lines of its output from its exit report', async () => {
    // alice's default server is still running: a named server of hers fails.
    // A start that fails within the slow-spawn wait answers 500 at once (as JupyterHub does); the model says why.
    const res = await apiCall(`${t.apiUrl}/users/alice/servers/broken`, alice, { method: 'POST', body: { profile: 'slurm-broken' } });
    expect([201, 202, 500]).toContain(res.status);
    const failed = await pollUntil(
      'the broken start to end',
      async () => {
        const m = await serverModel(t, 'alice', { includeStopped: true, serverName: 'broken' });
        return m && (m.lifecycle === 'failed' || m.lifecycle === 'stopped') ? m : undefined;
      },
      90_000,
      500,
    );
    expect(failed.message).toMatch(/exit code 3\. .*Its output is in \/home\/alice\/clusterhub-\d+\.log\.\nLast lines of its output:\nmodule load failed: no such module$/s);
  });

  it('a dropped SSH connection is reopened without losing a server', async () => {
    expect(await nodes.nodes[1]?.dropConnections()).toBeGreaterThan(0);
    await t.hub.context.lifecycle.pollAll();
    await t.hub.context.lifecycle.pollAll();
    expect(await serverModel(t, 'alice')).toMatchObject({ ready: true });
    expect((await fetch(`${t.publicUrl}/user/alice/api`)).status).toBe(200);
  });

  it('with slurmctld down for 60 s no server is marked stopped, its state is unknown; when it is back, that goes', async () => {
    const unknown = /^Status unknown: the backend cannot be reached right now/;
    await stopSlurmController();
    const downSince = Date.now();
    try {
      // The hub's own poll loop runs too (a poll in flight makes pollAll return at once): wait for the word.
      const model = await pollUntil('the unknown state in the message', async () => {
        await t.hub.context.lifecycle.pollAll();
        const m = await serverModel(t, 'alice');
        return m?.message && unknown.test(m.message) ? m : undefined;
      }, 90_000, 2000);
      expect(model).toMatchObject({ ready: true, lifecycle: 'running' });
      while (Date.now() - downSince < 60_000) {
        await new Promise((r) => setTimeout(r, 5000));
        await t.hub.context.lifecycle.pollAll();
        expect(await serverModel(t, 'alice')).toMatchObject({ ready: true, lifecycle: 'running' });
        expect((await fetch(`${t.publicUrl}/user/alice/api`)).status).toBe(200);
      }
    } finally {
      await startSlurmController();
    }
    await pollUntil('the unknown state to go', async () => {
      await t.hub.context.lifecycle.pollAll();
      const m = await serverModel(t, 'alice');
      return m?.ready && m.message === null ? true : undefined;
    }, 90_000, 2000);
  }, 300_000);

  it('the hub killed and restarted with the job running: re-adopted by its id, the route is back, the Lab tab keeps working', async () => {
    await t.hub.stop();
    t = await startTestHub({ config: config(nodes), dataDir });
    const model = await serverModel(t, 'alice');
    expect(model).toMatchObject({ ready: true });
    expect(jobIdOf(model)).toBe(aliceJob);
    await pollUntil('the route to alice', async () => ((await fetch(`${t.publicUrl}/user/alice/api`)).status === 200 ? true : undefined), 30_000);
    // The tab opened before the restart: its cookies still open the Lab and its kernels API through the new proxy.
    const lab = await navigate(browser, `${t.publicUrl}/user/alice/lab`);
    expect(lab.status).toBe(200);
    expect(lab.text).toContain('jupyter-config-data');
    const kernels = await navigate(browser, `${t.publicUrl}/user/alice/api/kernels`);
    expect(kernels.status).toBe(200);
    expect(Array.isArray(kernels.json)).toBe(true);
  });

  it('a job ended by Slurm at its walltime stops with reason walltime', async () => {
    const stopped = await waitForStopped(t, 'bob');
    expect(stopped.stop_reason).toBe('walltime');
    expect(stopped.message).toMatch(/walltime/);
  }, 240_000);
});
