import { FAKE_MIG, H200, readCapture } from './testing/fixtures';
import { parseGpuList } from './list';
import { NvidiaSmiParseError } from './values';

describe('parseGpuList', () => {
  it('reads the real H200 list', () => {
    expect(parseGpuList(readCapture(H200, 'list.txt').output)).toEqual([
      { index: 0, name: 'NVIDIA H200', uuid: 'GPU-a6b9ae15-a075-db5c-a1f1-4ab0b402df48', migDevices: [] },
    ]);
  });

  it('reads MIG device lines under their GPU (fake MIG output)', () => {
    const [mig, whole] = parseGpuList(readCapture(FAKE_MIG, 'list.txt').output);
    expect(mig?.migDevices).toEqual([
      { index: 0, profile: '3g.20gb', uuid: 'MIG-11111111-2222-5333-8444-555555555501' },
      { index: 1, profile: '1g.5gb', uuid: 'MIG-11111111-2222-5333-8444-555555555509' },
      { index: 2, profile: '1g.5gb', uuid: 'MIG-11111111-2222-5333-8444-555555555510' },
    ]);
    expect(whole).toMatchObject({ index: 1, migDevices: [] });
  });

  it('refuses other text', () => {
    expect(() => parseGpuList('No devices were found')).toThrow(NvidiaSmiParseError);
  });
});
