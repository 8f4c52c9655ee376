/**
 * Slurm's timestamps as its commands print them (`2026-11-30T19:05:12`, local time of the cluster,
 * no zone), as a pure function. Clusters and hubs normally share a time zone; the hub reads them in
 * its own.
 */

/** Words Slurm prints instead of a time. */
const NO_TIME = new Set(['N/A', 'NONE', 'UNKNOWN', 'INVALID', '']);

/** Parses `YYYY-MM-DDTHH:MM:SS` in the hub's local time zone; `null` for `N/A`, `Unknown` and anything unreadable. */
export function parseSlurmTime(text: string): Date | null {
  const t = text.trim();
  if (NO_TIME.has(t.toUpperCase())) return null;
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})$/.exec(t);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, s);
  return Number.isNaN(date.getTime()) ? null : date;
}
