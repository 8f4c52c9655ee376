import { H200, readCapture, readFixture, FAKE_MIG } from './testing/fixtures';
import { classifyReading, classifySample, classifyWindows, gpuIdleSince, isGpuIdleFor } from './classify';
import { parseDmon, spaceDmonSamples } from './dmon';
import { parseQueryGpu } from './query-gpu';
import { holdableDevices, parseQueryXml } from './query-xml';
import { MIB, type GpuReading, type GpuSample } from './sample';

/** The admins' rule of issue 9: under 10 % counts as idle. */
const POLICY = { thresholdPercent: 10 };

function readings(samples: readonly GpuSample[]): GpuReading[] {
  return samples.map((sample) => ({ at: sample.at ?? Number.NaN, devices: [sample] }));
}

/** 15:14:SS.mmm on the capture day, as parsed (UTC). */
function t(seconds: number): number {
  return Date.UTC(2026, 10, 30, 15, 14, 0) + Math.round(seconds * 1000);
}

describe('the real H200 timeline (query-gpu every 500 ms while load.py ran)', () => {
  const series = readings(parseQueryGpu(readFixture(H200, 'query-gpu-timeline.csv')));

  it('is classified idle → held-idle → busy → held-idle, then the process exits', () => {
    expect(classifyWindows(series, POLICY)).toEqual([
      // 0 MiB, then 4 MiB while the CUDA context starts: nothing held yet.
      { activity: 'idle', from: t(8.373), to: t(12.905), count: 10 },
      // 8977/9203 MiB allocated, 0 %: the memory is held but the GPU does nothing.
      { activity: 'held-idle', from: t(13.407), to: t(16.421), count: 7 },
      { activity: 'busy', from: t(16.923), to: t(25.967), count: 19 },
      { activity: 'held-idle', from: t(26.469), to: t(30.491), count: 9 },
      // The last reading of the run as the process exits (23 % over the period, memory freed):
      // real data, and at 23 % it is busy by the rule.
      { activity: 'busy', from: t(30.993), to: t(30.993), count: 1 },
      { activity: 'idle', from: t(31.496), to: t(31.496), count: 1 },
    ]);
  });

  it('counts the held-idle phase as GPU-idle although memory is allocated', () => {
    const heldOnly = series.filter((r) => r.at >= t(13.407) && r.at <= t(16.421));
    expect(heldOnly.every((r) => classifyReading(r, POLICY) === 'held-idle')).toBe(true);
    const query = { ...POLICY, now: t(16.421), maxGapMs: 1000 };
    expect(gpuIdleSince(heldOnly, query)).toBe(t(13.407));
    expect(isGpuIdleFor(heldOnly, { ...query, periodMs: 3000 })).toBe(true);
    // With the idle phase before it: idle since the first reading.
    const upToHeld = series.filter((r) => r.at <= t(16.421));
    expect(isGpuIdleFor(upToHeld, { ...query, periodMs: 8000 })).toBe(true);
    expect(isGpuIdleFor(upToHeld, { ...query, periodMs: 8100 })).toBe(false);
  });

  it('never counts the busy phase as idle, and the busy phase resets the idle period', () => {
    for (const end of [t(16.923), t(20.439), t(25.967)]) {
      const upTo = series.filter((r) => r.at <= end);
      expect(gpuIdleSince(upTo, { ...POLICY, now: end, maxGapMs: 1000 })).toBeNull();
      expect(isGpuIdleFor(upTo, { ...POLICY, now: end, maxGapMs: 1000, periodMs: 0 })).toBe(false);
    }
    const afterBusy = series.filter((r) => r.at <= t(30.491));
    const query = { ...POLICY, now: t(30.491), maxGapMs: 1000 };
    expect(gpuIdleSince(afterBusy, query)).toBe(t(26.469));
    expect(isGpuIdleFor(afterBusy, { ...query, periodMs: 4000 })).toBe(true);
    expect(isGpuIdleFor(afterBusy, { ...query, periodMs: 5000 })).toBe(false);
  });

  it('a higher threshold makes the 100 % phase idle too; a threshold of 0 makes everything busy', () => {
    expect(classifyWindows(series, { thresholdPercent: 101 }).map((w) => w.activity)).toEqual(['idle', 'held-idle', 'idle']);
    expect(classifyWindows(series, { thresholdPercent: 0 }).map((w) => w.activity)).toEqual(['busy']);
  });

  it('does not call a server idle over a gap in the readings, or on stale readings', () => {
    const held = series.filter((r) => r.at >= t(26.469) && r.at <= t(30.491));
    const gapped = held.filter((r) => r.at < t(27.5) || r.at > t(29.5));
    const query = { ...POLICY, now: t(30.491), maxGapMs: 1000 };
    expect(gpuIdleSince(gapped, query)).toBe(t(29.987));
    expect(isGpuIdleFor(held, { ...query, now: t(30.491) + 5000, periodMs: 1000 })).toBe(false);
  });
});

describe('the real H200 dmon timeline (one row a second)', () => {
  it('is classified idle → held-idle → busy → held-idle → idle', () => {
    const rows = parseDmon(readFixture(H200, 'dmon-timeline.txt'));
    const series = readings(spaceDmonSamples(rows, 0, 1000));
    expect(classifyWindows(series, POLICY).map((w) => [w.activity, w.count])).toEqual([
      ['idle', 5],
      ['held-idle', 4],
      ['busy', 9],
      ['held-idle', 5],
      ['idle', 2],
    ]);
    expect(isGpuIdleFor(series.slice(0, 9), { ...POLICY, now: 8000, maxGapMs: 1500, periodMs: 8000 })).toBe(true);
    expect(isGpuIdleFor(series.slice(0, 12), { ...POLICY, now: 11000, maxGapMs: 1500, periodMs: 0 })).toBe(false);
  });
});

describe('classifying devices', () => {
  const idleXml = parseQueryXml(readCapture(H200, 'query-idle-xml.txt').output);
  const heldXml = parseQueryXml(readCapture(H200, 'query-busy-xml.txt').output);

  it('reads the real XML captures: idle with nothing held, held-idle with the load holding memory at 0 %', () => {
    expect(holdableDevices(idleXml).map((d) => classifySample(d, POLICY))).toEqual(['idle']);
    expect(holdableDevices(heldXml).map((d) => classifySample(d, POLICY))).toEqual(['held-idle']);
  });

  it('a MIG device holding memory has no utilisation in nvidia-smi: unknown, never idle (fake MIG output)', () => {
    const [held, small, empty, whole] = holdableDevices(parseQueryXml(readCapture(FAKE_MIG, 'query-xml.txt').output));
    if (!held || !small || !empty || !whole) throw new Error('expected four devices');
    expect([held, small, empty, whole].map((d) => classifySample(d, POLICY))).toEqual(['unknown', 'unknown', 'idle', 'busy']);
    expect(isGpuIdleFor([{ at: 0, devices: [held] }], { ...POLICY, now: 0, maxGapMs: 1, periodMs: 0 })).toBe(false);
  });

  it('a server is as active as its most active device, and idle when it holds none', () => {
    const [gpu] = holdableDevices(heldXml);
    if (!gpu) throw new Error('no device');
    const busy = { ...gpu, utilizationPercent: 55 };
    expect(classifyReading({ at: 0, devices: [gpu, busy] }, POLICY)).toBe('busy');
    expect(classifyReading({ at: 0, devices: [gpu, { ...gpu, utilizationPercent: null }] }, POLICY)).toBe('unknown');
    expect(classifyReading({ at: 0, devices: [] }, POLICY)).toBe('idle');
  });

  it('a listed process makes a device held whatever its memory; a few MiB without one does not', () => {
    const [gpu] = holdableDevices(idleXml);
    if (!gpu) throw new Error('no device');
    expect(classifySample({ ...gpu, processes: [{ pid: 1, usedMemoryBytes: null, name: null }] }, POLICY)).toBe('held-idle');
    expect(classifySample({ ...gpu, memoryUsedBytes: 4 * MIB }, POLICY)).toBe('idle');
    expect(classifySample({ ...gpu, memoryUsedBytes: 4 * MIB }, { ...POLICY, heldMemoryBytes: MIB })).toBe('held-idle');
  });
});
