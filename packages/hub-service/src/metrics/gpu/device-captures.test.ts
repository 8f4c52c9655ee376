/**
 * The parsers and the collector against the captures of our device check on a real H200
 * (test/fixtures/gpu/h200-2026-11-30-device-check/): a process holding memory without computing,
 * then a second server computing on the same GPU (pmon tells them apart).
 */
import path from 'node:path';
import { classifyReading } from './classify';
import { parseDmon } from './dmon';
import { NvidiaSmiCollector, type CommandRunner } from './nvidia-smi-collector';
import type { ProcIdsReader } from './process-owner';
import { parsePmon } from './pmon';
import { parseQueryComputeApps } from './query-apps';
import { parseQueryGpu } from './query-gpu';
import { holdableDevices, parseQueryXml } from './query-xml';
import { MIB } from './sample';
import { GPU_FIXTURES, readCapture } from './testing/fixtures';

const DIR = path.join(GPU_FIXTURES, 'h200-2026-11-30-device-check');
const UUID = 'GPU-28a465ed-ee30-3c11-0b58-e4b6de09ebad';
const capture = (name: string): string => readCapture(DIR, `${name}.txt`).output;
const POLICY = { thresholdPercent: 10 };

/** The sandbox's process tree as the check ran it: each kernel in a session of its own under its server. */
const TREE: Record<number, { ppid: number; pgrp: number; session: number }> = {
  482: { ppid: 481, pgrp: 482, session: 482 },
  523: { ppid: 522, pgrp: 523, session: 523 },
};
const readIds: ProcIdsReader = async (pid) => TREE[pid] ?? null;
/** Answers `-q -x` with the capture `xml`, and `pmon` with the capture `pmon` (null: pmon fails). */
const replay =
  (xml: string, pmon: string | null = null): CommandRunner =>
  async (_command, args) => {
    if (args[0] !== 'pmon') return { stdout: capture(xml), stderr: '', exitCode: 0 };
    return pmon === null ? { stdout: '', stderr: 'Failed to initialize NVML', exitCode: 9 } : { stdout: capture(pmon), stderr: '', exitCode: 0 };
  };
const SERVERS = [
  { key: 'holder/', pid: 481, pgid: 481 },
  { key: 'worker/', pid: 522, pgid: 522 },
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
    expect(holder?.devices).toMatchObject([{ uuid: UUID, utilizationPercent: 2, processes: [{ pid: 482, usedMemoryBytes: 1542 * MIB }] }]);
    expect(holder && classifyReading(holder, POLICY)).toBe('held-idle');
    expect(outcome.readings.get('worker/')?.devices).toEqual([]);
    expect(parseQueryComputeApps(capture('apps-held'))).toMatchObject([{ pid: 482, usedMemoryBytes: 1542 * MIB }]);
  });

  it('on a shared GPU gives each server its own processes\' utilisation (pmon): the computing one busy, the idle one held-idle', async () => {
    const outcome = await new NvidiaSmiCollector({ runner: replay('query-busy-xml', 'pmon-busy'), readIds }).sample(SERVERS);
    const worker = outcome.readings.get('worker/');
    const holder = outcome.readings.get('holder/');
    expect(worker?.devices.map((d) => [d.processes.map((p) => p.pid), d.utilizationPercent])).toEqual([[[523], 99]]);
    // pmon printed `-` for the holder: no kernel of it ran in the interval.
    expect(holder?.devices.map((d) => [d.processes.map((p) => p.pid), d.utilizationPercent])).toEqual([[[482], 0]]);
    expect(worker && classifyReading(worker, POLICY)).toBe('busy');
    expect(holder && classifyReading(holder, POLICY)).toBe('held-idle');
    // The overview keeps the GPU's own numbers, with both holders.
    expect(outcome.devices).toMatchObject([{ sample: { utilizationPercent: 99 }, holders: ['holder/', 'worker/'] }]);
    expect(parseDmon(capture('dmon-busy')).every((sample) => (sample.utilizationPercent ?? 0) >= 90)).toBe(true);
    expect(parsePmon(capture('pmon-held'))).toEqual([
      { gpu: 0, pid: 482, smPercent: 1 },
      { gpu: 0, pid: 482, smPercent: 0 },
    ]);
  });

  it('keeps the GPU\'s utilisation for both when pmon fails: never a false idle', async () => {
    const outcome = await new NvidiaSmiCollector({ runner: replay('query-busy-xml', null), readIds }).sample(SERVERS);
    const holder = outcome.readings.get('holder/');
    expect(holder?.devices.map((d) => d.utilizationPercent)).toEqual([99]);
    expect(holder && classifyReading(holder, POLICY)).toBe('busy');
  });

  it('finds no process once both have ended', async () => {
    const outcome = await new NvidiaSmiCollector({ runner: replay('query-after-xml'), readIds }).sample(SERVERS);
    expect([...outcome.readings.values()].every((reading) => reading.devices.length === 0)).toBe(true);
  });
});
