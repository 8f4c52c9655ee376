/**
 * `sinfo`: how many GPUs and MIG slices are free now, per gres type (configured minus used on nodes
 * that can run jobs), as pure functions.
 */
import { SCHEDULER_NAME } from '../job-spec';
import { outputLines } from './fields';

/** The columns this module asks for, in order. */
export const SINFO_FIELDS = ['NodeHost', 'Partition', 'StateLong', 'Gres', 'GresUsed'] as const;

/** A column {@link parseSinfo} understands (`NodeList` reads like `NodeHost`). */
export type SinfoField = (typeof SINFO_FIELDS)[number] | 'NodeList';

/** Wide columns (sinfo cuts a value at its column's width, silently) each ended by `|`. */
const WIDTHS: Readonly<Record<(typeof SINFO_FIELDS)[number], number>> = { NodeHost: 64, Partition: 64, StateLong: 32, Gres: 512, GresUsed: 512 };

/** `sinfo`'s argv: one line per node and partition; optionally only some partitions. */
export function sinfoArgs(partitions: readonly string[] = []): string[] {
  for (const p of partitions) if (!SCHEDULER_NAME.test(p)) throw new RangeError(`partition ${JSON.stringify(p.slice(0, 40))} is not a Slurm name`);
  const format = SINFO_FIELDS.map((f) => `${f}:${WIDTHS[f]}|`).join(',');
  return ['--noheader', '--Node', `--Format=${format}`, ...(partitions.length > 0 ? [`--partition=${partitions.join(',')}`] : [])];
}

/** One gres entry: `gpu:a100:2` → `{ name: 'gpu', type: 'a100', count: 2 }`. */
export interface GresCount {
  readonly name: string;
  /** The type (GPU model, MIG profile), `null` when untyped. */
  readonly type: string | null;
  readonly count: number;
}

/** Splits on commas outside parentheses (`gpu:a100:1(IDX:0,2),gpu:1g.5gb:0(IDX:N/A)`). */
function topLevelItems(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      items.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  items.push(current);
  return items;
}

/**
 * Parses a gres list as `sinfo` prints it (`gpu:a100:2(S:0-1),gpu:1g.5gb:7`,
 * `gpu:a100:1(IDX:0),gpu:1g.5gb:0(IDX:N/A)`, `gpu:4`, `(null)`). Entries it cannot read are skipped.
 */
export function parseGres(text: string): GresCount[] {
  const out: GresCount[] = [];
  for (const raw of topLevelItems(text.trim())) {
    const item = raw.replace(/\(.*\)$/, '').trim();
    const m = /^([A-Za-z0-9_.-]+)(?::([A-Za-z0-9_.-]+))?:([0-9]+)$/.exec(item);
    if (!m?.[1]) continue;
    out.push({ name: m[1], type: m[2] ?? null, count: Number(m[3]) });
  }
  return out;
}

/** One node (in one partition) as `sinfo` shows it. */
export interface SinfoNode {
  readonly node: string;
  /** The partition (`*` of the default one removed), `null` when not asked for. */
  readonly partition: string | null;
  /** The state, e.g. `idle`, `mixed`, `drained`; `null` when not asked for. */
  readonly state: string | null;
  readonly gres: readonly GresCount[];
  readonly gresUsed: readonly GresCount[];
}

/**
 * Parses `sinfo --noheader -O …` output in the order of `fields` (default {@link SINFO_FIELDS}).
 * Columns ended by `|` (as {@link sinfoArgs} asks) or separated by blanks (plain `-O` columns;
 * none of these values holds a blank) both work. Lines it cannot read are skipped.
 */
export function parseSinfo(text: string, fields: readonly SinfoField[] = SINFO_FIELDS): SinfoNode[] {
  const nodes: SinfoNode[] = [];
  for (const line of outputLines(text)) {
    const parts = (line.includes('|') ? line.split('|') : line.trim().split(/\s+/)).map((p) => p.trim());
    if (parts.length < fields.length) continue;
    const col = (...names: SinfoField[]): string | undefined => {
      const i = fields.findIndex((f) => names.includes(f));
      return i < 0 ? undefined : parts[i];
    };
    const node = col('NodeHost', 'NodeList');
    if (!node || !/^[A-Za-z0-9_.[\],-]+$/.test(node)) continue;
    const partition = col('Partition');
    const state = col('StateLong');
    nodes.push({
      node,
      partition: partition === undefined ? null : partition.replace(/\*$/, ''),
      state: state === undefined ? null : state,
      gres: parseGres(col('Gres') ?? ''),
      gresUsed: parseGres(col('GresUsed') ?? ''),
    });
  }
  return nodes;
}

/** Node states whose GPUs cannot be given to any new job (down, drained, failing, maintenance, reserved, not responding). */
const UNUSABLE = /down|drain|fail|maint|inval|unknown|reboot|future|reserved|\*/i;

/** Free units of one gres type. */
export interface GresAvailability {
  readonly name: string;
  readonly type: string | null;
  /** Configured on usable nodes. */
  readonly total: number;
  /** In use on usable nodes. */
  readonly used: number;
  /** `total - used` (never below 0 per node). */
  readonly free: number;
}

/**
 * Free gres per (name, type) over the usable nodes, counting each node once (a node listed in
 * several partitions), or only the nodes of `partition` when given.
 */
export function freeGres(nodes: readonly SinfoNode[], partition?: string): GresAvailability[] {
  const seen = new Set<string>();
  const totals = new Map<string, { name: string; type: string | null; total: number; used: number; free: number }>();
  for (const n of nodes) {
    if (partition !== undefined && n.partition !== partition) continue;
    if (seen.has(n.node) || (n.state !== null && UNUSABLE.test(n.state))) continue;
    seen.add(n.node);
    for (const g of n.gres) {
      const used = n.gresUsed.filter((u) => u.name === g.name && u.type === g.type).reduce((s, u) => s + u.count, 0);
      const key = `${g.name}:${g.type ?? ''}`;
      const t = totals.get(key) ?? { name: g.name, type: g.type, total: 0, used: 0, free: 0 };
      t.total += g.count;
      t.used += Math.min(used, g.count);
      t.free += Math.max(0, g.count - used);
      totals.set(key, t);
    }
  }
  return [...totals.values()].sort((a, b) => `${a.name}:${a.type ?? ''}`.localeCompare(`${b.name}:${b.type ?? ''}`));
}

/**
 * How many more jobs asking for `gres` (a profile's, e.g. `gpu:a100:1`, `gpu:1g.5gb:1`, `gpu:2`)
 * could start now on the free units: free units of that type (all types of that name when the
 * request is untyped) divided by the count asked for. `null` for a gres it cannot read.
 */
export function freeFor(availability: readonly GresAvailability[], gres: string): { free: number; fits: number } | null {
  const [wanted] = parseGres(gres);
  if (!wanted || wanted.count < 1) return null;
  const free = availability.filter((a) => a.name === wanted.name && (wanted.type === null || a.type === wanted.type)).reduce((s, a) => s + a.free, 0);
  return { free, fits: Math.floor(free / wanted.count) };
}
