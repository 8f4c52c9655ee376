import { pollResultOf } from '../job-state';
import { isControllerUnreachable, isInvalidJobIdError, parseSqueue, planSqueue, queuedView, queuePositions, squeueArgs, squeueFormat } from './squeue';

// squeue --noheader --array --format='%i|%T|%r|%u|%N|%P|%S|%e|%l|%Q|%j' as Slurm 22.05 prints it.
const LISTING = [
  '101|RUNNING|None|alice|node1|gpu|2026-11-30T18:00:00|2026-11-30T22:00:00|4:00:00|4294901750|clusterhub-7',
  '102|PENDING|Resources|bob|(null)|gpu|2026-11-30T19:30:00|2026-11-30T23:30:00|4:00:00|4294901760|train|v2',
  '103|PENDING|Priority|alice|(null)|gpu|N/A|N/A|1-00:00:00|4294901750|clusterhub-8',
  '104|PENDING|JobHeldUser|carol|(null)|gpu|N/A|N/A|UNLIMITED|4294901790|held',
  '105|PENDING|Priority|dave|(null)|gpu|N/A|N/A|30:00|4294901740|later',
  '106|PENDING|Priority|erin|(null)|cpu|N/A|N/A|30:00|100|cpu-job',
  'squeue: error: some warning line',
  '',
  '107|RUNNING|None',
].join('\n');

describe('squeueArgs / planSqueue', () => {
  it('asks for the hub jobs by id, all states, one line per array task', () => {
    expect(squeueArgs({ jobIds: ['101', '103', '200_3'] })).toEqual([
      '--noheader',
      '--array',
      `--format=${squeueFormat()}`,
      '--states=all',
      '--jobs=101,103,200_3',
    ]);
    expect(squeueFormat()).toBe('%i|%T|%r|%u|%N|%P|%S|%e|%l|%Q|%j');
  });

  it('asks for the partitions (active states) instead while a hub job pends', () => {
    const args = squeueArgs({ partitions: ['gpu', 'cpu', 'gpu'] });
    expect(args).toContain('--partition=gpu,cpu');
    expect(args.find((a) => a.startsWith('--states='))).toMatch(/PENDING.*RUNNING/);
  });

  it('refuses ids and partitions that are not well-formed', () => {
    for (const bad of ['1;id', '', '12 13', '-1', '$(id)']) expect(() => squeueArgs({ jobIds: [bad] })).toThrow(RangeError);
    expect(() => squeueArgs({ jobIds: [] })).toThrow(RangeError);
    expect(() => squeueArgs({ partitions: ['gpu,cpu'] })).toThrow(RangeError);
  });

  it('plans one call: partitions when a job pends and all partitions are known, else ids', () => {
    expect(planSqueue([{ id: '1', partition: 'gpu', pending: true }, { id: '2', partition: 'cpu', pending: false }])).toEqual({ partitions: ['gpu', 'cpu'] });
    expect(planSqueue([{ id: '1', partition: 'gpu', pending: false }])).toEqual({ jobIds: ['1'] });
    expect(planSqueue([{ id: '1', partition: null, pending: true }])).toEqual({ jobIds: ['1'] });
  });
});

describe('parseSqueue', () => {
  const jobs = parseSqueue(LISTING);

  it('reads every record and skips lines that are not records', () => {
    expect(jobs.map((j) => j.id)).toEqual(['101', '102', '103', '104', '105', '106']);
  });

  it('reads a running job: node, start, end of its walltime, limit, priority, name', () => {
    expect(jobs[0]).toEqual({
      id: '101',
      state: 'RUNNING',
      phase: 'running',
      reason: null,
      user: 'alice',
      nodes: 'node1',
      partition: 'gpu',
      start: new Date(2026, 10, 30, 18, 0, 0),
      end: new Date(2026, 10, 30, 22, 0, 0),
      timeLimitSeconds: 14400,
      priority: 4294901750,
      name: 'clusterhub-7',
    });
  });

  it('reads a pending job: reason, expected start, no node; a name with | stays whole', () => {
    expect(jobs[1]).toMatchObject({ phase: 'pending', reason: 'Resources', nodes: null, start: new Date(2026, 10, 30, 19, 30, 0), name: 'train|v2' });
    expect(jobs[2]).toMatchObject({ start: null, end: null, timeLimitSeconds: 86400 });
    expect(jobs[3]?.timeLimitSeconds).toBeNull();
  });

  it('reads the shorter format of the test-cluster fixtures', () => {
    const fields = ['id', 'state', 'reason', 'user', 'nodes', 'partition', 'start', 'end', 'name'] as const;
    const [job] = parseSqueue('55|PENDING|Resources|alice||gpu|N/A|N/A|clusterhub-3\n', fields);
    expect(job).toMatchObject({ id: '55', phase: 'pending', reason: 'Resources', nodes: null, priority: null, timeLimitSeconds: null, name: 'clusterhub-3' });
  });

  it('never throws on garbage', () => {
    expect(parseSqueue('\u0000|||\nnot a line\n|||||||||||\n')).toEqual([]);
  });
});

describe('queuePositions / queuedView', () => {
  const jobs = parseSqueue(LISTING);
  const positions = queuePositions(jobs);

  it('orders eligible pending jobs of a partition by priority, then age; held jobs are not ahead', () => {
    expect(positions.get('102')).toEqual({ index: 1, total: 3, partition: 'gpu' });
    expect(positions.get('103')).toEqual({ index: 2, total: 3, partition: 'gpu' });
    expect(positions.get('105')).toEqual({ index: 3, total: 3, partition: 'gpu' });
    expect(positions.get('104')).toEqual({ index: 4, total: 4, partition: 'gpu' });
    expect(positions.get('106')).toEqual({ index: 1, total: 1, partition: 'cpu' });
    expect(positions.has('101')).toBe(false);
  });

  it('feeds the poll result: position and expected start in words', () => {
    const view = queuedView(jobs[1]!, positions);
    expect(view).toMatchObject({ phase: 'pending', reason: 'Resources', position: { index: 1, total: 3, partition: 'gpu' } });
    const result = pollResultOf({ kind: 'queued', job: view! }, new Date(2026, 10, 30, 19, 0, 0));
    expect(result).toMatchObject({ status: 'pending', message: expect.stringMatching(/Position 1 of 3 pending jobs in partition gpu\. The scheduler expects it to start in about 30 minutes\./) });
  });

  it('recognises the "finished id" error of a single-id query', () => {
    expect(isInvalidJobIdError('slurm_load_jobs error: Invalid job id specified\n')).toBe(true);
    expect(isInvalidJobIdError('slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n')).toBe(false);
  });

  it('recognises an unreachable controller (state unknown, never stopped)', () => {
    expect(isControllerUnreachable('slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n')).toBe(true);
    expect(isControllerUnreachable('slurm_load_jobs error: Invalid job id specified\n')).toBe(false);
  });
});
