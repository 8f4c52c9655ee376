/**
 * The PBS dialect's command planning and reading, with a runner that answers with the REAL outputs
 * of Debian's Torque wrappers and sacct captured from the test cluster (test/fixtures/slurm). The
 * same dialect against the live commands: test/pbs-backend.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileConfig } from '@clusterhub/shared';
import { SpawnError } from '../../spawner';
import { SchedulerUnreachableError, type CommandResult, type CommandRunner, type SchedulerCommand } from '../commands';
import { resolveJobSpec } from '../job-spec';
import { pollResultOf } from '../job-state';
import type { JobScriptContext } from '../script-text';
import { PbsDialect, qsubRefusal } from './pbs-dialect';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'slurm');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** Answers each program with a canned result and records every command. */
class ScriptedRunner implements CommandRunner {
  readonly description = 'scripted';
  readonly commands: SchedulerCommand[] = [];
  constructor(private readonly answers: Partial<Record<SchedulerCommand['program'], Partial<CommandResult>>>) {}
  async run(cmd: SchedulerCommand): Promise<CommandResult> {
    this.commands.push(cmd);
    const a = this.answers[cmd.program];
    if (!a) throw new Error(`unexpected ${cmd.program}`);
    return { code: 0, stdout: '', stderr: '', host: 'local', ...a };
  }
  async close(): Promise<void> {}
  programs(): string[] {
    return this.commands.map((c) => c.program);
  }
}

const PROFILE: ProfileConfig = {
  slug: 'pbs-cpu',
  displayName: 'PBS',
  kind: 'cpu',
  resources: { cpu: { limit: 2 }, memory: { limit: '1Gi' }, walltime: '00:20:00' },
  slurm: { partition: 'cpu', account: 'physics' },
};
const CTX: JobScriptContext = {
  jobName: 'clusterhub-7',
  user: 'alice',
  home: '/home/alice',
  output: '.clusterhub/job-%j.log',
  path: '/usr/bin:/bin',
  env: { JUPYTERHUB_API_TOKEN: 'secret-token' },
  cmd: ['batchspawner-singleuser', 'jupyterhub-singleuser'],
};
const watched = (...ids: string[]) => ids.map((id) => ({ id, partition: null, pending: false }));

describe('PbsDialect.submit', () => {
  it('runs qsub as the user with the options in argv and the script on stdin only', async () => {
    const runner = new ScriptedRunner({ qsub: { stdout: '10\n' } });
    const dialect = new PbsDialect(runner);
    const spec = resolveJobSpec(PROFILE, {});
    const script = dialect.renderScript(spec, CTX);
    expect(await dialect.submit(script, 'alice', { spec, ctx: CTX })).toBe('10');
    const [cmd] = runner.commands;
    expect(cmd).toMatchObject({ program: 'qsub', asUser: 'alice', stdin: script });
    expect(cmd?.args).toEqual(['-N', 'clusterhub-7', '-q', 'cpu', '-A', 'physics', '-l', 'nodes=1:ppn=2,mem=1024mb,walltime=00:20:00', '-j', 'oe', '-o', '.clusterhub/job-%j.log', '-wd', '/home/alice', '-v', 'CLUSTERHUB_JOB=1', '--', '--parsable']);
    expect(cmd?.args.join(' ')).not.toContain('secret-token');
    expect(script).toContain('secret-token');
  });

  it('real PBS (flavour pbs) gets no wrapper arguments', async () => {
    const runner = new ScriptedRunner({ qsub: { stdout: '43.pbs1\n' } });
    const spec = resolveJobSpec(PROFILE, {});
    expect(await new PbsDialect(runner, { flavour: 'pbs' }).submit('#!/bin/bash\n', 'alice', { spec, ctx: CTX })).toBe('43.pbs1');
    expect(runner.commands[0]?.args.slice(-2)).toEqual(['-v', 'CLUSTERHUB_JOB=1']);
  });

  it("a refusal is a SpawnError with sbatch's words, which the wrapper prints on stdout", async () => {
    const stdout = [
      'There was an error running the Slurm sbatch command.',
      'The command was:',
      "'/usr/bin/sbatch -N1 -n1 -t1 --begin=2043 -J probe2 -p cpu --parsable 2>&1'",
      'and the output was:',
      "'Invalid time specification (pos=0): 2043",
      ' sbatch: error: Invalid --begin specification',
      "'",
    ].join('\n');
    expect(qsubRefusal(stdout, '')).toBe('sbatch: error: Invalid --begin specification');
    const spec = resolveJobSpec(PROFILE, {});
    const refused = new PbsDialect(new ScriptedRunner({ qsub: { stdout } })).submit('#!/bin/bash\n', 'alice', { spec, ctx: CTX });
    await expect(refused).rejects.toThrow(SpawnError);
    await expect(refused).rejects.toThrow(/Invalid --begin specification/);
  });

  it('a value PBS cannot carry is refused before anything runs', () => {
    const dialect = new PbsDialect(new ScriptedRunner({}));
    expect(() => dialect.renderScript(resolveJobSpec({ ...PROFILE, slurm: { partition: 'cpu', qos: 'normal' } }, {}), CTX)).toThrow(/qos/);
    expect(() => dialect.renderScript(resolveJobSpec(PROFILE, {}), { ...CTX, home: '/home/al ice' })).toThrow(RangeError);
  });
});

describe('PbsDialect.observe (real wrapper outputs)', () => {
  it('one qstat for all jobs: a running job with its node, queue and walltime end; no sacct when none ended', async () => {
    const runner = new ScriptedRunner({ qstat: { stdout: fixture('qstat-f.txt') } });
    const infos = await new PbsDialect(runner).observe(watched('10'));
    expect(runner.commands).toEqual([{ program: 'qstat', args: ['-f', '10'] }]);
    const info = infos.get('10');
    expect(info).toMatchObject({ node: 'vm', partition: 'cpu', observation: { kind: 'queued', job: { phase: 'running', state: 'R' } } });
    expect(info?.end?.getTime()).toBe(new Date(2026, 10, 30, 19, 23, 22).getTime() + 3600_000);
    expect(pollResultOf(info!.observation, new Date())).toEqual({ status: 'running' });
  });

  it('a C job takes its final state and exit code from sacct; a held job pends; an unknown id is gone: qstat and sacct once each', async () => {
    const runner = new ScriptedRunner({ qstat: { stdout: fixture('qstat-f-ended-held.txt') }, sacct: { stdout: fixture('sacct-pbs.txt') } });
    const dialect = new PbsDialect(runner);
    const infos = await dialect.observe(watched('98', '99', '999999'));
    expect(runner.programs()).toEqual(['qstat', 'sacct']);
    expect(runner.commands[1]?.args).toContain('--jobs=98,999999');
    const now = new Date();
    expect(pollResultOf(infos.get('98')!.observation, now)).toEqual({ status: 'stopped', exitCode: 3, message: 'The job failed, exit code 3.', stopReason: 'error' });
    expect(pollResultOf(infos.get('99')!.observation, now, (r) => dialect.explainReason(r))).toEqual({ status: 'pending', message: 'Waiting in the queue.' });
    expect(infos.get('999999')?.observation).toEqual({ kind: 'gone' });
  });

  it('C while accounting still shows the job running: it counts as running, so the stop reason is not lost', async () => {
    const runner = new ScriptedRunner({
      qstat: { stdout: fixture('qstat-f-ended-held.txt') },
      sacct: { stdout: '98|RUNNING|0:0|None|2026-11-30T19:44:05|Unknown|vm|cpu|alice|fixture-pbs-fails\n' },
    });
    const infos = await new PbsDialect(runner).observe(watched('98'));
    expect(pollResultOf(infos.get('98')!.observation, new Date())).toEqual({ status: 'running' });
  });

  it('without accounting (sacct fails, or flavour pbs) a C job ended with no exit code', async () => {
    const failing = new ScriptedRunner({ qstat: { stdout: fixture('qstat-f-ended-held.txt') }, sacct: { code: 1, stderr: 'sacct: error: Problem talking to the database' } });
    const plain = new ScriptedRunner({ qstat: { stdout: fixture('qstat-f-ended-held.txt') } });
    for (const [runner, dialect, programs] of [
      [failing, new PbsDialect(failing), ['qstat', 'sacct']],
      [plain, new PbsDialect(plain, { flavour: 'pbs' }), ['qstat']],
    ] as const) {
      const infos = await dialect.observe(watched('98'));
      expect(pollResultOf(infos.get('98')!.observation, new Date())).toEqual({ status: 'stopped', exitCode: null, message: 'The job ended.' });
      expect(runner.programs()).toEqual(programs);
    }
  });

  it("qstat's 153 with no output: every job is gone; any other failure: the scheduler is unreachable, nothing is stopped", async () => {
    const gone = await new PbsDialect(new ScriptedRunner({ qstat: { code: 153 }, sacct: { stdout: '' } })).observe(watched('5', '6'));
    expect([...gone.values()].map((i) => i.observation.kind)).toEqual(['gone', 'gone']);
    await expect(new PbsDialect(new ScriptedRunner({ qstat: { code: 8, stdout: 'Problem loading jobs.\n' } })).observe(watched('5'))).rejects.toThrow(SchedulerUnreachableError);
  });

  it('asks nothing for no jobs', async () => {
    const runner = new ScriptedRunner({});
    expect((await new PbsDialect(runner).observe([])).size).toBe(0);
    expect(runner.commands).toEqual([]);
  });
});

describe('PbsDialect.cancel', () => {
  it('runs qdel as the user; a silent failure (job already ended or unknown) is fine, a message is not', async () => {
    const runner = new ScriptedRunner({ qdel: { code: 1 } });
    await new PbsDialect(runner).cancel('90', 'alice');
    expect(runner.commands).toEqual([{ program: 'qdel', args: ['90'], asUser: 'alice' }]);
    const denied = new PbsDialect(new ScriptedRunner({ qdel: { code: 1, stdout: 'qdel: Kill job error on job id 90: Access/permission denied\n' } }));
    await expect(denied.cancel('90', 'bob')).rejects.toThrow(/Access\/permission denied/);
    await expect(new PbsDialect(new ScriptedRunner({})).cancel('9 0', 'alice')).rejects.toThrow(RangeError);
  });
});
