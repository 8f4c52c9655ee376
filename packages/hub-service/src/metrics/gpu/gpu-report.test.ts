import { deviceLabel, serverGpuModel, type ServerGpuQuery } from './gpu-report';
import { parseQueryGpu } from './query-gpu';
import { holdableDevices, parseQueryXml } from './query-xml';
import type { GpuReading } from './sample';
import { FAKE_MIG, H200, readCapture, readFixture } from './testing/fixtures';

/** The real H200 timeline (query-gpu every 500 ms while load.py ran), one reading per row. */
const TIMELINE: GpuReading[] = parseQueryGpu(readFixture(H200, 'query-gpu-timeline.csv')).map((sample) => ({ at: sample.at ?? Number.NaN, devices: [sample] }));

function query(now: number): ServerGpuQuery {
  return { user: 'alice', server: '', profile: 'gpu-1x', state: 'running', intervalSeconds: 0.5, historySeconds: 1800, thresholdPercent: 10, now, maxGapMs: 2000 };
}

describe('serverGpuModel', () => {
  it('classifies each reading and the server, and says since when it is GPU-idle (memory held at 0 % counts as idle)', () => {
    // Up to the end of the second held-idle phase (before the process exits).
    const series = TIMELINE.filter((r) => r.at <= Date.UTC(2026, 10, 30, 15, 14, 30, 491));
    const last = series[series.length - 1];
    if (!last) throw new Error('empty timeline');
    const model = serverGpuModel(series, query(last.at + 100));
    expect(model.activity).toBe('held-idle');
    expect(model.idleSince).toBe('2026-11-30T15:14:26.469Z');
    expect(model.readings.map((r) => r.activity).filter((a, i, all) => i === 0 || all[i - 1] !== a)).toEqual(['idle', 'held-idle', 'busy', 'held-idle']);
    expect(model.readings[model.readings.length - 1]?.devices[0]).toMatchObject({ gpu: '0', name: 'NVIDIA H200', utilizationPercent: 0, activity: 'held-idle' });
  });

  it('says unknown, not idle, when the newest reading is older than the longest gap or there is none', () => {
    const last = TIMELINE[TIMELINE.length - 1];
    if (!last) throw new Error('empty timeline');
    expect(serverGpuModel(TIMELINE, query(last.at + 2001))).toMatchObject({ activity: 'unknown', idleSince: null });
    expect(serverGpuModel([], query(last.at))).toMatchObject({ activity: 'unknown', idleSince: null, readings: [] });
  });
});

describe('deviceLabel', () => {
  it('is the GPU index, plus gpu/compute instance for a MIG device (fake MIG output)', () => {
    const devices = holdableDevices(parseQueryXml(readCapture(FAKE_MIG, 'query-xml.txt').output));
    expect(devices.map(deviceLabel)).toEqual(['0/1/0', '0/9/0', '0/10/0', '1']);
  });
});
