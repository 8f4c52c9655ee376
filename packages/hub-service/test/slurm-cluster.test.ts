/**
 * The real Slurm test cluster (harness/slurm) behaves as the HPC backend's tests need: jobs submitted
 * through `sudo -u alice sbatch` with the script on standard input run as alice; a MIG-slice job gets
 * its device in `CUDA_VISIBLE_DEVICES`; a GPU job that finds both A100s taken waits with reason
 * `Resources` and an expected start; sacct (through slurmdbd) reports finished jobs; the Torque
 * wrappers submit, list and cancel. Needs root (as CI runs), like the other real-account tests.
 */
import { chown, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  clusterUser,
  ensureSlurmCluster,
  SLURM_START_DEADLINE_MS,
  startSlurmController,
  stopSlurmController,
  type SlurmCluster,
  type SlurmUser,
} from './harness/slurm/cluster';
import { cancelJobs, check, runAs, runCommand, sbatchAs, waitForJob } from './harness/slurm/commands';

const AS_ROOT = process.getuid?.() === 0;

/** A bash job script from its body lines. */
function jobScript(...lines: string[]): string {
  return ['#!/bin/bash', ...lines, ''].join('\n');
}

(AS_ROOT ? describe : describe.skip)('the real Slurm test cluster (harness/slurm)', () => {
  let cluster: SlurmCluster;
  let alice: SlurmUser;
  let bob: SlurmUser;
  const jobs: string[] = [];
  const files: string[] = [];

  /** sbatch as `user` with the output in a file of ours under their home; remembers the job for clean-up. */
  async function submit(user: SlurmUser, script: string, args: readonly string[]): Promise<{ id: string; output: string }> {
    const output = path.join(user.home, `chtest-slurm-${process.pid}-${jobs.length}.out`);
    files.push(output);
    const id = await sbatchAs(user.name, user.home, script, [`--output=${output}`, ...args]);
    jobs.push(id);
    return { id, output };
  }

  beforeAll(async () => {
    cluster = await ensureSlurmCluster();
    alice = clusterUser(cluster, 'alice');
    bob = clusterUser(cluster, 'bob');
  }, SLURM_START_DEADLINE_MS);

  afterAll(async () => {
    await cancelJobs(jobs);
    await Promise.all(files.map((f) => rm(f, { force: true })));
  });

  it('describes the cluster it started: node, partitions, gres, users, accounts and QoS', async () => {
    expect(cluster.partitions).toEqual([
      { name: 'cpu', default: true },
      { name: 'gpu', default: false },
    ]);
    expect(cluster.gres.map((g) => `${g.name}:${g.type}:${g.count}`)).toEqual(['gpu:a100:2', 'gpu:1g.5gb:7']);
    expect(cluster.accounts.map((a) => a.name)).toEqual(['physics', 'chem']);
    expect(cluster.qos.map((q) => q.name)).toEqual(['normal', 'gpu-short']);
    const sinfo = await check(runCommand('sinfo', ['-h', '-n', cluster.nodeName, '-O', 'NodeList:40,Gres:80']), 'sinfo');
    expect(sinfo).toContain('gpu:a100:2,gpu:1g.5gb:7');
    const assoc = await check(runCommand('sacctmgr', ['-P', '-n', 'show', 'assoc', 'user=alice', 'format=Account,Partition,QOS']), 'sacctmgr');
    expect(assoc.trim().split('\n').sort()).toEqual(['chem||gpu-short,normal', 'physics||gpu-short,normal']);
    // A second call (another test file, another worker) reuses the running cluster.
    await expect(ensureSlurmCluster()).resolves.toEqual(cluster);
  });

  it('runs a CPU job submitted as alice (script on stdin) as alice', async () => {
    const { id, output } = await submit(alice, jobScript('id -u', 'echo ready', 'sleep 300'), ['-p', 'cpu', '-J', 'chtest-cpu']);
    const running = await waitForJob(id, 'RUNNING', (l) => l?.state === 'RUNNING');
    expect(running).toMatchObject({ user: 'alice', partition: 'cpu', nodes: cluster.nodeName, name: 'chtest-cpu' });
    const text = await pollFile(output, (t) => t.includes('ready'));
    expect(text.split('\n')[0]).toBe(String(alice.uid));
    await cancelJobs([id]);
    await waitForJob(id, 'to leave the running state', (l) => l === undefined || l.state !== 'RUNNING');
  });

  it('gives a MIG-slice job its device in CUDA_VISIBLE_DEVICES', async () => {
    const { id, output } = await submit(alice, jobScript('echo "CUDA=${CUDA_VISIBLE_DEVICES-unset}"', 'echo "GPUS=${SLURM_JOB_GPUS-unset}"'), [
      '-p',
      'gpu',
      '--gres=gpu:1g.5gb:1',
    ]);
    await waitForJob(id, 'to finish', (l) => l === undefined || l.state === 'COMPLETED');
    const text = await pollFile(output, (t) => t.includes('GPUS='));
    expect(text).toMatch(/^CUDA=\d+$/m);
    expect(text).toMatch(/^GPUS=\d+$/m);
  });

  it('keeps a third A100 job pending with reason Resources while two jobs hold both A100s, with an expected start', async () => {
    const holders = [
      await submit(alice, jobScript('sleep 300'), ['-p', 'gpu', '--gres=gpu:a100:1', '--time=10']),
      await submit(bob, jobScript('sleep 300'), ['-p', 'gpu', '--gres=gpu:a100:1', '--time=10']),
    ];
    // Other test files may hold the A100s for a while: wait for ours to start.
    for (const h of holders) await waitForJob(h.id, 'RUNNING', (l) => l?.state === 'RUNNING', 180_000);
    const waiting = await submit(alice, jobScript('sleep 300'), ['-p', 'gpu', '--gres=gpu:a100:1', '--time=10']);
    const pending = await waitForJob(waiting.id, 'reason Resources', (l) => l?.reason === 'Resources');
    expect(pending).toMatchObject({ state: 'PENDING', nodes: '', partition: 'gpu' });
    // The backfill pass fills in Slurm's expected start time (`N/A` until then).
    const start = await pollValue(async () => {
      const out = await check(runCommand('squeue', ['-h', '--start', '-j', waiting.id, '-o', '%S']), 'squeue --start');
      return /^\d{4}-\d\d-\d\dT/.test(out.trim()) ? out.trim() : undefined;
    });
    expect(Number.isNaN(Date.parse(start))).toBe(false);
    // Cancelled while pending, it never runs.
    await check(runAs('alice', 'scancel', [waiting.id]), 'scancel as alice');
    await waitForJob(waiting.id, 'to leave the queue', (l) => l === undefined || l.state === 'CANCELLED');
    await cancelJobs(holders.map((h) => h.id));
  });

  it('reports finished jobs through sacct (slurmdbd): completed and failed with the exit code', async () => {
    const ok = await submit(alice, jobScript('echo fine'), ['-p', 'cpu']);
    const failed = await submit(bob, jobScript('echo failing', 'exit 3'), ['-p', 'cpu']);
    const lines = await pollValue(async () => {
      const out = await check(runCommand('sacct', ['-X', '-P', '-n', '-o', 'JobID,State,ExitCode,User', '-j', `${ok.id},${failed.id}`]), 'sacct');
      const rows = out.trim().split('\n');
      return rows.length === 2 && rows.every((r) => /\|(COMPLETED|FAILED)\|/.test(r)) ? rows.sort() : undefined;
    });
    expect(lines).toEqual([`${ok.id}|COMPLETED|0:0|alice`, `${failed.id}|FAILED|3:0|bob`].sort());
  });

  it('submits, lists and cancels through the Torque wrappers (qsub /dev/stdin from a file alice owns, qstat, qdel)', async () => {
    const output = path.join(alice.home, `chtest-pbs-${process.pid}.out`);
    files.push(output);
    const qsubArgs = ['-j', 'oe', '-o', output, '/dev/stdin'];
    // Through sudo, sbatch (which qsub runs) cannot reopen /dev/stdin when it is a pipe of another user.
    const fromPipe = await runAs('alice', 'qsub', qsubArgs, { input: jobScript('sleep 300'), cwd: alice.home });
    expect(fromPipe.code).not.toBe(0);
    expect(fromPipe.stdout + fromPipe.stderr).toContain('Unable to open file /dev/stdin');
    // It can when standard input is a file alice owns (here: written by root, chowned, unlinked once open).
    const dir = await mkdtemp(path.join(tmpdir(), 'chtest-pbs-'));
    const scriptFile = path.join(dir, 'job.sh');
    await writeFile(scriptFile, jobScript('sleep 300'), { mode: 0o600 });
    await chown(scriptFile, alice.uid, alice.uid);
    const fh = await open(scriptFile, 'r');
    let out: string;
    try {
      await rm(dir, { recursive: true });
      out = await check(runAs('alice', 'qsub', qsubArgs, { stdinFd: fh.fd, cwd: alice.home }), 'qsub');
    } finally {
      await fh.close();
    }
    const id = out.trim();
    expect(id).toMatch(/^\d+$/);
    jobs.push(id);
    const qstat = await check(runAs('alice', 'qstat', [id]), 'qstat');
    expect(qstat).toMatch(new RegExp(`^${id}\\s+\\S+\\s+alice\\s+\\S+\\s+[QR]\\s+cpu\\s*$`, 'm'));
    const full = await check(runCommand('qstat', ['-f', id]), 'qstat -f');
    expect(full).toMatch(/Job_Owner = alice@/);
    await check(runAs('alice', 'qdel', [id]), 'qdel');
    const after = await waitForJob(id, 'to be cancelled', (l) => l === undefined || l.state === 'CANCELLED');
    expect(after === undefined || after.state === 'CANCELLED').toBe(true);
  });

  it('survives a controller outage: commands fail while slurmctld is stopped, the running job is still there after', async () => {
    const { id } = await submit(alice, jobScript('sleep 300'), ['-p', 'cpu']);
    await waitForJob(id, 'RUNNING', (l) => l?.state === 'RUNNING');
    await stopSlurmController();
    try {
      const down = await runCommand('squeue', ['-h', '-j', id], { timeoutMs: 60_000 });
      expect(down.code).not.toBe(0);
      expect(down.stderr).toContain('Unable to contact slurm controller');
    } finally {
      await startSlurmController();
    }
    const back = await waitForJob(id, 'listed again', (l) => l !== undefined);
    expect(back).toMatchObject({ state: 'RUNNING', user: 'alice' });
  });
});

/** Calls `probe` every half second until it returns a value; throws after 90 s. */
async function pollValue<T>(probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Reads `file` until `done(text)` holds (a job writes its output while it runs). */
function pollFile(file: string, done: (text: string) => boolean): Promise<string> {
  return pollValue(async () => {
    const text = await readFile(file, 'utf8').catch(() => '');
    return done(text) ? text : undefined;
  });
}
