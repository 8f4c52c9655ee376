/**
 * The PBS backend (`kind: pbs`) against the real Torque-compatible `qsub`/`qstat`/`qdel` of
 * Debian's `slurm-wlm-torque` (the only PBS commands packaged here; Slurm underneath, started by
 * the test harness): the hub submits with `qsub` as the user through sudo, on this machine (local
 * transport) and over SSH to a login node, polls with one `qstat -f` (and `sacct` for jobs shown
 * `C`), and stops with `qdel`; the job runs the real `batchspawner-singleuser jupyterhub-singleuser`,
 * and JupyterLab answers through the proxy; after a hub restart the job is re-adopted; a job ended at
 * its walltime stops with reason walltime. Root only (Slurm, munge, sudo and sshd), as CI runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { HubConfig } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { startLoginNodes, SCHEDULER_DIR, type TestLoginNodes } from './harness/login-node';
import { apiCall, isRecord, navigate, pollUntil, serverModel, waitForReady } from './harness/singleuser';
import { ensureSlurmCluster, SLURM_START_DEADLINE_MS } from './harness/slurm/cluster';
import { BATCH_SERVER_CMD, FAILING_PROLOGUE, jobIdOf, loginNodeSsh, waitForEnded, waitForStopped } from './harness/slurm/hub-jobs';
import { parseQstatFull, type QstatJob } from '../src/spawners/batch/pbs/qstat';

const AS_ROOT = process.getuid?.() === 0;
const PASSWORD = 'alice-password-1';

/** `qstat -f <id>` as root: the job, or undefined once the wrappers no longer list it (exit 153). */
function qstatJob(id: string): QstatJob | undefined {
  const r = spawnSync('qstat', ['-f', id], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 153) throw new Error(`qstat -f ${id}: exit ${r.status}: ${r.stdout}${r.stderr}`);
  return parseQstatFull(r.stdout).find((j) => j.id === id);
}

/** This run's output file name: it tells this hub's jobs from those of other test files on the shared cluster. */
const OUTPUT = `clusterhub-pbs-test-${process.pid}-%j.log`;

/** Ids of this hub's jobs still in the queue (Slurm's `squeue` underneath the wrappers: `qstat` shows no output path). */
function ourQueuedJobs(): string[] {
  const marker = OUTPUT.replace('%j.log', '');
  return execFileSync('squeue', ['--noheader', '--users=alice,bob', '--Format=JobID:|,STDOUT:400'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split('|'))
    .filter((p) => p[1]?.includes(marker))
    .map((p) => p[0]?.trim() ?? '');
}

/** Uids of the `batchspawner-singleuser` processes that run in job `jobId` (other test files' jobs share the machine). */
function serverUidsOf(jobId: string): number[] {
  const uids = new Set<number>();
  for (const pid of readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('batchspawner-singleuser')) continue;
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`SLURM_JOB_ID=${jobId}`)) continue;
      uids.add(statSync(`/proc/${pid}`).uid);
    } catch {
      // the process ended meanwhile
    }
  }
  return [...uids];
}

const config = (nodes: TestLoginNodes): HubConfig => {
  const common = {
    kind: 'pbs' as const,
    cmd: BATCH_SERVER_CMD,
    pollIntervalSeconds: 2,
    startGraceSeconds: 30,
    output: OUTPUT,
  };
  const resources = { cpu: { limit: 1 }, memory: { limit: '1Gi' }, walltime: '00:20:00' };
  return {
    backends: {
      pbs: { ...common, transport: 'local' },
      'pbs-ssh': {
        ...common,
        transport: 'ssh',
        ssh: loginNodeSsh(nodes, 'CH_TEST_PBS_OPERATOR_KEY'),
        commandDir: SCHEDULER_DIR,
      },
    },
    profiles: [
      { slug: 'cpu', displayName: 'CPU here', kind: 'cpu', default: true },
      { slug: 'pbs-cpu', displayName: 'CPU on PBS', kind: 'cpu', backend: 'pbs', resources, slurm: { partition: 'cpu', choices: { account: ['physics', 'chem'] } } },
      {
        slug: 'pbs-broken',
        displayName: 'A PBS job that fails at once',
        kind: 'cpu',
        backend: 'pbs',
        resources: { ...resources, walltime: '00:05:00' },
        slurm: { partition: 'cpu', prologue: FAILING_PROLOGUE },
      },
      { slug: 'pbs-ssh-cpu', displayName: 'CPU on PBS over SSH', kind: 'cpu', backend: 'pbs-ssh', resources, slurm: { partition: 'cpu' } },
      { slug: 'pbs-ssh-short', displayName: 'One minute on PBS over SSH', kind: 'cpu', backend: 'pbs-ssh', resources: { ...resources, walltime: '00:01:00' }, slurm: { partition: 'cpu' } },
    ],
  };
};

(AS_ROOT ? describe : describe.skip)('PBS backend (Torque wrappers over the real Slurm test cluster)', () => {
  let nodes: TestLoginNodes;
  let t: TestHub;
  let dataDir = '';
  let alice = '';
  let bob = '';

  beforeAll(async () => {
    await ensureSlurmCluster();
    nodes = await startLoginNodes(1);
    process.env['CH_TEST_PBS_OPERATOR_KEY'] = nodes.privateKey;
    t = await startTestHub({ config: config(nodes) });
    dataDir = t.dataDir;
    alice = await t.addUser('alice', { password: PASSWORD });
    bob = await t.addUser('bob');
  }, SLURM_START_DEADLINE_MS);

  afterAll(async () => {
    try {
      for (const id of ourQueuedJobs()) spawnSync('qdel', [id]);
    } finally {
      await t?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      await nodes?.stop();
      delete process.env['CH_TEST_PBS_OPERATOR_KEY'];
    }
  });

  it('alice reaches JupyterLab inside a PBS job that runs as alice; polling keeps it; stopping qdels the job', async () => {
    const res = await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'pbs-cpu', account: 'chem' } });
    expect([201, 202]).toContain(res.status);
    const jobId = jobIdOf(await waitForReady(t, 'alice'));
    expect(qstatJob(jobId)).toMatchObject({ owner: 'alice', state: 'R', queue: 'cpu' });
    expect(execFileSync('squeue', ['--noheader', '--jobs', jobId, '--format=%u|%a|%T'], { encoding: 'utf8' }).trim()).toBe('alice|chem|RUNNING');
    expect(serverUidsOf(jobId)).toEqual([Number(execFileSync('id', ['-u', 'alice'], { encoding: 'utf8' }).trim())]);

    await t.hub.context.lifecycle.pollAll();
    expect(await serverModel(t, 'alice')).toMatchObject({ ready: true });
    const client = new BrowserClient();
    expect((await client.login(t.publicUrl, 'alice', PASSWORD)).status).toBe(200);
    expect((await navigate(client, `${t.publicUrl}/user/alice/api`)).status).toBe(200);
    const lab = await navigate(client, `${t.publicUrl}/user/alice/lab`);
    expect(lab.status).toBe(200);
    expect(lab.text).toContain('jupyter-config-data');

    expect((await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'DELETE' })).status).toBeLessThan(300);
    await pollUntil('the job to end', async () => (qstatJob(jobId)?.state === 'R' ? undefined : true), 60_000, 500);
    await pollUntil('the job to leave the queue', async () => (ourQueuedJobs().length === 0 ? true : undefined), 60_000, 500);
    await pollUntil('the server to stop', async () => ((await serverModel(t, 'alice')) ? undefined : true), 30_000);
  });

  it('an injected or unknown option is a 400 naming the field, and nothing is submitted', async () => {
    const before = ourQueuedJobs();
    for (const value of ['physics; qdel all', 'physics\n#PBS -u root', '$(id)', 'physics,walltime=99:00:00', 'biology']) {
      const res = await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'pbs-cpu', account: value } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_user_option' });
      expect(isRecord(res.body) && String(res.body['message'])).toContain('account');
    }
    expect(ourQueuedJobs()).toEqual(before);
    expect(await serverModel(t, 'alice')).toBeUndefined();
  });

  it('a job that fails at once says why: the exit code, which only accounting knows (qstat shows C)', async () => {
    await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'pbs-broken' } });
    const failed = await waitForEnded(t, 'alice');
    expect(failed.message).toMatch(/The job failed, exit code 3/);
    await pollUntil('the job to leave the queue', async () => (ourQueuedJobs().length === 0 ? true : undefined), 30_000, 500);
  });

  it('over SSH, through a hub restart: re-adopted by its job id, the route back; ended at its walltime with stop reason walltime', async () => {
    const res = await apiCall(`${t.apiUrl}/users/bob/server`, bob, { method: 'POST', body: { profile: 'pbs-ssh-short' } });
    expect([201, 202]).toContain(res.status);
    const jobId = jobIdOf(await waitForReady(t, 'bob'));
    expect(qstatJob(jobId)).toMatchObject({ owner: 'bob', state: 'R', walltimeSeconds: 60 });
    expect(nodes.nodes[0]?.log()).toMatch(/Accepted publickey for hubop/);

    await t.hub.stop();
    t = await startTestHub({ config: config(nodes), dataDir });
    expect(jobIdOf(await serverModel(t, 'bob'))).toBe(jobId);
    await pollUntil('the route to bob', async () => ((await fetch(`${t.publicUrl}/user/bob/api`)).status === 200 ? true : undefined), 30_000);

    const stopped = await waitForStopped(t, 'bob');
    expect(stopped.stop_reason).toBe('walltime');
    expect(stopped.message).toMatch(/walltime/);
  }, 240_000);

  it('over SSH: qdel as bob through the login node stops the server', async () => {
    const res = await apiCall(`${t.apiUrl}/users/bob/server`, bob, { method: 'POST', body: { profile: 'pbs-ssh-cpu' } });
    expect([201, 202]).toContain(res.status);
    const jobId = jobIdOf(await waitForReady(t, 'bob'));
    expect((await fetch(`${t.publicUrl}/user/bob/api`)).status).toBe(200);
    expect((await apiCall(`${t.apiUrl}/users/bob/server`, bob, { method: 'DELETE' })).status).toBeLessThan(300);
    await pollUntil('the job to end', async () => (qstatJob(jobId)?.state === 'R' ? undefined : true), 60_000, 500);
    await pollUntil('the job to leave the queue', async () => (ourQueuedJobs().length === 0 ? true : undefined), 60_000, 500);
    await pollUntil('the server to stop', async () => ((await serverModel(t, 'bob')) ? undefined : true), 30_000);
  });
});
