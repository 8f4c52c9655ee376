import type { ProfileConfig } from './generated/config';
import {
  DEFAULT_PROFILES,
  describeResources,
  findProfile,
  parseQuantity,
  profileAllowed,
  profileEnvironment,
} from './profiles';

function profile(overrides: Partial<ProfileConfig> & Pick<ProfileConfig, 'slug'>): ProfileConfig {
  return { displayName: overrides.slug, kind: 'cpu', ...overrides };
}

describe('DEFAULT_PROFILES', () => {
  it('is the seed cluster: one default CPU profile, two MIG slices, one and two whole GPUs', () => {
    expect(DEFAULT_PROFILES.map((p) => [p.slug, p.kind, p.pricePerHour])).toEqual([
      ['cpu-default', 'cpu', 1],
      ['mig-1g.5gb', 'mig', 4],
      ['mig-2g.10gb', 'mig', 8],
      ['gpu-1x', 'gpu', 30],
      ['gpu-2x', 'gpu', 60],
    ]);
    expect(DEFAULT_PROFILES.filter((p) => p.default === true).map((p) => p.slug)).toEqual(['cpu-default']);
    expect(DEFAULT_PROFILES.every((p) => Array.isArray(p.groups) && p.groups.length === 0)).toBe(true);
  });

  it('describes MIG and GPU resources', () => {
    const byslug = new Map(DEFAULT_PROFILES.map((p) => [p.slug, p]));
    expect(byslug.get('cpu-default')?.resources).toEqual({
      cpu: { guarantee: 0.5, limit: 2 },
      memory: { guarantee: '1Gi', limit: '2Gi' },
    });
    expect(byslug.get('mig-1g.5gb')?.resources?.mig).toEqual({ profile: '1g.5gb', count: 1 });
    expect(byslug.get('mig-2g.10gb')?.resources?.mig).toEqual({ profile: '2g.10gb', count: 1 });
    expect(byslug.get('gpu-1x')?.resources?.gpus).toEqual({ count: 1, type: 'a100' });
    expect(byslug.get('gpu-2x')?.resources?.gpus).toEqual({ count: 2, type: 'a100' });
  });

  it('cannot be modified', () => {
    expect(Object.isFrozen(DEFAULT_PROFILES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_PROFILES[0]?.resources?.cpu)).toBe(true);
    expect(() => {
      (DEFAULT_PROFILES as ProfileConfig[]).push(profile({ slug: 'x' }));
    }).toThrow(TypeError);
  });
});

describe('parseQuantity', () => {
  it.each([
    ['0', 0],
    ['1024', 1024],
    ['1K', 1000],
    ['1Ki', 1024],
    ['2M', 2_000_000],
    ['2Mi', 2 * 1024 ** 2],
    ['1G', 1e9],
    ['1Gi', 1024 ** 3],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['1T', 1e12],
    ['1Ti', 1024 ** 4],
    ['0.5K', 500],
    ['1.0001K', 1000],
  ])('%s is %d bytes', (q, bytes) => {
    expect(parseQuantity(q)).toBe(bytes);
  });

  it.each(['', 'Gi', '1 Gi', '1gi', '1GB', '-1', '1e3', '.5G', '1.Gi'])('rejects %j', (q) => {
    expect(() => parseQuantity(q)).toThrow(RangeError);
  });
});

describe('findProfile', () => {
  const a = profile({ slug: 'a' });
  const b = profile({ slug: 'b', default: true });
  const c = profile({ slug: 'c' });

  it('finds a profile by slug', () => {
    expect(findProfile([a, b, c], 'c')).toBe(c);
  });

  it('gives null for an unknown slug, even when a default exists', () => {
    expect(findProfile([a, b, c], 'zzz')).toBeNull();
  });

  it('gives the default profile when no slug is given', () => {
    expect(findProfile([a, b, c], undefined)).toBe(b);
    expect(findProfile([a, b, c], null)).toBe(b);
    expect(findProfile([a, b, c], '')).toBe(b);
  });

  it('gives the first profile when none is the default', () => {
    expect(findProfile([a, c], undefined)).toBe(a);
  });

  it('gives null when there are no profiles', () => {
    expect(findProfile([], undefined)).toBeNull();
    expect(findProfile([], 'a')).toBeNull();
  });
});

describe('profileAllowed', () => {
  const open = profile({ slug: 'open', groups: [] });
  const unset = profile({ slug: 'unset' });
  const gpu = profile({ slug: 'gpu', kind: 'gpu', groups: ['ml', 'vision'] });

  it('lets everyone use a profile without groups', () => {
    expect(profileAllowed(open, { admin: false, groups: [] })).toBe(true);
    expect(profileAllowed(unset, { admin: false, groups: [] })).toBe(true);
  });

  it('lets members of a listed group use it', () => {
    expect(profileAllowed(gpu, { admin: false, groups: ['students', 'vision'] })).toBe(true);
  });

  it('refuses users in none of the groups', () => {
    expect(profileAllowed(gpu, { admin: false, groups: ['students'] })).toBe(false);
    expect(profileAllowed(gpu, { admin: false, groups: [] })).toBe(false);
  });

  it('always lets admins use it', () => {
    expect(profileAllowed(gpu, { admin: true, groups: [] })).toBe(true);
  });
});

describe('profileEnvironment', () => {
  it('sets the resource variables as JupyterHub does, then the profile variables', () => {
    const cpu = DEFAULT_PROFILES[0];
    if (!cpu) throw new Error('no default profiles');
    expect(profileEnvironment(cpu)).toEqual({
      CPU_LIMIT: '2.0',
      CPU_GUARANTEE: '0.5',
      MEM_LIMIT: String(2 * 1024 ** 3),
      MEM_GUARANTEE: String(1024 ** 3),
      CLUSTERHUB_PROFILE: 'cpu-default',
      CLUSTERHUB_PROFILE_KIND: 'cpu',
    });
  });

  it('leaves out resources the profile does not set', () => {
    expect(profileEnvironment(profile({ slug: 'bare', kind: 'mig' }))).toEqual({
      CLUSTERHUB_PROFILE: 'bare',
      CLUSTERHUB_PROFILE_KIND: 'mig',
    });
  });

  it('lets the profile environment override computed values', () => {
    const p = profile({
      slug: 'custom',
      resources: { cpu: { limit: 4 } },
      environment: { CPU_LIMIT: '3', EXTRA: 'yes' },
    });
    expect(profileEnvironment(p)).toEqual({
      CPU_LIMIT: '3',
      EXTRA: 'yes',
      CLUSTERHUB_PROFILE: 'custom',
      CLUSTERHUB_PROFILE_KIND: 'cpu',
    });
  });
});

describe('describeResources', () => {
  it('summarises the seed profiles', () => {
    expect(DEFAULT_PROFILES.map(describeResources)).toEqual([
      '0.5–2 CPU · 1–2 GiB',
      'MIG 1g.5gb · 2–4 CPU · 8–16 GiB',
      'MIG 2g.10gb · 2–4 CPU · 8–16 GiB',
      '1× A100 GPU · 8 CPU · 32–64 GiB',
      '2× A100 GPU · 8 CPU · 32–64 GiB',
    ]);
  });

  it('handles mixed units, one-sided ranges, counts and walltime', () => {
    const p = profile({
      slug: 'x',
      kind: 'mig',
      resources: {
        mig: { profile: '3g.20gb', count: 2 },
        cpu: { limit: 1.25 },
        memory: { guarantee: '512Mi', limit: '1.5Gi' },
        walltime: '04:00:00',
      },
    });
    expect(describeResources(p)).toBe('2× MIG 3g.20gb · up to 1.3 CPU · 512 MiB–1.5 GiB · max 04:00:00');
    expect(describeResources(profile({ slug: 'g', kind: 'gpu', resources: { gpus: { count: 1 } } }))).toBe('1× GPU');
    expect(describeResources(profile({ slug: 'm', resources: { memory: { guarantee: '100' } } }))).toBe('100 B');
  });

  it('names the kind when there are no resources', () => {
    expect(describeResources(profile({ slug: 'c' }))).toBe('CPU');
    expect(describeResources(profile({ slug: 'm', kind: 'mig' }))).toBe('MIG slice');
    expect(describeResources(profile({ slug: 'g', kind: 'gpu' }))).toBe('GPU');
  });
});
