import { parseWrkOutput, wrkDurationMs } from './wrk-output';
import { ratioOf, summarize } from './stats';
import { formatCell, formatNumber, formatRatio, formatTable, goalHolds, type RowResult } from './table';

/** Real wrk 4.1.0 (Debian) reports, captured against a small Node server. */
const OK_RUN = `Running 1s test @ http://127.0.0.1:18999/
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.31ms    2.88ms  40.50ms   94.12%
    Req/Sec    16.01k     9.92k   26.36k    70.00%
  Latency Distribution
     50%  401.00us
     75%    1.04ms
     90%    2.96ms
     99%   15.10ms
  15921 requests in 1.01s, 2.03MB read
Requests/sec:  15822.30
Transfer/sec:      2.02MB
`;
const ERROR_RUN = `Running 1s test @ http://127.0.0.1:18999/bad
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   300.20us  651.37us   5.88ms   90.88%
    Req/Sec    18.50k     4.73k   23.25k    70.00%
  Latency Distribution
     50%   81.00us
     75%  116.00us
     90%  830.00us
     99%    3.39ms
  18446 requests in 1.00s, 2.69MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 18446
Requests/sec:  18399.10
Transfer/sec:      2.68MB
`;

describe('wrk output', () => {
  it('converts every unit wrk prints to milliseconds', () => {
    expect(wrkDurationMs('401.00us')).toBeCloseTo(0.401);
    expect(wrkDurationMs('15.10ms')).toBeCloseTo(15.1);
    expect(wrkDurationMs('1.20s')).toBeCloseTo(1200);
    expect(wrkDurationMs('2.00m')).toBeCloseTo(120_000);
    expect(wrkDurationMs('fast')).toBeNaN();
  });

  it('reads throughput, percentiles and totals', () => {
    const r = parseWrkOutput(OK_RUN);
    expect(r.requestsPerSec).toBeCloseTo(15822.3);
    expect(r.requests).toBe(15921);
    expect(r.durationS).toBeCloseTo(1.01);
    expect(r.latencyMs.p50).toBeCloseTo(0.401);
    expect(r.latencyMs.p90).toBeCloseTo(2.96);
    expect(r.latencyMs.p99).toBeCloseTo(15.1);
    expect(r.meanLatencyMs).toBeCloseTo(1.31);
    expect(r.maxLatencyMs).toBeCloseTo(40.5);
    expect(r.non2xx).toBe(0);
    expect(r.socketErrors).toBe(0);
  });

  it('counts error responses and socket errors', () => {
    const r = parseWrkOutput(ERROR_RUN);
    expect(r.non2xx).toBe(18446);
    expect(r.socketErrors).toBe(5);
  });

  it('refuses output without a result (wrk failed)', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/Requests\/sec/);
  });
});

describe('summary statistics', () => {
  it('gives median, min and max of odd and even counts, ignoring non-finite values', () => {
    expect(summarize([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, n: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(summarize([Number.NaN, 5])).toEqual({ median: 5, min: 5, max: 5, n: 1 });
    expect(summarize([])).toBeNull();
  });

  it('divides medians for the ratio, null without an anchor', () => {
    expect(ratioOf(summarize([300]), summarize([100, 20, 200]))).toBe(3);
    expect(ratioOf(summarize([300]), null)).toBeNull();
    expect(ratioOf(summarize([300]), summarize([0]))).toBeNull();
  });
});

describe('result table', () => {
  const read: RowResult = {
    label: '`GET /users/{name}`, c=10',
    unit: 'req/s',
    ours: [{ value: 3100, p99Ms: 9 }, { value: 2900, p99Ms: 12 }, { value: 3036, p99Ms: 8 }],
    anchor: [{ value: 211 }, { value: 200 }, { value: 230 }],
    goal: { text: '≥ 10×, p99 ≤ 10 ms', minRatio: 10, maxP99Ms: 10 },
  };

  it('formats numbers and ratios as the README shows them', () => {
    expect(formatNumber(3036.4)).toBe('3,036');
    expect(formatNumber(40.04)).toBe('40');
    expect(formatNumber(8.1)).toBe('8.1');
    expect(formatNumber(0.0561)).toBe('0.0561');
    expect(formatRatio(14.39)).toBe('14.4×');
    expect(formatRatio(0.1512)).toBe('0.15×');
    expect(formatRatio(null)).toBe('—');
  });

  it('prints medians with min–max and the median p99', () => {
    expect(formatCell(read.ours, 'req/s')).toBe('3,036 req/s (2,900–3,100), p99 9 ms');
    expect(formatCell([{ value: 0.056, probeMaxMs: 14 }], 's')).toBe('0.056 s, probe max 14 ms');
    expect(formatCell([], 'req/s')).toBe('not measured');
  });

  it('checks goals on the medians', () => {
    expect(goalHolds(read)).toBe(true);
    expect(goalHolds({ ...read, goal: { text: 'p99 ≤ 5 ms', maxP99Ms: 5 } })).toBe(false);
    expect(goalHolds({ ...read, anchor: [] })).toBeNull();
    expect(goalHolds({ ...read, goal: undefined })).toBeNull();
  });

  it('prints one Markdown row per path, with the reference system and reasons for rows not measured', () => {
    const proxy: RowResult = {
      label: 'proxy GET c=100',
      unit: 'req/s',
      ours: [{ value: 11000 }],
      anchor: [{ value: 6100 }],
      reference: { label: 'direct', samples: [{ value: 42800 }] },
      goal: { text: '≥ 2× CHP', minRatio: 2 },
    };
    const missing: RowResult = { label: 'a | b', unit: 's', ours: [], anchor: [], notMeasured: 'no websocket backend' };
    expect(formatTable([read, proxy, missing], 'JupyterHub 6.1.1 / CHP 5.3.0').split('\n')).toEqual([
      '| path | clusterhub | JupyterHub 6.1.1 / CHP 5.3.0 | ratio | goal |',
      '|---|---|---|---|---|',
      '| `GET /users/{name}`, c=10 | 3,036 req/s (2,900–3,100), p99 9 ms | 211 req/s (200–230) | 14.4× | ≥ 10×, p99 ≤ 10 ms ✓ |',
      '| proxy GET c=100 | 11,000 req/s (direct: 42,800 req/s) | 6,100 req/s | 1.8× | ≥ 2× CHP ✗ |',
      '| a \\| b | not measured | not measured | — | — |',
      '',
      '- a | b: not measured: no websocket backend',
    ]);
  });
});
