/**
 * `squeue`: the argv of the one queue query per poll cycle, and its parser, as pure functions.
 *
 * Which jobs: by JOB ID (`--jobs=<the hub's ids>`), not by name. The hub persists every job's id in
 * the server's handle, so ids survive hub restarts (re-adoption is by id), match exactly, and bound
 * the output to the hub's own jobs; `squeue --name` matches whole names only, so a name *prefix*
 * would mean listing the whole queue and filtering here. While one of the hub's jobs is pending,
 * the same single call instead lists the PARTITIONS of the hub's jobs (`--partition=…`, active
 * states): that output holds the hub's jobs and the pending jobs ahead of them, so the position in
 * the partition costs no second call. Expected start times come from `%S` (Slurm's backfill estimate
 * for pending jobs, what `squeue --start` shows), so `--start` needs no call of its own either.
 * {@link planSqueue} picks the mode; `--states=all` in id mode keeps jobs that just finished
 * (Slurm's MinJobAge) in view.
 */
import { slurmPhase, type JobPhase, type QueuedJobView } from '../job-state';
import { SCHEDULER_NAME } from '../job-spec';
import { jobIdList, outputLines, splitFields } from './fields';
import { parseSlurmTime } from './time';
import { parseSchedulerDuration } from '../duration';

/** The columns this module asks for, in order; the job name last (it may contain `|`). */
export const SQUEUE_FIELDS = ['id', 'state', 'reason', 'user', 'nodes', 'partition', 'start', 'end', 'timeLimit', 'priority', 'name'] as const;

/** A column {@link parseSqueue} understands. */
export type SqueueField = (typeof SQUEUE_FIELDS)[number];

const FORMAT_LETTERS: Readonly<Record<SqueueField, string>> = {
  id: '%i',
  state: '%T',
  reason: '%r',
  user: '%u',
  nodes: '%N',
  partition: '%P',
  start: '%S',
  end: '%e',
  timeLimit: '%l',
  priority: '%Q',
  name: '%j',
};

/** `--format` for `fields`, joined with `|`. */
export function squeueFormat(fields: readonly SqueueField[] = SQUEUE_FIELDS): string {
  return fields.map((f) => FORMAT_LETTERS[f]).join('|');
}

/** States listed in partition mode: what can hold a server or be ahead of one. */
const ACTIVE_STATES = 'PENDING,CONFIGURING,RUNNING,COMPLETING,SUSPENDED,REQUEUED,REQUEUE_HOLD,RESV_DEL_HOLD,STOPPED';

/** What to list. */
export type SqueueSelection = { readonly jobIds: readonly string[] } | { readonly partitions: readonly string[] };

/** `squeue`'s argv for a selection; throws a `RangeError` for an id or partition that is not well-formed. */
export function squeueArgs(selection: SqueueSelection): string[] {
  const common = ['--noheader', '--array', `--format=${squeueFormat()}`];
  if ('jobIds' in selection) return [...common, '--states=all', `--jobs=${jobIdList(selection.jobIds)}`];
  if (selection.partitions.length === 0) throw new RangeError('no partitions');
  for (const p of selection.partitions) if (!SCHEDULER_NAME.test(p)) throw new RangeError(`partition ${JSON.stringify(p.slice(0, 40))} is not a Slurm name`);
  return [...common, `--states=${ACTIVE_STATES}`, `--partition=${[...new Set(selection.partitions)].join(',')}`];
}

/** A hub job the poller tracks. */
export interface TrackedJob {
  /** Slurm job id. */
  readonly id: string;
  /** Its partition, once known (from a previous poll or the spec); `null` when not yet known. */
  readonly partition: string | null;
  /** Whether the last poll saw it pending. */
  readonly pending: boolean;
}

/**
 * The selection of this cycle's single `squeue` call: the partitions of the hub's jobs when one of
 * them is pending and every partition is known (positions come with it), else the job ids.
 */
export function planSqueue(jobs: readonly TrackedJob[]): SqueueSelection {
  const partitions = jobs.map((j) => j.partition);
  if (jobs.some((j) => j.pending) && partitions.every((p): p is string => p !== null && SCHEDULER_NAME.test(p))) {
    return { partitions: [...new Set(partitions)] };
  }
  return { jobIds: jobs.map((j) => j.id) };
}

/** One job as `squeue` shows it. */
export interface SqueueJob {
  readonly id: string;
  /** Slurm's state, e.g. `PENDING`. */
  readonly state: string;
  /** Its phase; `null` for a state this hub does not know. */
  readonly phase: JobPhase | null;
  /** Pending reason (`Priority`, …) or `null` (`None`). */
  readonly reason: string | null;
  readonly user: string;
  /** Node list of a running job (`node[01-02]`), `null` while pending. */
  readonly nodes: string | null;
  /** Partition (for a pending job submitted to several, the list as Slurm prints it). */
  readonly partition: string;
  /** Start time (expected, for a pending job with a backfill estimate), or `null`. */
  readonly start: Date | null;
  /** End time (the walltime's end for a running job), or `null`. */
  readonly end: Date | null;
  /** Time limit in seconds, `null` when unlimited or not asked for. */
  readonly timeLimitSeconds: number | null;
  /** Scheduling priority, `null` when not asked for. */
  readonly priority: number | null;
  readonly name: string;
}

const none = (v: string | undefined): string | null => (v === undefined || v === '' || v === '(null)' || v === 'N/A' || v === 'None' ? null : v);

/**
 * Parses `squeue --noheader --format=<fields joined by |>` output. Lines that are not records
 * (too few fields, no job id) are skipped, never thrown on. `fields` is the order asked for
 * (default {@link SQUEUE_FIELDS}); a column not asked for reads as `null`.
 */
export function parseSqueue(text: string, fields: readonly SqueueField[] = SQUEUE_FIELDS): SqueueJob[] {
  const jobs: SqueueJob[] = [];
  for (const line of outputLines(text)) {
    const parts = splitFields(line, fields.length);
    if (!parts) continue;
    const col = (f: SqueueField): string | undefined => {
      const i = fields.indexOf(f);
      return i < 0 ? undefined : parts[i]?.trim();
    };
    const id = col('id') ?? '';
    if (!/^[0-9]+(?:_[0-9]+|_\[[0-9,%-]+\])?$/.test(id)) continue;
    const state = col('state') ?? '';
    const priority = col('priority');
    jobs.push({
      id,
      state,
      phase: slurmPhase(state),
      reason: none(col('reason')),
      user: col('user') ?? '',
      nodes: none(col('nodes')),
      partition: col('partition') ?? '',
      start: parseSlurmTime(col('start') ?? ''),
      end: parseSlurmTime(col('end') ?? ''),
      timeLimitSeconds: parseSchedulerDuration(col('timeLimit') ?? ''),
      priority: priority !== undefined && /^[0-9]+$/.test(priority) ? Number(priority) : null,
      name: col('name') ?? '',
    });
  }
  return jobs;
}

/** Pending reasons of jobs that are not competing for resources now (they are not "ahead" of anyone). */
const NOT_ELIGIBLE = /^(JobHeldUser|JobHeldAdmin|Dependency|DependencyNeverSatisfied|BeginTime|PartitionTimeLimit|QOSMaxWallDurationPerJobLimit|InvalidAccount|InvalidQOS)\b/;

/** Numeric order of job ids (`123`, `123_4`). */
function idOrder(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('_').map((x) => parseInt(x, 10) || 0);
  const [b1 = 0, b2 = 0] = b.split('_').map((x) => parseInt(x, 10) || 0);
  return a1 - b1 || a2 - b2;
}

/**
 * Position of each pending job among the pending jobs of its (first) partition that compete for
 * resources: higher priority first, then older (lower id) first — Slurm's own order. Held jobs and
 * jobs waiting for a dependency or begin time are not counted ahead of anyone; such a job's own
 * position counts the eligible ones. Meaningful for output of a partition listing.
 */
export function queuePositions(jobs: readonly SqueueJob[]): Map<string, { index: number; total: number; partition: string }> {
  const byPartition = new Map<string, SqueueJob[]>();
  for (const job of jobs) {
    if (job.phase !== 'pending' || job.state !== 'PENDING') continue;
    const partition = job.partition.split(',')[0] ?? '';
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), job]);
  }
  const out = new Map<string, { index: number; total: number; partition: string }>();
  for (const [partition, pending] of byPartition) {
    const eligible = pending
      .filter((j) => !NOT_ELIGIBLE.test(j.reason ?? ''))
      .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || idOrder(a.id, b.id));
    eligible.forEach((j, i) => out.set(j.id, { index: i + 1, total: eligible.length, partition }));
    for (const j of pending) if (!out.has(j.id)) out.set(j.id, { index: eligible.length + 1, total: eligible.length + 1, partition });
  }
  return out;
}

/** The view of one job for `pollResultOf`, with its position when the listing gives one. */
export function queuedView(job: SqueueJob, positions?: ReadonlyMap<string, { index: number; total: number; partition: string }>): QueuedJobView | null {
  if (job.phase === null) return null;
  return { phase: job.phase, state: job.state, reason: job.reason, position: positions?.get(job.id) ?? null, expectedStart: job.phase === 'pending' ? job.start : null };
}

/** True when `squeue` failed only because the (single) id asked for is no longer known (Slurm's MinJobAge passed). */
export function isInvalidJobIdError(stderr: string): boolean {
  return /Invalid job id specified/i.test(stderr);
}

/**
 * True when a Slurm command failed because the controller could not be reached (down, restarting,
 * network): the job's state is then `unknown`, never `stopped`.
 */
export function isControllerUnreachable(stderr: string): boolean {
  return /Unable to contact slurm controller|Socket timed out|Connection refused|Zero Bytes were transmitted|Communication connection failure|Slurm backup controller in standby mode/i.test(stderr);
}
