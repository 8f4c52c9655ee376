import * as path from 'node:path';
import { parseQueryXml } from '../query-xml';
import { GPU_FIXTURES, FAKE_MIG, readCapture } from '../testing/fixtures';
import { nodeDevices, NodeDevicesMismatchError } from './node-devices';

/** The FAKE two-GPU node (see test/fixtures/gpu/fake-slurm-node/README.md). */
const TWO_GPUS = parseQueryXml(readCapture(path.join(GPU_FIXTURES, 'fake-slurm-node'), 'query-xml.txt').output);
const GPU0 = 'GPU-a6b9ae15-a075-db5c-a1f1-4ab0b402df48';
const GPU1 = 'GPU-00000000-fake-0001-0000-000000000001';

describe("a node's devices given to the jobs holding them", () => {
  it('gives each job the devices of its GRES indices, with every process on them', () => {
    const { devices, held } = nodeDevices('gpu01', TWO_GPUS, [
      { key: 'alice/', jobId: '10', indices: [0] },
      { key: 'bob/', jobId: '11', indices: [1] },
    ], 1000);
    expect(devices.map((d) => [d.sample.uuid, d.holders, d.node, d.sample.at])).toEqual([
      [GPU0, ['alice/'], 'gpu01', 1000],
      [GPU1, ['bob/'], 'gpu01', 1000],
    ]);
    expect(held.get('alice/')?.map((s) => [s.uuid, s.processes.map((p) => p.pid)])).toEqual([[GPU0, [462]]]);
    expect(held.get('bob/')?.map((s) => [s.uuid, s.processes.length, s.memoryUsedBytes])).toEqual([[GPU1, 0, 0]]);
  });

  it('lists free devices without holders', () => {
    const { devices, held } = nodeDevices('gpu01', TWO_GPUS, [{ key: 'bob/', jobId: '11', indices: [1] }], 1);
    expect(devices.map((d) => d.holders)).toEqual([[], ['bob/']]);
    expect([...held.keys()]).toEqual(['bob/']);
  });

  it('counts MIG devices, not their parent GPU, in nvidia-smi order (the FAKE MIG report)', () => {
    const mig = parseQueryXml(readCapture(FAKE_MIG, 'query-xml.txt').output);
    const { devices, held } = nodeDevices('gpu02', mig, [{ key: 'carol/', jobId: '12', indices: [1, 3] }], 1);
    expect(devices).toHaveLength(4);
    const samples = held.get('carol/') ?? [];
    expect(samples.map((s) => [s.index, s.gpuInstanceId])).toEqual([
      [0, devices[1]?.sample.gpuInstanceId],
      [1, undefined],
    ]);
  });

  it('refuses a report with fewer devices than Slurm allocated, naming the job, the index and the node', () => {
    expect(() => nodeDevices('gpu01', TWO_GPUS, [{ key: 'carol/', jobId: '12', indices: [2] }], 1)).toThrow(
      new NodeDevicesMismatchError('job 12 holds GPU index 2 on gpu01, but nvidia-smi there reports 2 device(s)'),
    );
    expect(() => nodeDevices('gpu01', { at: null, driverVersion: null, gpus: [] }, [{ key: 'a/', jobId: '1', indices: [0] }], 1)).toThrow(/reports 0 device\(s\) \(does a job step see the GPUs\?/);
  });
});
