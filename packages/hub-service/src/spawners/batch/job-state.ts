/**
 * A batch job's state as the Spawner reports it (`PollResult`), as pure functions: scheduler states
 * (Slurm, PBS) to a phase, a queue or accounting observation to `running` / `pending` with a
 * message / `stopped` with exit code, message and stop reason / `unknown`, and the start-timeout
 * rule (a job the scheduler expects to start within the grace is never cancelled for the timeout).
 */
import type { StopReason } from '@clusterhub/shared';
import type { PollResult } from '../spawner';
import { explainReason, type PendingReason } from './slurm/reasons';

/** Where a job is in its life. */
export type JobPhase = 'pending' | 'running' | 'ending' | 'ended';

const SLURM_PHASES: Readonly<Record<string, JobPhase>> = {
  PENDING: 'pending',
  CONFIGURING: 'pending',
  REQUEUED: 'pending',
  REQUEUE_HOLD: 'pending',
  REQUEUE_FED: 'pending',
  RESV_DEL_HOLD: 'pending',
  SUSPENDED: 'pending',
  STOPPED: 'pending',
  RUNNING: 'running',
  RESIZING: 'running',
  SIGNALING: 'running',
  COMPLETING: 'ending',
  STAGE_OUT: 'ending',
  COMPLETED: 'ended',
  CANCELLED: 'ended',
  FAILED: 'ended',
  TIMEOUT: 'ended',
  PREEMPTED: 'ended',
  NODE_FAIL: 'ended',
  BOOT_FAIL: 'ended',
  DEADLINE: 'ended',
  OUT_OF_MEMORY: 'ended',
  SPECIAL_EXIT: 'ended',
  REVOKED: 'ended',
};

/** PBS/Torque one-letter states (`qstat`'s `S` column, `job_state`). */
const PBS_PHASES: Readonly<Record<string, JobPhase>> = {
  Q: 'pending',
  H: 'pending',
  W: 'pending',
  T: 'pending',
  S: 'pending',
  R: 'running',
  E: 'ending',
  C: 'ended',
  F: 'ended',
};

/** The state word itself: `CANCELLED by 1000` → `CANCELLED`, `CANCELLED+` → `CANCELLED`. */
export function stateWord(state: string): string {
  return (state.trim().split(/\s+/)[0] ?? '').replace(/\+$/, '').toUpperCase();
}

/** The phase of a Slurm state (`squeue %T`, `sacct State`); `null` when unknown. */
export function slurmPhase(state: string): JobPhase | null {
  return SLURM_PHASES[stateWord(state)] ?? null;
}

/** The phase of a PBS state letter; `null` when unknown. */
export function pbsPhase(state: string): JobPhase | null {
  return PBS_PHASES[state.trim().toUpperCase()] ?? null;
}

/** A job seen in the queue (`squeue`, `qstat`). */
export interface QueuedJobView {
  /** Its phase. */
  readonly phase: JobPhase;
  /** The scheduler's state, e.g. `PENDING`. */
  readonly state: string;
  /** The scheduler's pending reason, raw (`Priority`), or `null`. */
  readonly reason: string | null;
  /** Place among the pending jobs of its partition (1 = next), when known. */
  readonly position?: { readonly index: number; readonly total: number; readonly partition: string } | null;
  /** When the scheduler expects it to start, when it says. */
  readonly expectedStart?: Date | null;
}

/** A job that left the queue, from accounting (`sacct`) or the queue's last word on it. */
export interface FinishedJobView {
  /** The final state, e.g. `TIMEOUT`, `CANCELLED by 1000`, `C`. */
  readonly state: string;
  /** The exit code of the job script, when known. */
  readonly exitCode: number | null;
  /** The signal that ended it, when known (non-zero). */
  readonly signal?: number | null;
  /** The scheduler's reason, when it gives one. */
  readonly reason?: string | null;
  /** The last lines of its output file, when the caller read them. */
  readonly outputTail?: string;
}

/** What the poller found out about one job. */
export type JobObservation =
  | { readonly kind: 'queued'; readonly job: QueuedJobView }
  | { readonly kind: 'finished'; readonly job: FinishedJobView }
  /** Neither in the queue nor in accounting (after a successful query of both). */
  | { readonly kind: 'gone' }
  /** The scheduler could not be asked (controller down, SSH lost): never `stopped`. */
  | { readonly kind: 'unreachable'; readonly message: string };

/** The Spawner's `PollResult` (its `stopped` carries the stop reason: `walltime`, `error`). */
export type BatchPollResult = PollResult;

/** "in about 12 minutes", "in about 3 hours", "any moment now". */
export function startsIn(expectedStart: Date, now: Date): string {
  const minutes = Math.round((expectedStart.getTime() - now.getTime()) / 60000);
  if (minutes <= 0) return 'any moment now';
  if (minutes < 90) return `in about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in about ${hours} hours`;
  return `in about ${Math.round(hours / 24)} days`;
}

/** The user-facing message of a pending job: why it waits, its place, when it should start. */
export function pendingMessage(job: QueuedJobView, now: Date, explain: (raw: string) => PendingReason | null = explainReason): string {
  const parts: string[] = [];
  if (stateWord(job.state) === 'CONFIGURING') parts.push('Its nodes are being set up.');
  else if (stateWord(job.state) === 'SUSPENDED') parts.push('The job is suspended by the scheduler.');
  else if (stateWord(job.state).startsWith('REQUEUE')) parts.push('The job was put back in the queue.');
  const why = job.reason ? explain(job.reason) : null;
  parts.push(why ? `Waiting in the queue: ${why.text}` : 'Waiting in the queue.');
  if (job.position) parts.push(`Position ${job.position.index} of ${job.position.total} pending jobs in partition ${job.position.partition}.`);
  if (job.expectedStart) parts.push(`The scheduler expects it to start ${startsIn(job.expectedStart, now)}.`);
  return parts.join(' ');
}

/** The stop reason a final state implies, if any. */
function stopReasonOf(word: string, exitCode: number | null): StopReason | undefined {
  if (word === 'TIMEOUT' || word === 'DEADLINE') return 'walltime';
  if (['FAILED', 'NODE_FAIL', 'BOOT_FAIL', 'OUT_OF_MEMORY', 'SPECIAL_EXIT'].includes(word)) return 'error';
  if ((word === 'COMPLETED' || word === 'C') && exitCode !== null && exitCode !== 0) return 'error';
  return undefined;
}

const FINAL_WORDS: Readonly<Record<string, string>> = {
  COMPLETED: 'The job ended',
  C: 'The job ended',
  F: 'The job ended',
  CANCELLED: 'The job was cancelled',
  FAILED: 'The job failed',
  TIMEOUT: 'The job reached its walltime and was ended',
  DEADLINE: 'The job reached its deadline and was ended',
  PREEMPTED: 'The job was preempted by a higher-priority job',
  NODE_FAIL: 'The job ended because its node failed',
  BOOT_FAIL: 'The job could not start because its node failed to boot',
  OUT_OF_MEMORY: 'The job ran out of memory and was ended',
};

/** The last `maxLines` lines of `tail`, at most 4000 characters. */
function lastLines(tail: string, maxLines = 20): string {
  return tail.replace(/\s+$/, '').split('\n').slice(-maxLines).join('\n').slice(-4000);
}

/** The `stopped` result of a finished job: its state in words, exit code, signal, reason and output tail. */
export function finishedResult(job: FinishedJobView): BatchPollResult {
  const word = stateWord(job.state);
  const by = /^\S+\s+by\s+([0-9]+)/.exec(job.state.trim())?.[1];
  let message = FINAL_WORDS[word] ?? `The job ended (${word || 'unknown state'})`;
  if (word === 'CANCELLED' && by !== undefined) message += ` (by uid ${by})`;
  if (job.exitCode !== null) message += `, exit code ${job.exitCode}`;
  if (job.signal) message += `, signal ${job.signal}`;
  message += '.';
  const reason = job.reason?.trim();
  if (reason && reason !== 'None') message += ` Reason: ${reason.replace(/[^\x20-\x7e]/g, '').slice(0, 200)}.`;
  if (job.outputTail && job.outputTail.trim() !== '') message += `\nLast lines of its output:\n${lastLines(job.outputTail)}`;
  const stopReason = stopReasonOf(word, job.exitCode);
  return { status: 'stopped', exitCode: job.exitCode, message, ...(stopReason ? { stopReason } : {}) };
}

/** The Spawner's poll result for what the poller found out about a job. */
export function pollResultOf(obs: JobObservation, now: Date, explain?: (raw: string) => PendingReason | null): BatchPollResult {
  switch (obs.kind) {
    case 'unreachable':
      return { status: 'unknown', message: obs.message };
    case 'gone':
      return { status: 'stopped', exitCode: null, message: 'The scheduler no longer knows the job: it ended.' };
    case 'finished':
      return finishedResult(obs.job);
    case 'queued':
      switch (obs.job.phase) {
        case 'running':
          return { status: 'running' };
        case 'pending':
          return { status: 'pending', message: pendingMessage(obs.job, now, explain) };
        case 'ending':
        case 'ended':
          return finishedResult({ state: obs.job.state, exitCode: null, reason: obs.job.reason });
      }
  }
}

/** What to do when the hub's start timeout passes while the job has not started. */
export type StartTimeoutVerdict = { readonly cancel: true } | { readonly cancel: false; readonly until: Date; readonly message: string };

/**
 * The start-timeout rule: a pending job the scheduler expects to start within `startGraceSeconds`
 * is not cancelled; it gets until `timedOutAt + startGraceSeconds` (after that it is cancelled
 * whatever the estimate says, so a stale estimate cannot keep a job forever). Any other job — no
 * estimate, an estimate further away, or not pending — is cancelled.
 */
export function startTimeoutVerdict(input: {
  readonly job: QueuedJobView | null;
  readonly now: Date;
  readonly timedOutAt: Date;
  readonly startGraceSeconds: number;
}): StartTimeoutVerdict {
  const { job, now, timedOutAt, startGraceSeconds } = input;
  const until = new Date(timedOutAt.getTime() + startGraceSeconds * 1000);
  if (!job || job.phase !== 'pending' || !job.expectedStart || now.getTime() >= until.getTime()) return { cancel: true };
  if (job.expectedStart.getTime() - now.getTime() > startGraceSeconds * 1000) return { cancel: true };
  return { cancel: false, until, message: `The start timeout passed, but the scheduler expects the job to start ${startsIn(job.expectedStart, now)}: waiting for it.` };
}
