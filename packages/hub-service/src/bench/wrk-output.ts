/**
 * Parsing of `wrk --latency` output for `npm run bench` (scripts/bench). Pure: text in, numbers out.
 */

/** What one wrk run reports. Latencies are in milliseconds. */
export interface WrkResult {
  /** `Requests/sec:` (completed requests over the run's wall time). */
  readonly requestsPerSec: number;
  /** Completed requests. */
  readonly requests: number;
  /** Wall time of the run in seconds. */
  readonly durationS: number;
  /** Latency percentiles from `--latency` (absent when wrk ran without it). */
  readonly latencyMs: { readonly p50?: number; readonly p75?: number; readonly p90?: number; readonly p99?: number };
  /** Mean and max latency from the thread stats line. */
  readonly meanLatencyMs?: number;
  readonly maxLatencyMs?: number;
  /** Responses with a status outside 2xx and 3xx. */
  readonly non2xx: number;
  /** Connect, read, write and timeout errors together. */
  readonly socketErrors: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Converts a wrk duration such as `136.50us`, `4.02ms`, `1.20s` or `2.00m` to milliseconds; NaN when it is not one. */
export function wrkDurationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  const [, amount, unit] = m ?? [];
  if (amount === undefined || unit === undefined) return Number.NaN;
  return Number(amount) * (UNIT_MS[unit] ?? Number.NaN);
}

/** Parses wrk's report; throws when the `Requests/sec` line is missing (wrk failed). */
export function parseWrkOutput(text: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (!rps) throw new Error(`wrk output has no Requests/sec line:\n${text.slice(0, 2000)}`);
  const total = /^\s*(\d+) requests in ([\d.]+\w+),/m.exec(text);
  const latencyMs: { p50?: number; p75?: number; p90?: number; p99?: number } = {};
  const distAt = text.indexOf('Latency Distribution');
  if (distAt >= 0) {
    for (const line of text.slice(distAt).split('\n').slice(1)) {
      const [, percent, duration] = /^\s*(\d+(?:\.\d+)?)%\s+(\S+)\s*$/.exec(line) ?? [];
      if (percent === undefined || duration === undefined) break;
      const key = `p${Number(percent)}`;
      if (key === 'p50' || key === 'p75' || key === 'p90' || key === 'p99') latencyMs[key] = wrkDurationMs(duration);
    }
  }
  const stats = /^\s*Latency\s+(\S+)\s+\S+\s+(\S+)/m.exec(text);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requestsPerSec: Number(rps[1]),
    requests: total ? Number(total[1]) : 0,
    durationS: total ? wrkDurationMs(total[2] ?? '') / 1000 : Number.NaN,
    latencyMs,
    ...(stats ? { meanLatencyMs: wrkDurationMs(stats[1] ?? ''), maxLatencyMs: wrkDurationMs(stats[2] ?? '') } : {}),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sock ? sock.slice(1, 5).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}
