import type { UsageRecord } from '../store/store';

/** Milliseconds per hour. */
const HOUR_MS = 3_600_000;

/** One line of a usage report: what one user spent on one profile at one price, charged to one group. */
export interface UsageLine {
  readonly user: string;
  /** The group charged, or null. */
  readonly group: string | null;
  readonly profile: string;
  readonly pricePerHour: number;
  readonly hours: number;
  /** Compute units: hours × price. */
  readonly cost: number;
}

/** A usage report for the window `[from, to)`; running sessions count up to the time of the report. */
export interface UsageReport {
  readonly from: Date;
  readonly to: Date;
  /** Sorted by user, group, profile, price. */
  readonly lines: readonly UsageLine[];
  readonly totalHours: number;
  readonly totalCost: number;
}

/** Rounds compute units and hours to 6 decimals (far below a cent), so sums of binary fractions read exactly. */
export function roundUnits(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Hours of `session` inside `[from, to)`, a running session counting up to `now`. */
export function sessionHours(session: UsageRecord, from: Date, to: Date, now: Date): number {
  const end = Math.min((session.ended ?? now).getTime(), to.getTime());
  const start = Math.max(session.started.getTime(), from.getTime());
  return Math.max(0, end - start) / HOUR_MS;
}

/** Compute units `sessions` accrued inside `[from, to)` up to `now` (unrounded). */
export function accrued(sessions: readonly UsageRecord[], from: Date, to: Date, now: Date): number {
  return sessions.reduce((sum, s) => sum + sessionHours(s, from, to, now) * s.pricePerHour, 0);
}

/** Sums sessions into report lines per user, group, profile and price. */
export function buildReport(sessions: readonly UsageRecord[], from: Date, to: Date, now: Date): UsageReport {
  const lines = new Map<string, { user: string; group: string | null; profile: string; pricePerHour: number; hours: number; cost: number }>();
  let totalHours = 0;
  let totalCost = 0;
  for (const s of sessions) {
    const hours = sessionHours(s, from, to, now);
    if (hours <= 0) continue;
    const key = JSON.stringify([s.userName, s.groupName, s.profile, s.pricePerHour]);
    const line = lines.get(key) ?? { user: s.userName, group: s.groupName, profile: s.profile, pricePerHour: s.pricePerHour, hours: 0, cost: 0 };
    line.hours += hours;
    line.cost += hours * s.pricePerHour;
    lines.set(key, line);
    totalHours += hours;
    totalCost += hours * s.pricePerHour;
  }
  const sorted = [...lines.values()]
    .map((l) => ({ ...l, hours: roundUnits(l.hours), cost: roundUnits(l.cost) }))
    .sort((a, b) => compare(a.user, b.user) || compare(a.group ?? '', b.group ?? '') || compare(a.profile, b.profile) || a.pricePerHour - b.pricePerHour);
  return { from, to, lines: sorted, totalHours: roundUnits(totalHours), totalCost: roundUnits(totalCost) };
}

/** The report as CSV (RFC 4180): a header, one row per line, and a last row `total` with the sums. */
export function reportCsv(report: UsageReport): string {
  const rows: (string | number)[][] = [['user', 'group', 'profile', 'price_per_hour', 'hours', 'cost']];
  for (const l of report.lines) rows.push([l.user, l.group ?? '', l.profile, l.pricePerHour, l.hours, l.cost]);
  rows.push(['total', '', '', '', report.totalHours, report.totalCost]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** One CSV cell: quoted when it holds a comma, quote or line break; cells starting with = + - @ get a leading ' (spreadsheet formulas). */
function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
