/**
 * Durations as batch schedulers write them, as pure functions.
 *
 * Two grammars: the strict one of the hub's config and user options (`[D-]HH:MM:SS`), and the
 * looser one Slurm and PBS print (`M:SS`, `H:MM:SS`, `D-HH:MM:SS`, `D-HH`, `UNLIMITED`, …).
 */

/**
 * The strict walltime grammar: `[D-]HH:MM:SS` (hours 0–99, minutes and seconds 0–59, at most 3
 * digits of days). ASCII only: lookalike digits and separators do not match.
 */
const STRICT_WALLTIME = /^(?:([0-9]{1,3})-)?([0-9]{1,2}):([0-5][0-9]):([0-5][0-9])$/;

/**
 * Parses a walltime in the strict `[D-]HH:MM:SS` form into seconds; `null` when it does not match.
 * Callers check the length of untrusted input first (the pattern is anchored and linear anyway).
 */
export function parseWalltime(value: string): number | null {
  const m = STRICT_WALLTIME.exec(value);
  if (!m) return null;
  const [, d, h, mi, s] = m;
  return Number(d ?? 0) * 86400 + Number(h) * 3600 + Number(mi) * 60 + Number(s);
}

/** Formats seconds as Slurm's `[D-]HH:MM:SS` (days only when there are some). */
export function formatWalltime(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const days = Math.floor(total / 86400);
  const rest = total % 86400;
  const hms = [Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return days > 0 ? `${days}-${hms}` : hms;
}

/** Words Slurm prints instead of a duration when there is none. */
const NO_DURATION = new Set(['UNLIMITED', 'INFINITE', 'INVALID', 'N/A', 'NOT_SET', 'PARTITION_LIMIT', '']);

/**
 * Parses a duration as `squeue`/`sacct`/`qstat` print it: `MM:SS`, `H:MM:SS`,
 * `D-HH:MM:SS`, `D-HH`, `D-HH:MM`, or a bare number of minutes. `null` for `UNLIMITED`, `N/A` and
 * anything unreadable (never throws).
 */
export function parseSchedulerDuration(value: string): number | null {
  const text = value.trim();
  if (NO_DURATION.has(text.toUpperCase())) return null;
  const m = /^(?:([0-9]+)-)?([0-9]+)(?::([0-9]+))?(?::([0-9]+))?$/.exec(text);
  if (!m) return null;
  const [, d, a, b, c] = m;
  const days = Number(d ?? 0);
  let seconds: number;
  if (d !== undefined) {
    // D-HH, D-HH:MM, D-HH:MM:SS
    seconds = Number(a) * 3600 + Number(b ?? 0) * 60 + Number(c ?? 0);
  } else if (c !== undefined) {
    seconds = Number(a) * 3600 + Number(b) * 60 + Number(c); // H:MM:SS
  } else if (b !== undefined) {
    seconds = Number(a) * 60 + Number(b); // MM:SS
  } else {
    seconds = Number(a) * 60; // minutes
  }
  const total = days * 86400 + seconds;
  return Number.isSafeInteger(total) ? total : null;
}
