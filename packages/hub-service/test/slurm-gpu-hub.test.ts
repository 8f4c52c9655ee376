/**
 * GPU metrics of a Slurm server through the hub: alice starts a real JupyterLab in a Slurm job
 * holding one A100 gres of the real test cluster; the hub's GPU monitor asks the Slurm backend's
 * source, which runs the FAKE node nvidia-smi (harness/slurm/fake-node-nvidia-smi.ts, named as a
 * fake) in a step of her job; her GPU API and the admin overview show her GPU on that node. The
 * local source (no nvidia-smi on this machine) fails beside it without hiding the Slurm readings.
 * Root only (Slurm, munge and sudo to the job users), as CI runs.
 */
import { execFileSync } from 'node:child_process';
import type { HubConfig } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { apiCall, isRecord, pollUntil, serverModel, waitForReady } from './harness/singleuser';
import { ensureSlurmCluster, SLURM_START_DEADLINE_MS, type SlurmCluster } from './harness/slurm/cluster';
import { createFakeNodeNvidiaSmi, FAKE_NODE_GPU_UUIDS, type FakeNodeNvidiaSmi } from './harness/slurm/fake-node-nvidia-smi';
import { BATCH_SERVER_CMD, jobIdOf } from './harness/slurm/hub-jobs';

const AS_ROOT = process.getuid?.() === 0;

const config = (nodeNvidiaSmi: string): HubConfig => ({
  backends: { hpc: { kind: 'slurm', transport: 'local', cmd: BATCH_SERVER_CMD, pollIntervalSeconds: 2, startGraceSeconds: 30 } },
  gpuMetrics: { enabled: true, nvidiaSmi: '/nonexistent/nvidia-smi', nodeNvidiaSmi, intervalSeconds: 1, commandTimeoutSeconds: 30 },
  profiles: [
    { slug: 'cpu', displayName: 'CPU here', kind: 'cpu', default: true },
    {
      slug: 'slurm-a100',
      displayName: 'A100 on Slurm',
      kind: 'gpu',
      backend: 'hpc',
      resources: { gpus: { count: 1, type: 'a100' }, cpu: { limit: 1 }, memory: { limit: '1Gi' }, walltime: '00:20:00' },
      slurm: { partition: 'gpu' },
    },
  ],
});

/** The node's GPU index of a running job (`IDX:n` of `scontrol show job -d`). */
function gpuIndexOf(jobId: string): number {
  const m = /GRES=gpu:a100:1\(IDX:(\d+)\)/.exec(execFileSync('scontrol', ['show', 'job', '-d', jobId], { encoding: 'utf8' }));
  if (!m) throw new Error(`job ${jobId} holds no A100`);
  return Number(m[1]);
}

(AS_ROOT ? describe : describe.skip)('GPU metrics of a Slurm server through the hub (real Slurm, FAKE node nvidia-smi)', () => {
  let cluster: SlurmCluster;
  let fake: FakeNodeNvidiaSmi;
  let t: TestHub;
  let alice = '';

  beforeAll(async () => {
    cluster = await ensureSlurmCluster();
    fake = createFakeNodeNvidiaSmi();
    t = await startTestHub({ config: config(fake.command) });
    alice = await t.addUser('alice', { password: 'alice-password-1' });
  }, SLURM_START_DEADLINE_MS);

  afterAll(async () => {
    try {
      await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'DELETE' });
      await pollUntil('the server to stop', async () => ((await serverModel(t, 'alice')) ? undefined : true), 60_000);
    } finally {
      await t?.stop();
      fake?.remove();
    }
  });

  it("shows alice her job's GPU and the admin where it is, while the local source fails beside it", async () => {
    const started = await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'slurm-a100' } });
    expect([201, 202]).toContain(started.status);
    const jobId = jobIdOf(await waitForReady(t, 'alice'));
    const index = gpuIndexOf(jobId);
    const uuid = FAKE_NODE_GPU_UUIDS[index];

    const gpu = await pollUntil(
      "readings of alice's Slurm server",
      async () => {
        const reply = await apiCall(`${t.apiUrl}/clusterhub/users/alice/server/gpu`, alice);
        if (isRecord(reply.body) && Array.isArray(reply.body['readings']) && reply.body['readings'].length > 0) return reply.body;
        // Said when the wait times out: what the hub's sources report.
        throw new Error(JSON.stringify((await apiCall(`${t.apiUrl}/clusterhub/gpus`, t.adminToken)).body));
      },
      90_000,
      1000,
    );
    expect(gpu).toMatchObject({ user: 'alice', profile: 'slurm-a100', state: 'running' });
    const readings = gpu['readings'] as { devices: { uuid: string; processes: { pid: number }[] }[] }[];
    // Her job's one device only; on the fake node GPU 0 holds the capture's process 462 (8968 MiB at 0 %).
    expect(readings.every((r) => r.devices.length === 1 && r.devices[0]?.uuid === uuid)).toBe(true);
    expect(gpu['activity']).toBe(index === 0 ? 'held-idle' : 'idle');

    const overview = await apiCall(`${t.apiUrl}/clusterhub/gpus`, t.adminToken);
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({
      devices: expect.arrayContaining([expect.objectContaining({ uuid, source: 'slurm:hpc', node: cluster.nodeName, holders: [{ user: 'alice', server: '', profile: 'slurm-a100' }] })]),
      sources: [
        { name: 'local', lastError: expect.stringContaining('/nonexistent/nvidia-smi') },
        { name: 'slurm:hpc', lastError: null },
      ],
    });
    expect(String((overview.body as { lastError: unknown }).lastError)).toMatch(/^local: /);
    // One nvidia-smi per node and round, not one per server or per request.
    expect(fake.calls()).toBeGreaterThan(0);
  });
});
