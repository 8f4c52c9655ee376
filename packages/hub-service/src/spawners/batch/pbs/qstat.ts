/**
 * `qstat`: the PBS dialect's queue query and its parsers (`qstat -f` and the plain listing), with
 * job states mapped like Slurm's, as pure functions. One `qstat -f <ids…>` per cycle for all the
 * hub's jobs. Under Debian's Torque wrappers every ending (completed, failed, timed out) reads `C`
 * with no exit status; real PBS adds `Exit_status`, `comment` and `estimated.start_time`.
 */
import { pbsPhase, type FinishedJobView, type JobPhase, type QueuedJobView } from '../job-state';
import type { PendingReason } from '../slurm/reasons';
import { parseSchedulerDuration } from '../duration';
import { qdelArgs } from './qsub-script';

/** `qstat`'s argv: full records of the given jobs (ids checked like `qdel`'s). */
export function qstatArgs(ids: readonly string[]): string[] {
  if (ids.length === 0) throw new RangeError('no job ids');
  return ['-f', ...qdelArgs(ids)];
}

/** One job as `qstat` shows it. */
export interface QstatJob {
  readonly id: string;
  readonly name: string | null;
  /** The owner's account (`alice` of `alice@host`). */
  readonly owner: string | null;
  /** The one-letter state (`Q`, `R`, `C`, …). */
  readonly state: string;
  readonly phase: JobPhase | null;
  readonly queue: string | null;
  /** `exec_host` (`node/4`), `null` while queued. */
  readonly execHost: string | null;
  /** `Exit_status` (real PBS), `null` when not given. */
  readonly exitStatus: number | null;
  /** `comment` (real PBS: why it waits or ended), `null` when not given. */
  readonly comment: string | null;
  readonly walltimeSeconds: number | null;
  /** `estimated.start_time` (real PBS), `null` when not given. */
  readonly estimatedStart: Date | null;
  /** `mtime`: under the wrappers, Slurm's (expected) start time. */
  readonly mtime: Date | null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parses a `ctime`-style time (`Mon Nov  3 09:05:07 2026`) in the hub's time zone; `null` otherwise. */
export function parsePbsTime(text: string): Date | null {
  const m = /^[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+([0-9]{1,2})\s+([0-9]{2}):([0-9]{2}):([0-9]{2})\s+([0-9]{4})$/.exec(text.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1] ?? '');
  if (month < 0) return null;
  const date = new Date(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The attribute blocks of `qstat -f` output (continuation lines joined). */
function blocks(text: string): Array<{ id: string; attrs: Map<string, string> }> {
  const out: Array<{ id: string; attrs: Map<string, string> }> = [];
  let current: { id: string; attrs: Map<string, string> } | null = null;
  let lastKey: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const head = /^Job Id:\s*(\S+)\s*$/.exec(line);
    if (head?.[1]) {
      current = { id: head[1], attrs: new Map() };
      out.push(current);
      lastKey = null;
      continue;
    }
    if (!current || line.trim() === '') continue;
    const attr = /^\s+([A-Za-z0-9_.]+) = (.*)$/.exec(line);
    if (attr?.[1] !== undefined) {
      lastKey = attr[1];
      current.attrs.set(lastKey, attr[2] ?? '');
    } else if (lastKey !== null && /^\s/.test(line)) {
      // PBS wraps long values at a fixed width: the pieces join exactly, blanks included.
      current.attrs.set(lastKey, `${current.attrs.get(lastKey) ?? ''}${line.replace(/^\s+/, '')}`);
    }
  }
  for (const block of out) for (const [k, v] of block.attrs) block.attrs.set(k, v.trim());
  return out;
}

/** Parses `qstat -f` output; blocks without a readable state are skipped, never thrown on. */
export function parseQstatFull(text: string): QstatJob[] {
  const jobs: QstatJob[] = [];
  for (const { id, attrs } of blocks(text)) {
    const state = attrs.get('job_state') ?? '';
    if (!/^[A-Z]$/.test(state) || !/^[0-9]+(?:\.[A-Za-z0-9.-]+)?$/.test(id)) continue;
    const exit = attrs.get('Exit_status');
    const time = (k: string): Date | null => parsePbsTime(attrs.get(k) ?? '');
    jobs.push({
      id,
      name: attrs.get('Job_Name') ?? null,
      owner: attrs.get('Job_Owner')?.split('@')[0] ?? null,
      state,
      phase: pbsPhase(state),
      queue: attrs.get('queue') ?? null,
      execHost: attrs.get('exec_host') ?? null,
      exitStatus: exit !== undefined && /^-?[0-9]+$/.test(exit) ? Number(exit) : null,
      comment: attrs.get('comment') ?? null,
      walltimeSeconds: parseSchedulerDuration(attrs.get('Resource_List.walltime') ?? ''),
      estimatedStart: time('estimated.start_time'),
      mtime: time('mtime'),
    });
  }
  return jobs;
}

/**
 * Parses plain `qstat` (`Job id  Name  Username  Time Use  S  Queue`, header and dashes skipped):
 * the id first, the state and queue last, the name whatever lies between. Odd lines are skipped.
 */
export function parseQstatBrief(text: string): Array<Pick<QstatJob, 'id' | 'name' | 'owner' | 'state' | 'phase' | 'queue'>> {
  const jobs: Array<Pick<QstatJob, 'id' | 'name' | 'owner' | 'state' | 'phase' | 'queue'>> = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 6 || !/^[0-9]+(?:\.[A-Za-z0-9.-]+)?$/.test(words[0] ?? '')) continue;
    const queue = words[words.length - 1] ?? '';
    const state = words[words.length - 2] ?? '';
    if (!/^[A-Z]$/.test(state)) continue;
    jobs.push({ id: words[0] ?? '', name: words.slice(1, -4).join(' '), owner: words[words.length - 4] ?? null, state, phase: pbsPhase(state), queue });
  }
  return jobs;
}

/** A PBS `comment` as a pending reason (PBS's own words). */
export function explainPbsComment(comment: string): PendingReason | null {
  const text = comment.replace(/[^\x20-\x7e]/g, '').trim().slice(0, 200);
  return text === '' ? null : { code: 'comment', text: text.endsWith('.') ? text : `${text}.`, blocked: false };
}

/**
 * The view of a queued PBS job for `pollResultOf` (use {@link explainPbsComment} as its `explain`).
 * The expected start is `estimated.start_time`, else `mtime` when it lies after `now` (under the
 * wrappers `mtime` is Slurm's start estimate). `null` for an unknown state.
 */
export function pbsQueuedView(job: QstatJob, now: Date): QueuedJobView | null {
  if (job.phase === null) return null;
  const expectedStart = job.estimatedStart ?? (job.mtime && job.mtime.getTime() > now.getTime() ? job.mtime : null);
  return { phase: job.phase, state: job.state, reason: job.comment, position: null, expectedStart: job.phase === 'pending' ? expectedStart : null };
}

/** The view of an ended PBS job for `finishedResult` (exit status only where PBS gives one). */
export function pbsFinishedView(job: QstatJob, outputTail?: string): FinishedJobView {
  return { state: job.state, exitCode: job.exitStatus, reason: job.comment, ...(outputTail !== undefined ? { outputTail } : {}) };
}

/**
 * What `qstat`'s exit status means: 0 → read the output; 153 with nothing printed → none of the
 * asked jobs is known any more (the wrappers' "not found"; they ended); anything else (e.g. exit 8,
 * "Problem loading jobs." while the controller is down) → the scheduler could not be asked: the
 * jobs' state is unknown, never stopped.
 */
export function qstatOutcome(code: number, stdout: string): 'ok' | 'none-known' | 'unreachable' {
  if (code === 0) return 'ok';
  if (code === 153 && stdout.trim() === '') return 'none-known';
  return 'unreachable';
}
