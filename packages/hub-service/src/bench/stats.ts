/**
 * Summary statistics for `npm run bench`: median with min–max of repeated measurements.
 */

/** Median, minimum and maximum of a set of repeated measurements. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many measurements (finite values only). */
  readonly n: number;
}

/** Summarises the finite values; null when there are none. An even count takes the mean of the middle two. */
export function summarize(values: readonly number[]): Summary | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  const at = (i: number): number => sorted[i] ?? Number.NaN;
  if (n === 0) return null;
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  return { median, min: at(0), max: at(n - 1), n };
}

/** `ours / anchor` of two medians; null when either is missing or the anchor is 0. */
export function ratioOf(ours: Summary | null, anchor: Summary | null): number | null {
  if (!ours || !anchor || anchor.median === 0) return null;
  return ours.median / anchor.median;
}
