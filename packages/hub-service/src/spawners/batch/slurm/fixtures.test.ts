/**
 * The parsers on REAL outputs of Slurm 22.05.8 and Debian's Torque wrappers, captured from the test
 * cluster (test/fixtures/slurm/README.md says how each file was made).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollResultOf } from '../job-state';
import { parseQsubOutput } from '../pbs/qsub-script';
import { parseQstatBrief, parseQstatFull, pbsQueuedView } from '../pbs/qstat';
import { finishedView, parseSacct } from './sacct';
import { parseAssociations, parseDefaultAccount } from './sacctmgr';
import { freeFor, freeGres, parseSinfo } from './sinfo';
import { parseSqueue, queuedView, queuePositions, type SqueueField } from './squeue';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'slurm');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** The capture's `squeue -o '%i|%T|%r|%u|%N|%P|%S|%e|%j'` columns. */
const CAPTURED_SQUEUE: readonly SqueueField[] = ['id', 'state', 'reason', 'user', 'nodes', 'partition', 'start', 'end', 'name'];

describe('squeue (real output)', () => {
  it('reads running and pending jobs: nodes, partitions, times; a just-submitted job has no reason yet', () => {
    const jobs = parseSqueue(fixture('squeue-running-pending.txt'), CAPTURED_SQUEUE);
    expect(jobs.map((j) => [j.id, j.phase])).toEqual([
      ['1', 'running'],
      ['5', 'pending'],
      ['6', 'pending'],
      ['2', 'running'],
      ['3', 'running'],
      ['4', 'running'],
    ]);
    expect(jobs[0]).toMatchObject({ user: 'alice', nodes: 'vm', partition: 'cpu', start: new Date(2026, 10, 30, 19, 21, 40), end: new Date(2026, 10, 30, 19, 51, 40), name: 'fixture-cpu' });
    expect(jobs[1]).toMatchObject({ reason: null, nodes: null, start: null, end: null });
    expect(jobs[2]?.reason).toBe('Priority');
  });

  it("after the backfill pass: the reason, Slurm's expected start (%S, no --start needed) and the position", () => {
    const jobs = parseSqueue(fixture('squeue-user-alice.txt'), CAPTURED_SQUEUE);
    const waiting = jobs.find((j) => j.id === '5');
    expect(waiting).toMatchObject({ reason: 'Resources', start: new Date(2026, 10, 30, 19, 51, 40) });
    const all = parseSqueue(fixture('squeue-start.txt'), CAPTURED_SQUEUE);
    const positions = queuePositions(all);
    expect(positions.get('5')).toEqual({ index: 1, total: 2, partition: 'gpu' });
    expect(positions.get('6')).toEqual({ index: 2, total: 2, partition: 'gpu' });
    const result = pollResultOf({ kind: 'queued', job: queuedView(all[0]!, positions)! }, new Date(2026, 10, 30, 19, 31, 40));
    expect(result).toEqual({
      status: 'pending',
      message:
        'Waiting in the queue: Waiting for resources: the nodes, CPUs, memory or GPUs this job needs are busy right now. Position 1 of 2 pending jobs in partition gpu. The scheduler expects it to start in about 20 minutes.',
    });
  });

  it('before the backfill pass: no estimate yet', () => {
    const jobs = parseSqueue(fixture('squeue-start-before-backfill.txt'), CAPTURED_SQUEUE);
    expect(jobs.map((j) => j.start)).toEqual([null, null]);
  });
});

describe('sacct (real output)', () => {
  it('reads final states and exit codes; TIMEOUT is stop reason walltime, FAILED an error', () => {
    const jobs = parseSacct(fixture('sacct-finished.txt'), ['JobID', 'State', 'ExitCode', 'Reason', 'End']);
    expect(jobs.map((j) => [j.id, j.state, j.exitCode, j.signal, j.reason])).toEqual([
      ['1', 'CANCELLED by 0', 0, 0, null],
      ['5', 'CANCELLED by 0', 0, 0, null],
      ['7', 'COMPLETED', 0, 0, null],
      ['8', 'FAILED', 3, 0, null],
      ['9', 'TIMEOUT', 0, 0, null],
    ]);
    const now = new Date();
    const result = (id: string) => pollResultOf({ kind: 'finished', job: finishedView(jobs.find((j) => j.id === id)!) }, now);
    expect(result('9')).toMatchObject({ status: 'stopped', stopReason: 'walltime', message: expect.stringMatching(/walltime/) });
    expect(result('8')).toMatchObject({ status: 'stopped', exitCode: 3, stopReason: 'error' });
    expect(result('7')).toEqual({ status: 'stopped', exitCode: 0, message: 'The job ended, exit code 0.' });
    expect(result('1')).toMatchObject({ message: 'The job was cancelled (by uid 0), exit code 0.' });
  });

  it('skips the steps of a listing without -X', () => {
    expect(parseSacct(fixture('sacct-finished-with-steps.txt'), ['JobID', 'State', 'ExitCode', 'Reason', 'End']).map((j) => j.id)).toEqual(['7', '8', '9']);
  });
});

describe('sinfo (real output)', () => {
  it('counts free A100s and MIG slices from the fixed-width columns', () => {
    const used = parseSinfo(fixture('sinfo-gres-used.txt'), ['NodeList', 'Gres', 'GresUsed']);
    expect(freeGres(used)).toEqual([
      { name: 'gpu', type: '1g.5gb', total: 7, used: 1, free: 6 },
      { name: 'gpu', type: 'a100', total: 2, used: 2, free: 0 },
    ]);
    expect(freeFor(freeGres(used), 'gpu:a100:1')).toEqual({ free: 0, fits: 0 });
    const idle = parseSinfo(fixture('sinfo-gres-idle.txt'), ['NodeList', 'Gres', 'GresUsed']);
    expect(freeFor(freeGres(idle), 'gpu:a100:1')).toEqual({ free: 2, fits: 2 });
    expect(freeFor(freeGres(idle), 'gpu:1g.5gb:1')).toEqual({ free: 7, fits: 7 });
  });
});

describe('sacctmgr (real output)', () => {
  it("reads alice's and bob's associations and alice's default account", () => {
    expect(parseAssociations(fixture('sacctmgr-assoc-alice.txt'))).toMatchObject({ accounts: ['chem', 'physics'], partitions: 'any', qos: ['gpu-short', 'normal'] });
    expect(parseAssociations(fixture('sacctmgr-assoc-bob.txt'))).toMatchObject({ accounts: ['chem'], partitions: 'any', qos: ['normal'] });
    expect(parseDefaultAccount(fixture('sacctmgr-user-alice.txt'))).toBe('physics');
  });
});

describe('Torque wrappers (real output)', () => {
  it('qsub: the id from a file argument or /dev/stdin; the usage text is no id', () => {
    const text = fixture('qsub.txt');
    const [usage, stdin] = text.split('$ qsub /dev/stdin < script');
    expect(parseQsubOutput(usage?.replace('$ qsub < script', '') ?? '')).toBeNull();
    expect(parseQsubOutput(stdin?.split('rc=')[0] ?? '')).toBe('10');
  });

  it('qstat -f: a running job as alice, with its walltime', () => {
    const [job] = parseQstatFull(fixture('qstat-f.txt'));
    expect(job).toMatchObject({ id: '10', name: 'stdin', owner: 'alice', state: 'R', phase: 'running', queue: 'cpu', execHost: 'vm/1', walltimeSeconds: 3600, exitStatus: null });
    expect(pollResultOf({ kind: 'queued', job: pbsQueuedView(job!, new Date(2026, 10, 30, 19, 30, 0))! }, new Date())).toEqual({ status: 'running' });
  });

  it('qstat: finished jobs as C, running as R, names cut at 16 characters', () => {
    const jobs = parseQstatBrief(fixture('qstat.txt'));
    expect(jobs).toHaveLength(11);
    expect(jobs.filter((j) => j.phase === 'ended')).toHaveLength(9);
    expect(jobs.find((j) => j.id === '5')).toEqual({ id: '5', name: 'fixture-a100-wai', owner: 'alice', state: 'C', phase: 'ended', queue: 'gpu' });
  });
});
