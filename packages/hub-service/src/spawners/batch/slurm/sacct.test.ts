import { pollResultOf } from '../job-state';
import { finishedView, isAccountingUnavailable, parseSacct, sacctArgs } from './sacct';

// sacct --noheader --parsable2 --allocations --format=JobID,State,ExitCode,Reason,Start,End,NodeList,Partition,User,JobName
const RECORDS = [
  '201|COMPLETED|0:0|None|2026-11-30T18:00:00|2026-11-30T18:10:00|node1|cpu|alice|clusterhub-1',
  '202|FAILED|127:0|NonZeroExitCode|2026-11-30T18:00:00|2026-11-30T18:00:01|node1|cpu|alice|clusterhub-2',
  '203|TIMEOUT|0:0|TimeLimit|2026-11-30T18:00:00|2026-11-30T18:01:05|node1|gpu|alice|clusterhub-3',
  '204|CANCELLED by 1001|0:15|None|2026-11-30T18:00:00|2026-11-30T18:00:30|node1|gpu|bob|a|b',
  '205|PENDING|0:0|Priority|Unknown|Unknown|None assigned|gpu|bob|waiting',
  '203.batch|CANCELLED|0:15||2026-11-30T18:00:00|2026-11-30T18:01:05|node1||||',
  'sacct: error: Slurm accounting storage is disabled',
].join('\n');

describe('sacctArgs', () => {
  it('asks for allocations of the given ids, parsable, no header', () => {
    expect(sacctArgs(['201', '202'])).toEqual([
      '--noheader',
      '--parsable2',
      '--allocations',
      '--jobs=201,202',
      '--format=JobID,State,ExitCode,Reason,Start,End,NodeList,Partition,User,JobName',
    ]);
    expect(() => sacctArgs(['201;id'])).toThrow(RangeError);
  });
});

describe('parseSacct', () => {
  const jobs = parseSacct(RECORDS);

  it('reads the allocations and skips steps and error lines', () => {
    expect(jobs.map((j) => j.id)).toEqual(['201', '202', '203', '204', '205']);
  });

  it('reads state, exit code, signal, reason and times', () => {
    expect(jobs[1]).toEqual({
      id: '202',
      state: 'FAILED',
      phase: 'ended',
      exitCode: 127,
      signal: 0,
      reason: 'NonZeroExitCode',
      start: new Date(2026, 10, 30, 18, 0, 0),
      end: new Date(2026, 10, 30, 18, 0, 1),
      nodes: 'node1',
      partition: 'cpu',
      user: 'alice',
      name: 'clusterhub-2',
      comment: null,
    });
    expect(jobs[3]).toMatchObject({ state: 'CANCELLED by 1001', signal: 15, name: 'a|b' });
    expect(jobs[4]).toMatchObject({ phase: 'pending', start: null, nodes: null });
  });

  it('reads the shorter format of the test-cluster fixtures', () => {
    const [job] = parseSacct('9|TIMEOUT|0:0|None|2026-11-30T18:01:05\n', ['JobID', 'State', 'ExitCode', 'Reason', 'End']);
    expect(job).toMatchObject({ id: '9', state: 'TIMEOUT', exitCode: 0, reason: null, end: new Date(2026, 10, 30, 18, 1, 5), name: null, user: null });
  });

  it('TIMEOUT gives stop reason walltime; FAILED an error with the output tail', () => {
    const now = new Date();
    expect(pollResultOf({ kind: 'finished', job: finishedView(jobs[2]!) }, now)).toMatchObject({ status: 'stopped', stopReason: 'walltime' });
    const failed = pollResultOf({ kind: 'finished', job: finishedView(jobs[1]!, 'bash: jupyterhub-singleuser: command not found\n') }, now);
    expect(failed).toMatchObject({ status: 'stopped', exitCode: 127, stopReason: 'error', message: expect.stringMatching(/exit code 127\. Reason: NonZeroExitCode\.\nLast lines of its output:\nbash: jupyterhub-singleuser: command not found$/) });
  });

  it('recognises accounting that cannot be asked', () => {
    expect(isAccountingUnavailable('sacct: error: Slurm accounting storage is disabled\n')).toBe(true);
    expect(isAccountingUnavailable('')).toBe(false);
  });

  it('never throws on garbage', () => {
    expect(parseSacct('|||\n\u0000\nx|y|z|w|v|u|t|s|r|q\n')).toEqual([]);
  });
});
