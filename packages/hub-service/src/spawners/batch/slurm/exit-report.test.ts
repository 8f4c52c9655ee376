import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_REPORT_PREFIX, exitReportLines, outputTailOfComment } from './sbatch-script';
import { parseScontrolJob } from './scontrol-job';
import { finishedView, parseSacct, SACCT_REPORT_FIELDS, sacctArgs } from './sacct';

describe('the exit report in the job comment', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chexit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the report lines in real bash with a fake `scontrol` that prints its arguments; returns the Comment it got. */
  function run(body: string, output: string, jobId = '42'): string | null {
    const bin = join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'scontrol'), `#!/bin/bash\nprintf '%s\\n' "$@" > ${JSON.stringify(join(dir, 'args'))}\n`);
    chmodSync(join(bin, 'scontrol'), 0o755);
    const script = [...exitReportLines(dir, output), body].join('\n');
    try {
      execFileSync('bash', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, SLURM_JOB_ID: jobId }, stdio: 'ignore' });
    } catch {
      // the script's own failure is the point
    }
    try {
      const args = execFileSync('cat', [join(dir, 'args')], { encoding: 'utf8' }).split('\n');
      return args.find((a) => a.startsWith('Comment='))?.slice('Comment='.length) ?? null;
    } catch {
      return null;
    }
  }

  it('a script that fails before exec leaves its exit status and output tail, one word, restored by the parser', () => {
    expect(run('exit 3', 'out-%j.log')).toBe(`${EXIT_REPORT_PREFIX}3:`);
    const withOutput = run(`echo "line one" >> ${JSON.stringify(join(dir, 'out-7.log'))}; echo "module load failed: no such | module" >> ${JSON.stringify(join(dir, 'out-7.log'))}; exit 3`, 'out-%j.log', '7');
    expect(withOutput?.startsWith(`${EXIT_REPORT_PREFIX}3:`)).toBe(true);
    expect(withOutput).not.toMatch(/[ \n|]/);
    expect(outputTailOfComment(withOutput)).toBe('line one\nmodule load failed: no such ! module\n');
    const record = `JobId=7 JobName=x UserId=alice(1) JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0 Comment=${withOutput ?? ''} Partition=cpu`;
    expect(parseScontrolJob(record)).toMatchObject({ state: 'FAILED', exitCode: 3, outputTail: 'line one\nmodule load failed: no such ! module\n' });
  });

  it('accounting gives the report back through the Comment column', () => {
    const line = '202|FAILED|127:0|NonZeroExitCode|2026-11-30T18:00:00|2026-11-30T18:00:01|node1|cpu|alice|clusterhub-exit:127:no\x1fsuch\x1fcommand\x1e|clusterhub-2';
    const [job] = parseSacct(line, SACCT_REPORT_FIELDS);
    expect(job).toMatchObject({ id: '202', exitCode: 127, name: 'clusterhub-2' });
    expect(job && finishedView(job).outputTail).toBe('no such command\n');
    expect(sacctArgs(['202'], SACCT_REPORT_FIELDS).at(-1)).toBe('--format=JobID,State,ExitCode,Reason,Start,End,NodeList,Partition,User,Comment,JobName');
  });

  it('a script that succeeds (or execs) leaves nothing', () => {
    expect(run('exit 0', 'out-%j.log')).toBeNull();
  });

  it('the output path is quoted: a hostile file name is not run', () => {
    const comment = run('exit 1', "o$(touch pwned)'x%j.log");
    expect(outputTailOfComment(comment)).toBe('');
    expect(() => execFileSync('ls', [join(dir, 'pwned')], { stdio: 'ignore' })).toThrow();
  });
});
