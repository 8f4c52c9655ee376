import { finishedResult, pbsPhase, pendingMessage, pollResultOf, slurmPhase, startTimeoutVerdict, startsIn, stateWord, type QueuedJobView } from './job-state';

const NOW = new Date(2026, 10, 30, 19, 0, 0);
const inMinutes = (m: number): Date => new Date(NOW.getTime() + m * 60_000);

describe('scheduler states → phases', () => {
  it('maps Slurm states, with the "by uid" and "+" suffixes', () => {
    expect(slurmPhase('PENDING')).toBe('pending');
    expect(slurmPhase('CONFIGURING')).toBe('pending');
    expect(slurmPhase('RUNNING')).toBe('running');
    expect(slurmPhase('COMPLETING')).toBe('ending');
    expect(slurmPhase('TIMEOUT')).toBe('ended');
    expect(slurmPhase('CANCELLED by 1000')).toBe('ended');
    expect(slurmPhase('CANCELLED+')).toBe('ended');
    expect(slurmPhase('WEIRD')).toBeNull();
    expect(stateWord('  cancelled by 0 ')).toBe('CANCELLED');
  });
  it('maps PBS state letters', () => {
    expect(pbsPhase('Q')).toBe('pending');
    expect(pbsPhase('H')).toBe('pending');
    expect(pbsPhase('R')).toBe('running');
    expect(pbsPhase('E')).toBe('ending');
    expect(pbsPhase('C')).toBe('ended');
    expect(pbsPhase('Z')).toBeNull();
  });
});

describe('pollResultOf', () => {
  const pending: QueuedJobView = { phase: 'pending', state: 'PENDING', reason: 'Resources', position: { index: 2, total: 5, partition: 'gpu' }, expectedStart: inMinutes(12) };

  it('running → running; unreachable → unknown (never stopped)', () => {
    expect(pollResultOf({ kind: 'queued', job: { phase: 'running', state: 'RUNNING', reason: 'None' } }, NOW)).toEqual({ status: 'running' });
    expect(pollResultOf({ kind: 'unreachable', message: 'slurmctld: Connection refused' }, NOW)).toEqual({ status: 'unknown', message: 'slurmctld: Connection refused' });
  });

  it('pending → why it waits, its position and the expected start in words', () => {
    const result = pollResultOf({ kind: 'queued', job: pending }, NOW);
    expect(result.status).toBe('pending');
    expect(result).toEqual({
      status: 'pending',
      message:
        'Waiting in the queue: Waiting for resources: the nodes, CPUs, memory or GPUs this job needs are busy right now. Position 2 of 5 pending jobs in partition gpu. The scheduler expects it to start in about 12 minutes.',
    });
    expect(pendingMessage({ phase: 'pending', state: 'PENDING', reason: null }, NOW)).toBe('Waiting in the queue.');
    expect(pendingMessage({ phase: 'pending', state: 'CONFIGURING', reason: 'None' }, NOW)).toBe('Its nodes are being set up. Waiting in the queue.');
  });

  it('TIMEOUT → stopped with stop reason walltime', () => {
    expect(pollResultOf({ kind: 'finished', job: { state: 'TIMEOUT', exitCode: 0, signal: 15 } }, NOW)).toEqual({
      status: 'stopped',
      exitCode: 0,
      message: 'The job reached its walltime and was ended, exit code 0, signal 15.',
      stopReason: 'walltime',
    });
  });

  it('FAILED → stopped with the exit code, the reason and the last lines of the output', () => {
    const tail = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const result = pollResultOf({ kind: 'finished', job: { state: 'FAILED', exitCode: 127, reason: 'NonZeroExitCode', outputTail: tail } }, NOW);
    expect(result).toMatchObject({ status: 'stopped', exitCode: 127, stopReason: 'error' });
    const message = result.status === 'stopped' ? (result.message ?? '') : '';
    expect(message).toMatch(/^The job failed, exit code 127\. Reason: NonZeroExitCode\.\nLast lines of its output:\nline 11\n/);
    expect(message).toMatch(/line 30$/);
    expect(message).not.toMatch(/line 10\n/);
  });

  it('CANCELLED names who; COMPLETED with a non-zero code is an error; queue-only endings have no code', () => {
    expect(finishedResult({ state: 'CANCELLED by 1001', exitCode: 0 })).toEqual({ status: 'stopped', exitCode: 0, message: 'The job was cancelled (by uid 1001), exit code 0.' });
    expect(finishedResult({ state: 'COMPLETED', exitCode: 1 })).toMatchObject({ stopReason: 'error' });
    expect(finishedResult({ state: 'COMPLETED', exitCode: 0 })).not.toHaveProperty('stopReason');
    expect(finishedResult({ state: 'OUT_OF_MEMORY', exitCode: 0 })).toMatchObject({ stopReason: 'error', message: expect.stringMatching(/ran out of memory/) });
    expect(pollResultOf({ kind: 'queued', job: { phase: 'ending', state: 'COMPLETING', reason: null } }, NOW)).toMatchObject({ status: 'stopped', exitCode: null });
    expect(pollResultOf({ kind: 'gone' }, NOW)).toMatchObject({ status: 'stopped', exitCode: null });
  });
});

describe('startsIn', () => {
  it('rounds to minutes, hours or days', () => {
    expect(startsIn(inMinutes(-3), NOW)).toBe('any moment now');
    expect(startsIn(inMinutes(1), NOW)).toBe('in about 1 minute');
    expect(startsIn(inMinutes(200), NOW)).toBe('in about 3 hours');
    expect(startsIn(inMinutes(60 * 72), NOW)).toBe('in about 3 days');
  });
});

describe('startTimeoutVerdict', () => {
  const timedOutAt = NOW;
  const job = (expectedStart: Date | null, phase: QueuedJobView['phase'] = 'pending'): QueuedJobView => ({ phase, state: 'PENDING', reason: 'Resources', expectedStart });

  it('keeps a job expected to start within the grace, until timeout + grace', () => {
    const verdict = startTimeoutVerdict({ job: job(inMinutes(4)), now: NOW, timedOutAt, startGraceSeconds: 300 });
    expect(verdict).toEqual({ cancel: false, until: inMinutes(5), message: expect.stringMatching(/in about 4 minutes/) });
    expect(startTimeoutVerdict({ job: job(inMinutes(-1)), now: NOW, timedOutAt, startGraceSeconds: 300 }).cancel).toBe(false);
  });

  it('cancels a job with no estimate, a later one, after the grace, or when not pending', () => {
    expect(startTimeoutVerdict({ job: job(null), now: NOW, timedOutAt, startGraceSeconds: 300 })).toEqual({ cancel: true });
    expect(startTimeoutVerdict({ job: job(inMinutes(6)), now: NOW, timedOutAt, startGraceSeconds: 300 })).toEqual({ cancel: true });
    expect(startTimeoutVerdict({ job: job(inMinutes(7)), now: inMinutes(5), timedOutAt, startGraceSeconds: 300 })).toEqual({ cancel: true });
    expect(startTimeoutVerdict({ job: job(inMinutes(1), 'running'), now: NOW, timedOutAt, startGraceSeconds: 300 })).toEqual({ cancel: true });
    expect(startTimeoutVerdict({ job: null, now: NOW, timedOutAt, startGraceSeconds: 300 })).toEqual({ cancel: true });
    expect(startTimeoutVerdict({ job: job(NOW), now: NOW, timedOutAt, startGraceSeconds: 0 })).toEqual({ cancel: true });
  });
});
