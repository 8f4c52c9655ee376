/**
 * The Slurm backend against a real Slurm 22.05 cluster (munge, slurmdbd, slurmctld, slurmd, gres
 * GPUs and MIG slices over character devices), started by the test harness: the hub submits
 * `sbatch` as the user through sudo on this machine (the local transport), the job runs the real
 * `batchspawner-singleuser jupyterhub-singleuser` from the venv, which reports its port back, and
 * the browser reaches JupyterLab inside the job through the proxy with a full OAuth login.
 * Root only (Slurm, munge and sudo to the job users), as CI runs.
 */
import { execFileSync } from 'node:child_process';
import type { HubConfig } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { apiCall, isRecord, navigate, pollUntil, serverModel, waitForReady } from './harness/singleuser';
import { ensureSlurmCluster, SLURM_START_DEADLINE_MS } from './harness/slurm/cluster';
import { BATCH_SERVER_CMD, FAILING_PROLOGUE, jobIdOf, squeueOf, waitForEnded } from './harness/slurm/hub-jobs';
import { readProgress } from './harness/progress';

const AS_ROOT = process.getuid?.() === 0;
const PASSWORD = 'alice-password-1';

/** Job ids of the active jobs of `user` named like the hub's jobs. */
function hubJobsOf(user: string): string[] {
  const out = execFileSync('squeue', ['--noheader', '--user', user, '--format=%i|%j'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split('|'))
    .filter((p) => p[1]?.startsWith('clusterhub-'))
    .map((p) => p[0] ?? '');
}

const config = (): HubConfig => ({
  backends: {
    hpc: {
      kind: 'slurm',
      transport: 'local',
      cmd: BATCH_SERVER_CMD,
      pollIntervalSeconds: 2,
      startGraceSeconds: 30,
      walltime: { noticeMinutes: 25, extensionMinutes: 10, maxExtensions: 1 },
    },
  },
  profiles: [
    { slug: 'cpu', displayName: 'CPU here', kind: 'cpu', default: true },
    {
      slug: 'slurm-cpu',
      displayName: 'CPU on Slurm',
      kind: 'cpu',
      backend: 'hpc',
      resources: { cpu: { limit: 1 }, memory: { limit: '1Gi' }, walltime: '00:20:00' },
      slurm: { partition: 'cpu', choices: { account: ['physics', 'chem'], maxWalltime: '01:00:00' } },
    },
    {
      slug: 'slurm-a100',
      displayName: 'A100 on Slurm',
      kind: 'gpu',
      backend: 'hpc',
      resources: { gpus: { count: 1, type: 'a100' }, cpu: { limit: 1 }, memory: { limit: '1Gi' }, walltime: '00:20:00' },
      slurm: { partition: 'gpu' },
    },
    {
      slug: 'slurm-broken',
      displayName: 'A job that fails at once',
      kind: 'cpu',
      backend: 'hpc',
      resources: { cpu: { limit: 1 }, memory: { limit: '500Mi' }, walltime: '00:05:00' },
      slurm: { partition: 'cpu', prologue: FAILING_PROLOGUE },
    },
  ],
});

(AS_ROOT ? describe : describe.skip)('Slurm backend (real Slurm, local transport)', () => {
  let t: TestHub;
  let alice = '';

  beforeAll(async () => {
    await ensureSlurmCluster();
    t = await startTestHub({ config: config() });
    alice = await t.addUser('alice', { password: PASSWORD });
  }, SLURM_START_DEADLINE_MS);

  afterAll(async () => {
    try {
      for (const id of hubJobsOf('alice')) execFileSync('scancel', [id]);
    } finally {
      await t?.stop();
    }
  });

  it('a browser logs in and reaches JupyterLab inside a Slurm job that runs as alice; stopping cancels the job', async () => {
    const res = await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'slurm-cpu', account: 'chem' } });
    expect([201, 202]).toContain(res.status);
    const model = await waitForReady(t, 'alice');
    const jobId = jobIdOf(model);
    expect(squeueOf(jobId)).toBe('alice|RUNNING|None');
    expect(execFileSync('squeue', ['--noheader', '--jobs', jobId, '--format=%a'], { encoding: 'utf8' }).trim()).toBe('chem');
    const client = new BrowserClient();
    expect((await client.login(t.publicUrl, 'alice', PASSWORD)).status).toBe(200);
    const lab = await navigate(client, `${t.publicUrl}/user/alice/lab`);
    expect(lab.status).toBe(200);
    expect(lab.text).toContain('jupyter-config-data');
    // The server process inside the job (batchspawner-singleuser runs jupyterhub-singleuser in-process) belongs to alice, none to root.
    const owners = execFileSync('bash', ['-c', 'ps -eo uid=,args= | grep "[b]atchspawner-singleuser" | awk \'{print $1}\' | sort -u'], { encoding: 'utf8' });
    expect(owners.split(/\s+/).filter(Boolean)).toEqual([execFileSync('id', ['-u', 'alice'], { encoding: 'utf8' }).trim()]);
    expect((await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'DELETE' })).status).toBeLessThan(300);
    await pollUntil('the job to leave the queue', async () => (/RUNNING|PENDING/.test(squeueOf(jobId)) ? undefined : true), 60_000, 500);
    await pollUntil('the server to stop', async () => ((await serverModel(t, 'alice')) ? undefined : true), 30_000);
  });

  it('shows when the job ends, warns before, and extends it once by the allowed minutes', async () => {
    await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'slurm-cpu' } });
    const model = await waitForReady(t, 'alice');
    const jobId = jobIdOf(model);
    const endsAt = Date.parse(model.ends_at ?? '');
    expect(endsAt - Date.now()).toBeGreaterThan(15 * 60_000);
    expect(endsAt - Date.now()).toBeLessThanOrEqual(20 * 60_000);
    expect(await t.hub.walltime.notify()).toBe(1);
    const warned = await serverModel(t, 'alice');
    expect(warned?.message).toMatch(/^Walltime: this server's job ends at \d\d:\d\d UTC \(in about (19|20) minutes\); save your work\. You can extend it by 10 minutes\.$/);
    expect(await t.hub.walltime.notify()).toBe(0);
    const extended = await apiCall(`${t.apiUrl}/clusterhub/users/alice/server/walltime`, alice, { method: 'POST' });
    expect(extended.status).toBe(200);
    expect(extended.body).toMatchObject({ extensions_left: 0 });
    const newEnd = Date.parse(isRecord(extended.body) ? String(extended.body['ends_at']) : '');
    expect(newEnd - endsAt).toBeGreaterThanOrEqual(9 * 60_000);
    expect(newEnd - endsAt).toBeLessThanOrEqual(11 * 60_000);
    expect(execFileSync('squeue', ['--noheader', '--jobs', jobId, '--format=%l'], { encoding: 'utf8' }).trim()).toBe('30:00');
    expect((await serverModel(t, 'alice'))?.ends_at).toBe(new Date(newEnd).toISOString());
    const again = await apiCall(`${t.apiUrl}/clusterhub/users/alice/server/walltime`, alice, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'walltime_extension_unavailable', message: 'This server was already extended 1 time, the most its backend allows.' });
    await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'DELETE' });
    await pollUntil('the server to stop', async () => ((await serverModel(t, 'alice')) ? undefined : true), 60_000);
    const stopped = await apiCall(`${t.apiUrl}/clusterhub/users/alice/server/walltime`, alice, { method: 'POST' });
    expect(stopped.body).toMatchObject({ code: 'server_not_running' });
  });

  it('a bad or injected option is a 400 naming the field, and nothing is submitted', async () => {
    const before = hubJobsOf('alice');
    for (const [field, value] of [
      ['account', 'physics; scancel -u alice'],
      ['account', 'physics\n#SBATCH --uid=0'],
      ['account', '$(id)'],
      ['account', 'biology'],
      ['walltime', '99:00:00'],
      ['partition', 'gpu'],
    ] as const) {
      const res = await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'slurm-cpu', [field]: value } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_user_option' });
      expect(isRecord(res.body) && String(res.body['message'])).toContain(field);
    }
    expect(hubJobsOf('alice')).toEqual(before);
    expect(await serverModel(t, 'alice')).toBeUndefined();
  });

  it('a job that fails at once says why: the exit code', async () => {
    await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'slurm-broken' } });
    const failed = await waitForEnded(t, 'alice');
    expect(failed.message).toMatch(/exit code 3/);
    expect(failed.message).toMatch(/Its output is in \/home\/alice\/clusterhub-\d+\.log\.\nLast lines of its output:\nmodule load failed: no such module$/);
  });

  it('a start timeout does not cancel a job Slurm expects to start within the grace; it starts when the GPUs free up', async () => {
    const base = config();
    const graceHub = await startTestHub({
      config: {
        ...base,
        hub: { startTimeoutSeconds: 20 },
        backends: { hpc: { ...base.backends?.['hpc'], kind: 'slurm', startGraceSeconds: 150 } },
      },
    });
    const blockers = [1, 2].map(() =>
      execFileSync('sudo', ['-n', '-u', 'bob', 'sbatch', '--parsable', '--partition=gpu', '--gres=gpu:a100:1', '--mem=100M', '--time=1:00', '--chdir=/tmp', '--wrap=sleep 600'], { encoding: 'utf8' }).trim(),
    );
    try {
      const token = await graceHub.addUser('alice');
      await pollUntil('both A100s to be taken', async () => (blockers.every((id) => squeueOf(id).includes('RUNNING')) ? true : undefined), 60_000, 500);
      expect((await apiCall(`${graceHub.apiUrl}/users/alice/server`, token, { method: 'POST', body: { profile: 'slurm-a100' } })).status).toBe(202);
      const { events } = await readProgress(`${graceHub.apiUrl}/users/alice/server/progress`, token, (st) => st.events.some((x) => x.ready === true || x.failed === true), 170_000);
      expect(events.some((x) => /The scheduler expects it to start/.test(x.message))).toBe(true);
      expect(events.at(-1)).toMatchObject({ ready: true });
      const model = await waitForReady(graceHub, 'alice');
      expect(squeueOf(jobIdOf(model))).toBe('alice|RUNNING|None');
      await apiCall(`${graceHub.apiUrl}/users/alice/server`, token, { method: 'DELETE' });
      await pollUntil('the server to stop', async () => ((await serverModel(graceHub, 'alice')) ? undefined : true), 60_000);
    } finally {
      for (const id of blockers) execFileSync('scancel', [id]);
      await graceHub.stop();
    }
  }, 240_000);

  it('a GPU job that cannot start says why, where it stands and is cancelled from the spawn page', async () => {
    const blockers = [1, 2].map(() =>
      execFileSync('sudo', ['-n', '-u', 'bob', 'sbatch', '--parsable', '--partition=gpu', '--gres=gpu:a100:1', '--mem=100M', '--time=10:00', '--chdir=/tmp', '--wrap=sleep 600'], { encoding: 'utf8' }).trim(),
    );
    try {
      await pollUntil('both A100s to be taken', async () => (blockers.every((id) => squeueOf(id).includes('RUNNING')) ? true : undefined), 60_000, 500);
      const res = await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'slurm-a100' } });
      expect(res.status).toBe(202);
      const { events } = await readProgress(`${t.apiUrl}/users/alice/server/progress`, alice, (s) => s.events.some((x) => /Waiting in the queue: /.test(x.message)), 60_000);
      const waiting = events.find((x) => /Waiting in the queue: /.test(x.message))?.message ?? '';
      expect(waiting).toMatch(/Waiting in the queue: .*(resources|GPU|free)/i);
      expect(waiting).toMatch(/Position 1 of 1 pending jobs in partition gpu/);
      const jobId = jobIdOf(await serverModel(t, 'alice'));
      expect(squeueOf(jobId)).toMatch(/^alice\|PENDING\|Resources$/);
      const client = new BrowserClient();
      await client.login(t.publicUrl, 'alice', PASSWORD);
      const page = await navigate(client, `${t.publicUrl}/hub/spawn-pending/alice`);
      const form = /<form[^>]*action="([^"]+)" id="stop-form"><input type="hidden" name="_xsrf" value="([^"]+)"><button[^>]*>Cancel start</.exec(page.text);
      if (!form?.[1] || !form[2]) throw new Error('no Cancel start form on the spawn page');
      const cancel = await navigate(client, new URL(form[1], t.publicUrl).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `_xsrf=${encodeURIComponent(form[2].replace(/&amp;/g, '&'))}`,
      });
      expect(cancel.status).toBe(200);
      await pollUntil('the pending job to be cancelled', async () => (squeueOf(jobId).includes('PENDING') ? undefined : true), 30_000, 500);
    } finally {
      for (const id of blockers) execFileSync('scancel', [id]);
    }
  });
});
