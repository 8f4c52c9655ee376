/**
 * `sacct`: the final state, exit code and reason of jobs that left the queue, as pure functions.
 * Asked only for the hub's jobs that `squeue` no longer lists, all of them in one call.
 */
import { slurmPhase, type FinishedJobView, type JobPhase } from '../job-state';
import { jobIdList, outputLines, splitFields } from './fields';
import { parseSlurmTime } from './time';
import { outputTailOfComment } from './sbatch-script';

/** The columns this module asks for, in order; the job name last (it may contain `|`). */
export const SACCT_FIELDS = ['JobID', 'State', 'ExitCode', 'Reason', 'Start', 'End', 'NodeList', 'Partition', 'User', 'JobName'] as const;

/** The columns the Slurm backend asks for its own jobs: also `Comment`, where a job leaves its exit report. */
export const SACCT_REPORT_FIELDS = ['JobID', 'State', 'ExitCode', 'Reason', 'Start', 'End', 'NodeList', 'Partition', 'User', 'Comment', 'JobName'] as const;

/** A column {@link parseSacct} understands. */
export type SacctField = (typeof SACCT_REPORT_FIELDS)[number];

/**
 * `sacct`'s argv for `ids`: allocations only (`-X`, no steps), parsable with `|` and no trailing
 * one (`-P`), no header. With `--jobs`, sacct searches from the epoch, so no start time is needed.
 */
export function sacctArgs(ids: readonly string[], fields: readonly SacctField[] = SACCT_FIELDS): string[] {
  return ['--noheader', '--parsable2', '--allocations', `--jobs=${jobIdList(ids)}`, `--format=${fields.join(',')}`];
}

/** One job as accounting records it. */
export interface SacctJob {
  readonly id: string;
  /** Slurm's state, e.g. `TIMEOUT`, `CANCELLED by 1000`. */
  readonly state: string;
  /** Its phase (`ended` once it left the queue); `null` for an unknown state. */
  readonly phase: JobPhase | null;
  /** Exit code of the batch script, `null` when unreadable. */
  readonly exitCode: number | null;
  /** The signal that ended it (0 when none), `null` when unreadable. */
  readonly signal: number | null;
  /** Slurm's reason (`None` → `null`). */
  readonly reason: string | null;
  readonly start: Date | null;
  readonly end: Date | null;
  readonly nodes: string | null;
  readonly partition: string | null;
  readonly user: string | null;
  readonly name: string | null;
  /** The job's comment (the hub's exit report, see exitReportLines), when accounting keeps comments. */
  readonly comment: string | null;
}

const none = (v: string | undefined): string | null => (v === undefined || v === '' || v === 'None' || v === 'None assigned' || v === '(null)' ? null : v);

/**
 * Parses `sacct --noheader --parsable2` output in the order of `fields` (default
 * {@link SACCT_FIELDS}); a column not asked for reads as `null`. Lines that are not records are
 * skipped, never thrown on; a step line (`123.batch`) is skipped too.
 */
export function parseSacct(text: string, fields: readonly SacctField[] = SACCT_FIELDS): SacctJob[] {
  const jobs: SacctJob[] = [];
  for (const line of outputLines(text)) {
    const parts = splitFields(line, fields.length);
    if (!parts) continue;
    const col = (f: SacctField): string | undefined => {
      const i = fields.indexOf(f);
      return i < 0 ? undefined : parts[i]?.trim();
    };
    const id = col('JobID') ?? '';
    if (!/^[0-9]+(?:_[0-9]+)?$/.test(id)) continue;
    const state = col('State') ?? '';
    const exit = /^([0-9]+):([0-9]+)$/.exec(col('ExitCode') ?? '');
    const time = (f: SacctField): Date | null => parseSlurmTime(col(f) ?? '');
    jobs.push({
      id,
      state,
      phase: slurmPhase(state),
      exitCode: exit ? Number(exit[1]) : null,
      signal: exit ? Number(exit[2]) : null,
      reason: none(col('Reason')),
      start: time('Start'),
      end: time('End'),
      nodes: none(col('NodeList')),
      partition: none(col('Partition')),
      user: none(col('User')),
      name: fields.includes('JobName') ? (col('JobName') ?? null) : null,
      comment: none(col('Comment')),
    });
  }
  return jobs;
}

/** The view of a finished job for `finishedResult` / `pollResultOf` (the output tail is the caller's). */
export function finishedView(job: SacctJob, outputTail?: string): FinishedJobView {
  const tail = outputTail ?? outputTailOfComment(job.comment) ?? undefined;
  return { state: job.state, exitCode: job.exitCode, signal: job.signal, reason: job.reason, ...(tail !== undefined ? { outputTail: tail } : {}) };
}

/** True when `sacct` failed because accounting is off or slurmdbd cannot be reached: ask again later. */
export function isAccountingUnavailable(stderr: string): boolean {
  return /accounting storage is disabled|slurmdbd|Unable to contact|Connection refused|Socket timed out/i.test(stderr);
}
