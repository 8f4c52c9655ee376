import { pollResultOf } from '../job-state';
import { explainPbsComment, parsePbsTime, parseQstatBrief, parseQstatFull, pbsFinishedView, pbsQueuedView, qstatArgs, qstatOutcome } from './qstat';

// qstat -f as Debian's Torque wrapper prints it (tab-indented), then a real PBS block (4 spaces, a wrapped line).
const FULL = [
  'Job Id:\t41',
  '\tJob_Name = clusterhub-4',
  '\tJob_Owner = alice@login1',
  '\tjob_state = R',
  '\tqueue = cpu',
  '\tqtime = Mon Nov 30 18:59:00 2026',
  '\tmtime = Mon Nov 30 19:00:00 2026',
  '\texec_host = node1/4',
  '\tPriority = 4294901759',
  '\tResource_List.walltime = 36:00:00',
  '',
  'Job Id:\t42',
  '\tJob_Name = clusterhub-5',
  '\tJob_Owner = bob@login1',
  '\tjob_state = Q',
  '\tqueue = gpu',
  '\tmtime = Mon Nov 30 19:30:00 2026',
  '\tResource_List.walltime = 01:00:00',
  '',
  'Job Id: 43.pbs1',
  '    Job_Name = train',
  '    job_state = Q',
  '    queue = workq',
  '    comment = Not Running: Insufficient amount of resource: ',
  '\tngpus',
  '    estimated.start_time = Mon Nov  30 20:00:00 2026',
  '',
  'Job Id: 44.pbs1',
  '    job_state = F',
  '    Exit_status = 271',
  '',
  'Job Id: junk',
  '    job_state = Q',
  'garbage line',
].join('\n');

describe('qstatArgs', () => {
  it('asks for full records of the ids, checked', () => {
    expect(qstatArgs(['41', '42'])).toEqual(['-f', '41', '42']);
    expect(() => qstatArgs(['4 2'])).toThrow(RangeError);
    expect(() => qstatArgs([])).toThrow(RangeError);
  });
});

describe('parseQstatFull', () => {
  const jobs = parseQstatFull(FULL);

  it('reads wrapper and PBS blocks, joins wrapped values, skips bad blocks', () => {
    expect(jobs.map((j) => j.id)).toEqual(['41', '42', '43.pbs1', '44.pbs1']);
    expect(jobs[0]).toEqual({
      id: '41',
      name: 'clusterhub-4',
      owner: 'alice',
      state: 'R',
      phase: 'running',
      queue: 'cpu',
      execHost: 'node1/4',
      exitStatus: null,
      comment: null,
      walltimeSeconds: 129600,
      estimatedStart: null,
      mtime: new Date(2026, 10, 30, 19, 0, 0),
    });
    expect(jobs[2]).toMatchObject({ comment: 'Not Running: Insufficient amount of resource: ngpus', estimatedStart: new Date(2026, 10, 30, 20, 0, 0) });
    expect(jobs[3]).toMatchObject({ phase: 'ended', exitStatus: 271 });
  });

  it('maps to poll results: running, pending with the expected start and PBS comment, ended with its exit status', () => {
    const now = new Date(2026, 10, 30, 19, 0, 0);
    expect(pollResultOf({ kind: 'queued', job: pbsQueuedView(jobs[0]!, now)! }, now)).toEqual({ status: 'running' });
    expect(pollResultOf({ kind: 'queued', job: pbsQueuedView(jobs[1]!, now)! }, now)).toEqual({
      status: 'pending',
      message: 'Waiting in the queue. The scheduler expects it to start in about 30 minutes.',
    });
    expect(pollResultOf({ kind: 'queued', job: pbsQueuedView(jobs[2]!, now)! }, now, explainPbsComment)).toMatchObject({
      status: 'pending',
      message: expect.stringMatching(/^Waiting in the queue: Not Running: Insufficient amount of resource: ngpus\. The scheduler expects it to start in about 60 minutes\.$/),
    });
    expect(pollResultOf({ kind: 'finished', job: pbsFinishedView(jobs[3]!) }, now)).toMatchObject({ status: 'stopped', exitCode: 271 });
  });

  it('does not take a past mtime for an expected start', () => {
    expect(pbsQueuedView(jobs[1]!, new Date(2026, 10, 30, 20, 0, 0))?.expectedStart).toBeNull();
  });
});

describe('qstatOutcome', () => {
  it("reads the wrappers' exit statuses (seen on the test cluster: 153 for unknown ids, 8 with the controller down)", () => {
    expect(qstatOutcome(0, 'Job Id:\t1\n')).toBe('ok');
    expect(qstatOutcome(153, '')).toBe('none-known');
    expect(qstatOutcome(8, 'Problem loading jobs.\n')).toBe('unreachable');
    expect(qstatOutcome(255, '')).toBe('unreachable');
  });
});

describe('parseQstatBrief / parsePbsTime', () => {
  it('reads the plain listing (header and dashes skipped), names with blanks', () => {
    const text = [
      'Job id              Name             Username        Time Use S Queue          ',
      '------------------- ---------------- --------------- -------- - ---------------',
      '41                  clusterhub-4     alice           00:00:05 R cpu            ',
      '42                  my job           bob             00:00:00 Q gpu            ',
    ].join('\n');
    expect(parseQstatBrief(text)).toEqual([
      { id: '41', name: 'clusterhub-4', owner: 'alice', state: 'R', phase: 'running', queue: 'cpu' },
      { id: '42', name: 'my job', owner: 'bob', state: 'Q', phase: 'pending', queue: 'gpu' },
    ]);
  });
  it('reads ctime-style times', () => {
    expect(parsePbsTime('Tue Nov  3 09:05:07 2026')).toEqual(new Date(2026, 10, 3, 9, 5, 7));
    expect(parsePbsTime('Infinite')).toBeNull();
  });
});
