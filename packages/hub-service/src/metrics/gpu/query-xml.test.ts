import { FAKE_MIG, H200, readCapture } from './testing/fixtures';
import { holdableDevices, parseQueryXml } from './query-xml';
import { deviceKey, MIB } from './sample';
import { NvidiaSmiParseError } from './values';

const UUID = 'GPU-a6b9ae15-a075-db5c-a1f1-4ab0b402df48';

describe('parseQueryXml on the real H200 captures (MIG disabled)', () => {
  it.each([
    ['query-idle-xml.txt', Date.UTC(2026, 10, 30, 15, 14, 4), 0, 79.07, []],
    ['query-busy-xml.txt', Date.UTC(2026, 10, 30, 15, 14, 14), 8977, 122.08, [{ pid: 462, usedMemoryBytes: 8968 * MIB, name: 'python3' }]],
    ['query-after-xml.txt', Date.UTC(2026, 10, 30, 15, 14, 32), 0, 79.71, []],
  ])('%s: one GPU, its memory, power and processes', (file, at, usedMib, watts, processes) => {
    const capture = readCapture(H200, file);
    expect(capture.rc).toBe(0);
    const report = parseQueryXml(capture.output);
    expect(report.at).toBe(at);
    expect(report.driverVersion).toBe('580.159.04');
    expect(report.gpus).toHaveLength(1);
    const [gpu] = report.gpus;
    expect(gpu?.migEnabled).toBe(false);
    expect(gpu?.migDevices).toEqual([]);
    expect(gpu?.sample).toEqual({
      at,
      index: 0,
      uuid: UUID,
      name: 'NVIDIA H200',
      // The "busy" XML was taken while the load held its memory before computing: 0 %.
      utilizationPercent: 0,
      memoryUsedBytes: usedMib * MIB,
      memoryTotalBytes: 143771 * MIB,
      powerWatts: watts,
      processes,
    });
    expect(holdableDevices(report)).toEqual([gpu?.sample]);
  });
});

describe('parseQueryXml on the fake MIG-enabled output', () => {
  const report = parseQueryXml(readCapture(FAKE_MIG, 'query-xml.txt').output);

  it('reads the MIG devices of the GPU in MIG mode, each with its own processes', () => {
    const [mig, whole] = report.gpus;
    expect(mig?.migEnabled).toBe(true);
    expect(mig?.sample.utilizationPercent).toBeNull();
    expect(mig?.sample.processes).toEqual([]);
    expect(mig?.migDevices.map((d) => [d.gpuInstanceId, d.computeInstanceId, d.memoryUsedBytes, d.memoryTotalBytes, d.processes.map((p) => p.pid)])).toEqual([
      [1, 0, 3015 * MIB, 19968 * MIB, [4101]],
      [9, 0, 1215 * MIB, 4864 * MIB, [4102]],
      [10, 0, 1 * MIB, 4864 * MIB, []],
    ]);
    // nvidia-smi reports no utilisation for a MIG device: unknown, never 0.
    expect(mig?.migDevices.every((d) => d.utilizationPercent === null && d.uuid === mig.sample.uuid)).toBe(true);
    expect(whole?.migEnabled).toBe(false);
    expect(whole?.sample).toMatchObject({ index: 1, utilizationPercent: 87, powerWatts: 301.55, processes: [{ pid: 4103, usedMemoryBytes: 11986 * MIB }] });
  });

  it('holdable devices: the MIG devices, and the GPU without MIG; keys tell them apart', () => {
    const keys = holdableDevices(report).map(deviceKey);
    expect(keys).toEqual([
      'GPU-0f0e0d0c-fa4e-0000-0000-00000000a100/1/0',
      'GPU-0f0e0d0c-fa4e-0000-0000-00000000a100/9/0',
      'GPU-0f0e0d0c-fa4e-0000-0000-00000000a100/10/0',
      'GPU-0f0e0d0c-fa4e-0000-0000-00000000a101',
    ]);
  });
});

describe('parseQueryXml on bad input', () => {
  it('refuses text that is not an nvidia-smi report', () => {
    expect(() => parseQueryXml('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.')).toThrow(NvidiaSmiParseError);
    expect(() => parseQueryXml('<other/>')).toThrow(/nvidia_smi_log/);
    expect(() => parseQueryXml('<nvidia_smi_log><gpu><fb_memory_usage><used>lots</used></fb_memory_usage></gpu></nvidia_smi_log>')).toThrow(
      /not a quantity/,
    );
  });

  it('reads a report with no GPU as none', () => {
    expect(parseQueryXml('<nvidia_smi_log><attached_gpus>0</attached_gpus></nvidia_smi_log>').gpus).toEqual([]);
  });
});
