/**
 * The parsers and the collector against the captures of our device check on a real H200
 * (test/fixtures/gpu/h200-2026-11-30-device-check/): a process holding memory without computing,
 * then a second server computing on the same GPU.
 */
import path from 'node:path';
import { classifyReading } from './classify';
import { parseDmon } from './dmon';
import { NvidiaSmiCollector, type CommandRunner } from './nvidia-smi-collector';
import type { ProcIdsReader } from './process-owner';
import { parseQueryComputeApps } from './query-apps';
import { parseQueryGpu } from './query-gpu';
import { holdableDevices, parseQueryXml } from './query-xml';
import { MIB } from './sample';
import { GPU_FIXTURES, readCapture } from './testing/fixtures';

const DIR = path.join(GPU_FIXTURES, 'h200-2026-11-30-device-check');
const UUID = 'GPU-d8d1645c-8517-03ad-8621-cfe1592a5c73';
const capture = (name: string): string => readCapture(DIR, `${name}.txt`).output;
const POLICY = { thresholdPercent: 10 };

/** The sandbox's process tree as the check ran it: each kernel in a session of its own under its server. */
const TREE: Record<number, { ppid: number; pgrp: number; session: number }> = {
  494: { ppid: 493, pgrp: 494, session: 494 },
  526: { ppid: 525, pgrp: 526, session: 526 },
};
const readIds: ProcIdsReader = async (pid) => TREE[pid] ?? null;
const replay = (name: string): CommandRunner => async () => ({ stdout: capture(name), stderr: '', exitCode: 0 });
const SERVERS = [
  { key: 'holder/', pid: 493, pgid: 493 },
  { key: 'worker/', pid: 525, pgid: 525 },
];

describe('the device check captures (real H200, driver 580.159.04)', () => {
  it('parses every idle format to the one GPU', () => {
    const report = parseQueryXml(capture('query-idle-xml'));
    expect(report.driverVersion).toBe('580.159.04');
    expect(holdableDevices(report)).toMatchObject([{ uuid: UUID, memoryUsedBytes: 0, memoryTotalBytes: 143771 * MIB, processes: [] }]);
    expect(parseQueryGpu(capture('query-gpu-idle-csv'))).toMatchObject([{ uuid: UUID, utilizationPercent: 0 }]);
    expect(parseQueryComputeApps(capture('apps-idle'))).toEqual([]);
    const dmon = parseDmon(capture('dmon-idle'));
    expect(dmon).toHaveLength(3);
    expect(dmon.every((sample) => sample.at !== null && sample.utilizationPercent === 0)).toBe(true);
  });

  it('gives the held process to its server through the parent of its session: held-idle', async () => {
    const outcome = await new NvidiaSmiCollector({ runner: replay('query-held-xml'), readIds }).sample(SERVERS);
    const holder = outcome.readings.get('holder/');
    // 2 %: the allocation's own copy, under the 10 % threshold.
    expect(holder?.devices).toMatchObject([{ uuid: UUID, utilizationPercent: 2, processes: [{ pid: 494, usedMemoryBytes: 1542 * MIB }] }]);
    expect(holder && classifyReading(holder, POLICY)).toBe('held-idle');
    expect(outcome.readings.get('worker/')?.devices).toEqual([]);
    expect(parseQueryComputeApps(capture('apps-held'))).toMatchObject([{ pid: 494, usedMemoryBytes: 1542 * MIB }]);
  });

  it('sees the computing server busy, and (utilisation being per GPU) the idle one sharing the GPU too', async () => {
    const outcome = await new NvidiaSmiCollector({ runner: replay('query-busy-xml'), readIds }).sample(SERVERS);
    const worker = outcome.readings.get('worker/');
    const holder = outcome.readings.get('holder/');
    expect(worker?.devices.map((d) => d.processes.map((p) => p.pid))).toEqual([[526]]);
    expect(holder?.devices.map((d) => d.processes.map((p) => p.pid))).toEqual([[494]]);
    expect(worker && classifyReading(worker, POLICY)).toBe('busy');
    // The known limit (docs/gpu-metrics.md, "Shared GPUs"): never a false cull, but no idle verdict either.
    expect(holder && classifyReading(holder, POLICY)).toBe('busy');
    expect(outcome.devices).toMatchObject([{ holders: ['holder/', 'worker/'] }]);
    expect(parseDmon(capture('dmon-busy')).map((sample) => sample.utilizationPercent)).toEqual([100, 100, 100, 100, 100]);
  });

  it('finds no process once both have ended', async () => {
    const outcome = await new NvidiaSmiCollector({ runner: replay('query-after-xml'), readIds }).sample(SERVERS);
    expect([...outcome.readings.values()].every((reading) => reading.devices.length === 0)).toBe(true);
  });
});
