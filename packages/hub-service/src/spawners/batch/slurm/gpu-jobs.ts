/**
 * Which GPUs the hub's running Slurm jobs hold, node by node: the GRES indices (`IDX`) that
 * `scontrol --oneliner --details show job` prints for each node of a job
 * (`Nodes=vm CPU_IDs=0 Mem=500 GRES=gpu:a100:1(IDX:0)`), as pure functions. Slurm 22.05's scontrol
 * takes one job id at most, so the hub asks once for all jobs and keeps its own.
 *
 * A job's owner can rename it and set its comment, text that lands in the same line as the GRES
 * detail. So the detail is read only between the record's one ` JOB_GRES=` and its one
 * ` MinCPUsNode=`, and a record whose job name or comment repeats a field this parser relies on
 * (or a job listed twice) is refused as unreadable rather than guessed at.
 */
import { expandHostlist } from './hostlist';
import { JOB_ID } from './fields';

/** The argv of the one scontrol call per round: every job the controller holds, one line each, with the per-node detail. */
export function scontrolJobDetailsArgs(): string[] {
  return ['--oneliner', '--details', 'show', 'job'];
}

/** The GPUs of one job. */
export interface JobGpus {
  readonly id: string;
  /** The account it runs as (`UserId=alice(1022)` → `alice`). */
  readonly user: string;
  /** `JobState` (`RUNNING`, `COMPLETING`, …). */
  readonly state: string;
  /** Per node of the job, in Slurm's order: the node's GPU GRES indices it holds (empty: none). */
  readonly nodes: ReadonlyMap<string, readonly number[]>;
}

/** One job of the answer: read, or refused with the reason. */
export type JobGpusEntry = { readonly kind: 'job'; readonly job: JobGpus } | { readonly kind: 'unreadable'; readonly reason: string };

/** Fields that appear exactly once in an honest record; a second copy came from user text. */
const SINGLE_FIELDS = ['JobId', 'UserId', 'JobState', 'NodeList', 'JOB_GRES', 'MinCPUsNode'] as const;

/** A GRES of a node entry: `gpu:a100:2(IDX:0-1)`, `gpu:1(IDX:0)`, `gpu:a100:0(IDX:N/A)`. */
const GRES_ENTRY = /^([A-Za-z0-9_]+)(?::[A-Za-z0-9._-]+)*\(IDX:([0-9,-]*|N\/A)\)$/;

/** Indices of an `IDX:` list: `0`, `2-3`, `0,2-4`; none for `N/A` or empty. */
function indexList(list: string, gres: string): number[] {
  if (list === 'N/A' || list === '') return [];
  return list.split(',').flatMap((part) => {
    const m = /^([0-9]{1,4})(?:-([0-9]{1,4}))?$/.exec(part);
    if (!m) throw new RangeError(`GRES ${JSON.stringify(gres)}: ${JSON.stringify(part)} is not an index or range`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw new RangeError(`GRES ${JSON.stringify(gres)}: bad range ${part}`);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

/** Splits a GRES list on the commas between entries (not those inside `(IDX:0,2)`). */
function gresEntries(value: string): string[] {
  return value.split(/,(?![^(]*\))/).filter((entry) => entry !== '');
}

/**
 * The GPU indices of a node's `GRES=` value (`gpu:a100:1(IDX:0)`, `gpu:1g.5gb:2(IDX:2-3)`,
 * `gpu:a100:1(IDX:0),gpu:1g.5gb:1(IDX:2)`), sorted; other GRES (`shard`, `mps`) are left out;
 * `''` and `(null)` hold none.
 *
 * @throws RangeError when an entry is not in that form.
 */
export function parseGresIndices(value: string): number[] {
  if (value === '' || value === '(null)') return [];
  const indices = new Set<number>();
  for (const entry of gresEntries(value)) {
    const m = GRES_ENTRY.exec(entry);
    if (!m) throw new RangeError(`GRES ${JSON.stringify(entry)} is not name[:type]:count(IDX:…)`);
    if (m[1] === 'gpu') for (const index of indexList(m[2] ?? '', entry)) indices.add(index);
  }
  return [...indices].sort((a, b) => a - b);
}

/** How often ` <field>=` occurs in `line` (at its start or after white space). */
function occurrences(line: string, field: string): number {
  return line.match(new RegExp(`(?:^|\\s)${field}=`, 'g'))?.length ?? 0;
}

/** The value of ` <field>=` (to the next white space); '' when absent. */
function valueOf(line: string, field: string): string {
  return new RegExp(`(?:^|\\s)${field}=(\\S*)`).exec(line)?.[1] ?? '';
}

/** The per-node GPU indices of the detail between ` JOB_GRES=` and ` MinCPUsNode=`. */
function nodeGpus(line: string): Map<string, number[]> {
  const start = line.search(/\sJOB_GRES=/);
  const end = line.search(/\sMinCPUsNode=/);
  if (start < 0 || end < start) throw new RangeError('no per-node detail (run with --details)');
  const nodes = new Map<string, number[]>();
  for (const entry of line.slice(start, end).split(/\sNodes=/).slice(1)) {
    const names = expandHostlist(/^\S*/.exec(entry)?.[0] ?? '');
    const indices = parseGresIndices(valueOf(entry, 'GRES'));
    for (const name of names) nodes.set(name, [...(nodes.get(name) ?? []), ...indices]);
  }
  return nodes;
}

/** Reads one job's line. */
function readRecord(id: string, line: string): JobGpusEntry {
  const repeated = SINGLE_FIELDS.filter((field) => occurrences(line, field) !== 1);
  if (repeated.length > 0) {
    return { kind: 'unreadable', reason: `job ${id}'s record does not hold ${repeated.join(', ')} exactly once (its name or comment holds Slurm field names?)` };
  }
  const user = /^([^\s(]+)\(/.exec(valueOf(line, 'UserId'))?.[1];
  if (!user) return { kind: 'unreadable', reason: `job ${id}'s record has no UserId` };
  try {
    return { kind: 'job', job: { id, user, state: valueOf(line, 'JobState'), nodes: nodeGpus(line) } };
  } catch (error: unknown) {
    return { kind: 'unreadable', reason: `job ${id}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The GPUs of the jobs `ids` in the output of {@link scontrolJobDetailsArgs}. A job the controller
 * no longer lists has no entry; one listed twice (a name with a line break pretending to start a
 * record) or with an unreadable record is `unreadable`.
 *
 * @throws RangeError when an id is not a Slurm job id.
 */
export function parseJobGpus(text: string, ids: readonly string[]): Map<string, JobGpusEntry> {
  for (const id of ids) if (!JOB_ID.test(id)) throw new RangeError(`job id ${JSON.stringify(id.slice(0, 40))} is not a Slurm job id`);
  const records = new Map<string, string[][]>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    const id = /^JobId=(\S+)/.exec(line)?.[1];
    if (id === undefined) {
      // A line break inside a job's name or comment: the rest of the record before it.
      current?.push(line);
      continue;
    }
    current = [line];
    const listed = records.get(id) ?? [];
    listed.push(current);
    records.set(id, listed);
  }
  const out = new Map<string, JobGpusEntry>();
  for (const id of new Set(ids)) {
    const listed = records.get(id) ?? [];
    const [only] = listed;
    if (only === undefined) continue;
    out.set(id, listed.length > 1 ? { kind: 'unreadable', reason: `job ${id} is listed more than once` } : readRecord(id, only.join('\n')));
  }
  return out;
}
