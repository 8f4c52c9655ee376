/**
 * What a batch backend needs from a scheduler dialect (Slurm, PBS): render a job script, submit
 * it as the user, find out about many jobs with one queue query, cancel one. The dialects own
 * the commands and their parsing; the backend (batch-spawner.ts) owns the server lifecycle.
 */
import type { JobSpec } from './job-spec';
import type { JobObservation } from './job-state';
import type { JobScriptContext } from './script-text';
import type { PendingReason } from './slurm/reasons';

/** A job the backend asks about, with what it learnt of it before (hints for one-call planning). */
export interface WatchedJob {
  readonly id: string;
  /** Its partition (queue), when known. */
  readonly partition: string | null;
  /** Whether it was pending when last seen. */
  readonly pending: boolean;
}

/** What one queue query found out about one job. */
export interface JobInfo {
  readonly observation: JobObservation;
  /** The node it runs on (first of its list), once running. */
  readonly node: string | null;
  /** Its partition (queue), when the scheduler said. */
  readonly partition: string | null;
  /** When its time limit ends (running jobs), when the scheduler said. */
  readonly end: Date | null;
  /** Its time limit in seconds, when the scheduler said (null: unlimited or unknown). */
  readonly timeLimitSeconds?: number | null;
}

/** The job a script was rendered from: dialects whose submit command needs the options in argv (PBS wrappers) read them here. */
export interface SubmittedJob {
  readonly spec: JobSpec;
  readonly ctx: JobScriptContext;
}

/** One scheduler's commands, as the batch backend uses them. */
export interface SchedulerDialect {
  readonly kind: 'slurm' | 'pbs';
  /** The job script for `spec`; throws RangeError for a value that cannot go into a script. */
  renderScript(spec: JobSpec, ctx: JobScriptContext): string;
  /**
   * Submits `script` (rendered from `job`) as `account` and resolves with the job id.
   *
   * @throws SpawnError with the scheduler's own words when it refuses the job.
   * @throws SchedulerUnreachableError when the scheduler cannot be asked.
   */
  submit(script: string, account: string, job: SubmittedJob): Promise<string>;
  /**
   * Everything about `jobs` in as few scheduler calls as the dialect can (Slurm: one `squeue`, plus
   * one `sacct` for the jobs that left the queue). Every asked id has an entry.
   *
   * @throws SchedulerUnreachableError when the queue cannot be read (then nothing is known).
   */
  observe(jobs: readonly WatchedJob[]): Promise<Map<string, JobInfo>>;
  /** A waiting reason in plain words (default: Slurm's reasons); `null` when there is none. */
  explainReason?(raw: string): PendingReason | null;
  /** Cancels a job as `account`; a job that already ended is fine. */
  cancel(jobId: string, account: string): Promise<void>;
  /**
   * Optional: sets a running job's time limit (an admin-allowed walltime extension), run as the
   * hub's operator account, which the site made a scheduler operator.
   *
   * @throws SpawnError with the scheduler's words when it refuses.
   */
  setTimeLimit?(jobId: string, seconds: number): Promise<void>;
}
