/**
 * The batch backend's pure pieces against the real Slurm test cluster (harness/slurm): a job spec
 * from a profile and a user's choice, rendered by the sbatch and the PBS (Torque wrapper) dialects,
 * submitted as alice through sudo with the script on standard input, runs with the environment
 * reset (only Slurm's variables, the GPU, the login and what the hub exports; the token arrives
 * literally) and ends as accounting reports it. Root only (Slurm, munge, sudo), as CI runs.
 */
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { ProfileConfig } from '@clusterhub/shared';
import { resolveJobSpec } from '../src/spawners/batch/job-spec';
import { pollResultOf } from '../src/spawners/batch/job-state';
import { parseQsubOutput, qsubArgs, renderQsubScript } from '../src/spawners/batch/pbs/qsub-script';
import { finishedView, parseSacct, sacctArgs } from '../src/spawners/batch/slurm/sacct';
import { parseSbatchOutput, renderSbatchScript, sbatchArgs } from '../src/spawners/batch/slurm/sbatch-script';
import { isControllerUnreachable } from '../src/spawners/batch/slurm/squeue';
import { jobName, type JobScriptContext } from '../src/spawners/batch/script-text';
import { clusterUser, ensureSlurmCluster, SLURM_START_DEADLINE_MS, type SlurmUser } from './harness/slurm/cluster';
import { cancelJobs, runAs, runCommand, waitForJob, type CommandResult } from './harness/slurm/commands';
import { pollUntil } from './harness/singleuser';

const AS_ROOT = process.getuid?.() === 0;
const TOKEN = "tok'en$(id)`id`;#x\"y\"";

/** Runs a submission, again while another test has the controller stopped. */
async function submit(run: () => Promise<CommandResult>): Promise<CommandResult> {
  return pollUntil('the controller to take a job', async () => {
    const r = await run();
    return isControllerUnreachable(r.stderr + r.stdout) ? undefined : r;
  }, 300_000, 2000);
}

/** `NAME=value` lines of `env` output as a map. */
function envOf(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );
}

(AS_ROOT ? describe : describe.skip)('batch job scripts on the real Slurm test cluster', () => {
  let alice: SlurmUser;
  const jobs: string[] = [];
  const files: string[] = [];

  beforeAll(async () => {
    alice = clusterUser(await ensureSlurmCluster(), 'alice');
  }, SLURM_START_DEADLINE_MS);

  afterAll(async () => {
    await cancelJobs(jobs);
    await Promise.all(files.map((f) => rm(f, { force: true })));
  });

  /** The script context for alice; the job runs `env`, its output in her home. */
  function context(n: number): JobScriptContext {
    return {
      jobName: jobName(n, 'scripttest'), // not `clusterhub-`: other tests clean those up
      user: alice.name,
      home: alice.home,
      output: `scripttest-${process.pid}-${n}-%j.log`,
      path: process.env.PATH ?? '',
      env: { JUPYTERHUB_API_TOKEN: TOKEN, JUPYTERHUB_USER: alice.name },
      cmd: ['env'],
    };
  }

  /** Waits until job `id` left the queue and returns its output (the job's `env`). */
  async function outputOf(id: string, ctx: JobScriptContext): Promise<Map<string, string>> {
    await waitForJob(id, 'its end', (line) => line === undefined || !/PENDING|RUNNING|CONFIGURING|COMPLETING/.test(line.state), 240_000);
    const file = path.join(alice.home, ctx.output.replace('%j', id));
    files.push(file);
    return envOf(await readFile(file, 'utf8'));
  }

  it('sbatch: the user-chosen account, the MIG slice, a reset environment and the token, then COMPLETED in sacct', async () => {
    const profile: ProfileConfig = {
      slug: 'mig-test',
      displayName: 'MIG',
      kind: 'mig',
      resources: { cpu: { limit: 1 }, memory: { limit: '200Mi' }, mig: { profile: '1g.5gb' }, walltime: '00:05:00' },
      slurm: { partition: 'gpu', prologue: ['export FROM_PROLOGUE=yes'], choices: { account: ['physics', 'chem'] } },
    };
    const spec = resolveJobSpec(profile, { account: 'chem', profile: 'mig-test' });
    const ctx = context(1);
    const r = await submit(() => runAs(alice.name, 'sbatch', sbatchArgs(), { input: renderSbatchScript(spec, ctx), cwd: '/' }));
    const id = parseSbatchOutput(r.stdout)?.jobId;
    if (!id) throw new Error(`sbatch refused: ${r.stderr}`);
    jobs.push(id);

    const env = await outputOf(id, ctx);
    expect(env.get('SLURM_JOB_ACCOUNT')).toBe('chem');
    expect(env.get('SLURM_JOB_PARTITION')).toBe('gpu');
    expect(env.get('SLURM_JOB_NAME')).toBe(ctx.jobName);
    expect(env.get('SLURM_MEM_PER_NODE')).toBe('200');
    expect(env.get('CUDA_VISIBLE_DEVICES')).toMatch(/^[0-9]+$/);
    expect(env.get('JUPYTERHUB_API_TOKEN')).toBe(TOKEN);
    expect(env.get('FROM_PROLOGUE')).toBe('yes');
    expect(env.get('PATH')).toBe(ctx.path);
    expect(env.get('HOME')).toBe(alice.home);
    expect(env.get('USER')).toBe(alice.name);
    expect(env.get('SLURM_EXPORT_ENV')).toBe('NONE');
    const foreign = [...env.keys()].filter(
      (k) => !/^(SLURM_|CUDA_VISIBLE_DEVICES$|GPU_DEVICE_ORDINAL$|HOME$|USER$|LOGNAME$|TMPDIR$|PATH$|SHLVL$|PWD$|OLDPWD$|_$|JUPYTERHUB_|FROM_PROLOGUE$)/.test(k),
    );
    expect(foreign).toEqual([]);

    const record = await pollUntil('the job in accounting', async () => {
      const out = await runCommand('sacct', sacctArgs([id]));
      return parseSacct(out.stdout).find((j) => j.id === id && j.phase === 'ended');
    }, 120_000, 1000);
    expect(pollResultOf({ kind: 'finished', job: finishedView(record) }, new Date())).toEqual({ status: 'stopped', exitCode: 0, message: 'The job ended, exit code 0.' });
  }, 600_000);

  it('qsub (Torque wrapper): the script on standard input through sudo, two CPUs, the same reset', async () => {
    const profile: ProfileConfig = { slug: 'pbs-test', displayName: 'PBS', kind: 'cpu', resources: { cpu: { limit: 2 }, memory: { limit: '200Mi' }, walltime: '00:05:00' }, slurm: { partition: 'cpu', account: 'physics' } };
    const spec = resolveJobSpec(profile, {});
    const ctx = context(2);
    const r = await submit(() => runAs(alice.name, 'qsub', qsubArgs(spec, ctx), { input: renderQsubScript(spec, ctx), cwd: '/' }));
    const id = parseQsubOutput(r.stdout);
    if (!id) throw new Error(`qsub refused: ${r.stdout}${r.stderr}`);
    jobs.push(id);

    const env = await outputOf(id, ctx);
    expect(env.get('SLURM_JOB_ACCOUNT')).toBe('physics');
    expect(env.get('SLURM_JOB_PARTITION')).toBe('cpu');
    expect(env.get('SLURM_NTASKS')).toBe('2');
    expect(env.get('SLURM_JOB_NAME')).toBe(ctx.jobName);
    expect(env.get('JUPYTERHUB_API_TOKEN')).toBe(TOKEN);
    expect(env.get('PATH')).toBe(ctx.path);
    expect(env.has('CLUSTERHUB_JOB')).toBe(false);
  }, 600_000);
});
