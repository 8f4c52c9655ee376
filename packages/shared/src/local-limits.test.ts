import { DEFAULT_PROFILES } from './profiles';
import { localProcessEnforcement, localProcessLimits, resourceEnforcement } from './local-limits';
import type { ProfileConfig } from './generated/config';

function profile(slug: string): ProfileConfig {
  const found = DEFAULT_PROFILES.find((p) => p.slug === slug);
  if (!found) throw new Error(slug);
  return found;
}

describe('localProcessLimits', () => {
  it('hides GPUs from CPU profiles and limits memory per process', () => {
    expect(localProcessLimits(profile('cpu-default'))).toEqual({ env: { CUDA_VISIBLE_DEVICES: '' }, dataLimitBytes: 2 * 1024 ** 3 });
  });
  it('leaves GPUs visible to GPU profiles', () => {
    expect(localProcessLimits(profile('gpu-1x')).env).toEqual({});
  });
  it('applies no memory limit when the profile has none', () => {
    expect(localProcessLimits({ slug: 'x', displayName: 'x', kind: 'cpu' }).dataLimitBytes).toBeNull();
  });
});

describe('localProcessEnforcement', () => {
  it('says that a whole GPU is not reserved', () => {
    const e = localProcessEnforcement(profile('gpu-1x'));
    expect(e.notApplied.join(' ')).toMatch(/1 GPU\(s\) are not reserved/);
    expect(e.notApplied.join(' ')).toMatch(/CPU limits/);
    expect(e.applied.join(' ')).toMatch(/64Gi/);
  });
  it('says that a MIG slice is not reserved', () => {
    expect(localProcessEnforcement(profile('mig-1g.5gb')).notApplied.join(' ')).toMatch(/MIG slice 1g\.5gb is not reserved/);
  });
  it('lists the hidden GPUs for CPU profiles as applied', () => {
    expect(localProcessEnforcement(profile('cpu-default')).applied.join(' ')).toMatch(/CUDA_VISIBLE_DEVICES/);
  });
  it('is null for backends that apply profiles in full', () => {
    expect(resourceEnforcement('kubernetes', profile('gpu-1x'))).toBeNull();
    expect(resourceEnforcement('local-process', profile('gpu-1x'))).not.toBeNull();
  });
});
