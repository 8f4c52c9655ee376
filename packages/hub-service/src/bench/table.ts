/**
 * The result table of `npm run bench`: one Markdown row per measured path with the medians (and
 * min–max) of clusterhub and of the anchor system, the ratio and whether the goal holds. Pure.
 */
import { ratioOf, summarize, type Summary } from './stats';

/** One repetition of one measurement. `value` is in the row's unit. */
export interface Sample {
  readonly value: number;
  /** p99 latency of the run, when the load generator gives one. */
  readonly p99Ms?: number;
  /** Worst latency of the probe that ran alongside (stall metric). */
  readonly probeMaxMs?: number;
}

/** A goal, checked on the medians; every bound that is set must hold. */
export interface Goal {
  /** As printed, e.g. `≥ 10×, p99 ≤ 10 ms`. */
  readonly text: string;
  readonly minRatio?: number;
  readonly maxRatio?: number;
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly maxP99Ms?: number;
  readonly maxProbeMs?: number;
}

/** Everything measured for one row. */
export interface RowResult {
  readonly label: string;
  /** Unit of `Sample.value`, e.g. `req/s`, `s`, `MiB`. */
  readonly unit: string;
  readonly ours: readonly Sample[];
  readonly anchor: readonly Sample[];
  /** A third system shown inside clusterhub's cell, e.g. the backend reached directly. */
  readonly reference?: { readonly label: string; readonly samples: readonly Sample[] };
  readonly goal?: Goal;
  /** Why the row was not measured (printed below the table). */
  readonly notMeasured?: string;
}

/** Formats a number for the table: thousands separators from 100 up, three significant digits below. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (v === 0) return '0';
  return String(Number(v.toPrecision(3)));
}

/** A ratio as `14.4×` (one decimal from 1 up, two significant digits below 1). */
export function formatRatio(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return '—';
  return `${r >= 1 ? r.toFixed(1) : String(Number(r.toPrecision(2)))}×`;
}

function range(s: Summary): string {
  return s.n > 1 ? ` (${formatNumber(s.min)}–${formatNumber(s.max)})` : '';
}

function median(samples: readonly Sample[], pick: (s: Sample) => number | undefined): Summary | null {
  return summarize(samples.map(pick).filter((v): v is number => v !== undefined));
}

/** One system's cell: `3,036 req/s (2,900–3,100), p99 40 ms`, or `not measured`. */
export function formatCell(samples: readonly Sample[], unit: string): string {
  const value = median(samples, (s) => s.value);
  if (!value) return 'not measured';
  let cell = `${formatNumber(value.median)} ${unit}${range(value)}`;
  const p99 = median(samples, (s) => s.p99Ms);
  if (p99) cell += `, p99 ${formatNumber(p99.median)} ms`;
  const probe = median(samples, (s) => s.probeMaxMs);
  if (probe) cell += `, probe max ${formatNumber(probe.median)} ms`;
  return cell;
}

/** Whether the goal holds on the medians: true, false, or null when something it needs is missing. */
export function goalHolds(row: RowResult): boolean | null {
  const g = row.goal;
  if (!g) return null;
  const value = median(row.ours, (s) => s.value);
  const ratio = ratioOf(value, median(row.anchor, (s) => s.value));
  const p99 = median(row.ours, (s) => s.p99Ms);
  const probe = median(row.ours, (s) => s.probeMaxMs);
  const checks: (boolean | null)[] = [];
  const bound = (actual: number | null | undefined, limit: number | undefined, ok: (a: number, l: number) => boolean): void => {
    if (limit !== undefined) checks.push(actual === null || actual === undefined ? null : ok(actual, limit));
  };
  bound(ratio, g.minRatio, (a, l) => a >= l);
  bound(ratio, g.maxRatio, (a, l) => a <= l);
  bound(value?.median, g.minValue, (a, l) => a >= l);
  bound(value?.median, g.maxValue, (a, l) => a <= l);
  bound(p99?.median, g.maxP99Ms, (a, l) => a <= l);
  bound(probe?.median, g.maxProbeMs, (a, l) => a <= l);
  if (checks.includes(false)) return false;
  if (checks.includes(null)) return null;
  return true;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The Markdown table (with the reasons for rows not measured listed below it). */
export function formatTable(rows: readonly RowResult[], anchorName: string): string {
  const lines = [`| path | clusterhub | ${anchorName} | ratio | goal |`, '|---|---|---|---|---|'];
  const notes: string[] = [];
  for (const row of rows) {
    let ours = formatCell(row.ours, row.unit);
    if (row.reference) {
      const ref = median(row.reference.samples, (s) => s.value);
      if (ref) ours += ` (${row.reference.label}: ${formatNumber(ref.median)} ${row.unit})`;
    }
    const ratio = formatRatio(ratioOf(median(row.ours, (s) => s.value), median(row.anchor, (s) => s.value)));
    const holds = goalHolds(row);
    const goal = row.goal ? `${row.goal.text}${holds === true ? ' ✓' : holds === false ? ' ✗' : ''}` : '—';
    lines.push(`| ${[row.label, ours, formatCell(row.anchor, row.unit), ratio, goal].map(escapeCell).join(' | ')} |`);
    if (row.notMeasured) notes.push(`- ${row.label}: not measured: ${row.notMeasured}`);
  }
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
