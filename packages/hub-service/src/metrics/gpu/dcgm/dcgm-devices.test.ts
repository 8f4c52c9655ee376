import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { classifySample } from '../classify';
import { deviceKey, MIB } from '../sample';
import { GPU_FIXTURES } from '../testing/fixtures';
import { dcgmDevices } from './dcgm-devices';
import { parseExposition, type ExpositionSample } from './exposition';

/** The FAKE dcgm-exporter outputs (see their README). */
const FAKE_DCGM = path.join(GPU_FIXTURES, 'fake-dcgm');
const AT = Date.UTC(2026, 10, 30, 22, 0, 0);
const POLICY = { thresholdPercent: 10 };

function fixture(name: string): ReturnType<typeof parseExposition> {
  return parseExposition(readFileSync(path.join(FAKE_DCGM, name), 'utf8'));
}

describe('dcgmDevices on the fake exporter output', () => {
  it('reads each whole GPU with its pod, utilisation, memory in MiB and power', () => {
    const { samples, problems } = fixture('node-full.txt');
    expect(problems).toEqual([]);
    const devices = dcgmDevices(samples, AT);
    expect(devices).toEqual([
      {
        hostname: 'gpu-full-1',
        migProfile: null,
        pods: [{ namespace: 'jhub', pod: 'jupyter-alice', container: 'notebook' }],
        sample: {
          at: AT,
          index: 0,
          uuid: 'GPU-fa4e0000-0000-4000-8000-00000000a000',
          name: 'NVIDIA H200',
          utilizationPercent: 97,
          memoryUsedBytes: 40321 * MIB,
          memoryTotalBytes: 143771 * MIB,
          powerWatts: 612.345,
          processes: [],
        },
      },
      expect.objectContaining({ hostname: 'gpu-full-1', pods: [{ namespace: 'jhub', pod: 'jupyter-bob', container: 'notebook' }] }),
    ]);
    expect(devices.map((d) => classifySample(d.sample, POLICY))).toEqual(['busy', 'held-idle']);
  });

  it('reads one sample per MIG instance (GR_ENGINE_ACTIVE × 100), leaves out the MIG parent, and skips bad lines', () => {
    const { samples, problems } = fixture('node-mig.txt');
    expect(problems.map((p) => p.message)).toEqual(['expected , or } after label UUID', 'not a number: "zero"']);
    const devices = dcgmDevices(samples, AT);
    expect(devices.map((d) => [deviceKey(d.sample), d.migProfile, d.pods.map((p) => `${p.namespace}/${p.pod}`)])).toEqual([
      ['GPU-fa4e0000-0000-4000-8000-00000000b001', null, []],
      ['GPU-fa4e0000-0000-4000-8000-00000000b000/1/?', '3g.20gb', ['jhub/jupyter-carol--gpu']],
      ['GPU-fa4e0000-0000-4000-8000-00000000b000/7/?', '1g.5gb', ['jhub/jupyter-dora']],
      ['GPU-fa4e0000-0000-4000-8000-00000000b000/8/?', '1g.5gb', []],
      ['GPU-fa4e0000-0000-4000-8000-00000000b000/9/?', '1g.5gb', ['other-team/jupyter-alice']],
    ]);
    const carol = devices[1]?.sample;
    expect(carol).toMatchObject({ index: 0, gpuInstanceId: 1, name: 'NVIDIA A100-SXM4-40GB', memoryUsedBytes: 15123 * MIB, memoryTotalBytes: 19968 * MIB, powerWatts: null });
    expect(carol?.utilizationPercent).toBeCloseTo(61.8204);
    expect(carol?.computeInstanceId).toBeUndefined();
    // The whole GPU 1 keeps GPU_UTIL (its GR_ENGINE_ACTIVE line is a bad line) and its power.
    expect(devices[0]?.sample).toMatchObject({ index: 1, utilizationPercent: 0, memoryUsedBytes: 0, memoryTotalBytes: 40326 * MIB, powerWatts: 55.913 });
    expect(devices.map((d) => classifySample(d.sample, POLICY))).toEqual(['idle', 'busy', 'held-idle', 'idle', 'busy']);
  });

  it('takes the old label names, lower-case metric names, a shared device, and leaves NaN and unknown metrics out', () => {
    const s = (name: string, value: number, labels: Record<string, string>): ExpositionSample => ({ name, value, labels, timestampMs: null });
    const base = { gpu: '2', UUID: 'GPU-x', Hostname: 'n1' };
    const devices = dcgmDevices(
      [
        s('dcgm_fi_dev_gpu_util', 12, { ...base, pod_name: 'jupyter-ann', pod_namespace: 'jhub', container_name: 'notebook' }),
        s('DCGM_FI_DEV_GPU_UTIL', 12, { ...base, pod: 'jupyter-ben', namespace: 'jhub' }),
        s('DCGM_FI_DEV_FB_USED', Number.NaN, base),
        s('DCGM_FI_DEV_SM_CLOCK', 1400, { ...base, gpu: '3', UUID: 'GPU-y' }),
      ],
      null,
    );
    expect(devices).toHaveLength(1);
    expect(devices[0]?.pods).toEqual([
      { namespace: 'jhub', pod: 'jupyter-ann', container: 'notebook' },
      { namespace: 'jhub', pod: 'jupyter-ben', container: null },
    ]);
    expect(devices[0]?.sample).toMatchObject({ at: null, index: 2, utilizationPercent: 12, memoryUsedBytes: null, memoryTotalBytes: null });
  });

  it('uses GR_ENGINE_ACTIVE for a whole GPU without GPU_UTIL, and FB_TOTAL where exported', () => {
    const labels = { gpu: '0', UUID: 'GPU-z' };
    const [device] = dcgmDevices(
      [
        { name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', value: 0.25, labels, timestampMs: null },
        { name: 'DCGM_FI_DEV_FB_USED', value: 100, labels, timestampMs: null },
        { name: 'DCGM_FI_DEV_FB_TOTAL', value: 1000, labels, timestampMs: null },
      ],
      AT,
    );
    expect(device?.sample).toMatchObject({ utilizationPercent: 25, memoryUsedBytes: 100 * MIB, memoryTotalBytes: 1000 * MIB });
    expect(device?.hostname).toBeNull();
  });
});
