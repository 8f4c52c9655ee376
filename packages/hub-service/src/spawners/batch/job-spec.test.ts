import type { ProfileConfig } from '@clusterhub/shared';
import { HubError } from '../../errors';
import { resolveJobSpec } from './job-spec';

const gpuProfile: ProfileConfig = {
  slug: 'gpu',
  displayName: 'One A100',
  kind: 'gpu',
  resources: { cpu: { guarantee: 1, limit: 3.5 }, memory: { guarantee: '4Gi', limit: '16G' }, gpus: { count: 1, type: 'a100' }, walltime: '04:00:00' },
  slurm: {
    partition: 'gpu',
    account: 'proj1',
    constraint: 'a100&ib',
    prologue: ['module load Python/3.11'],
    choices: { partition: ['gpu', 'gpu-long'], account: 'any', maxWalltime: '1-00:00:00' },
  },
};

/** Runs resolveJobSpec and returns the HubError it throws (fails when it does not throw one). */
function refusal(profile: ProfileConfig, options: Record<string, unknown>): HubError {
  try {
    resolveJobSpec(profile, options);
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('resolveJobSpec: the profile alone', () => {
  it('takes partition, account, constraint, walltime, CPUs (ceiling of the limit), memory in MiB, gres and prologue', () => {
    expect(resolveJobSpec(gpuProfile, {})).toEqual({
      partition: 'gpu',
      account: 'proj1',
      constraint: 'a100&ib',
      walltime: '04:00:00',
      walltimeSeconds: 14400,
      cpus: 4,
      memoryMiB: 15259, // 16 GB = 16e9 bytes, rounded up to MiB
      gres: 'gpu:a100:1',
      prologue: ['module load Python/3.11'],
    });
  });

  it('falls back to the CPU guarantee, then 1; the memory guarantee; no walltime, no gres', () => {
    const cpu: ProfileConfig = { slug: 'cpu', displayName: 'CPU', kind: 'cpu', resources: { cpu: { guarantee: 0.5 }, memory: { guarantee: '512Mi' } } };
    expect(resolveJobSpec(cpu, {})).toEqual({ cpus: 1, memoryMiB: 512, prologue: [] });
    expect(resolveJobSpec({ slug: 'bare', displayName: 'Bare', kind: 'cpu' }, {})).toEqual({ cpus: 1, prologue: [] });
  });

  it('derives gres from whole GPUs without a type and from MIG slices; slurm.gres wins', () => {
    expect(resolveJobSpec({ slug: 'g', displayName: 'G', kind: 'gpu', resources: { gpus: { count: 2 } } }, {}).gres).toBe('gpu:2');
    expect(resolveJobSpec({ slug: 'm', displayName: 'M', kind: 'mig', resources: { mig: { profile: '1g.5gb' } } }, {}).gres).toBe('gpu:1g.5gb:1');
    expect(resolveJobSpec({ slug: 'm', displayName: 'M', kind: 'mig', resources: { mig: { profile: '2g.10gb', count: 2 } } }, {}).gres).toBe('gpu:2g.10gb:2');
    expect(resolveJobSpec({ ...gpuProfile, slurm: { gres: 'gpu:h100:1,shard:2' } }, {}).gres).toBe('gpu:h100:1,shard:2');
  });

  it('refuses a profile value it cannot use, naming the key', () => {
    expect(() => resolveJobSpec({ slug: 'g', displayName: 'G', kind: 'gpu', resources: { gpus: { count: 1, type: 'a100 --uid=0' } } }, {})).toThrow(/profiles\[g\]\.resources\.gpus\.type/);
    expect(() => resolveJobSpec({ slug: 'w', displayName: 'W', kind: 'cpu', resources: { walltime: '99999-00:00:00' } }, {})).toThrow(/profiles\[w\]\.resources\.walltime/);
  });

  it('ignores option keys the backend does not use', () => {
    expect(resolveJobSpec(gpuProfile, { profile: 'gpu', image: 'x;rm -rf /', cpus: 64, constraint: 'evil' })).toEqual(resolveJobSpec(gpuProfile, {}));
  });
});

describe('resolveJobSpec: user choices', () => {
  it('takes a listed partition, any well-formed account and a walltime up to the maximum', () => {
    const spec = resolveJobSpec(gpuProfile, { partition: 'gpu-long', account: 'other_proj.2', walltime: '1-00:00:00' });
    expect(spec).toMatchObject({ partition: 'gpu-long', account: 'other_proj.2', walltime: '1-00:00:00', walltimeSeconds: 86400 });
    const twoDays: ProfileConfig = { ...gpuProfile, slurm: { choices: { maxWalltime: '2-00:00:00' } } };
    expect(resolveJobSpec(twoDays, { walltime: '36:00:00' })).toMatchObject({ walltime: '1-12:00:00', walltimeSeconds: 129600 });
  });

  it('treats an empty string as "not chosen"', () => {
    expect(resolveJobSpec(gpuProfile, { partition: '', walltime: '' })).toEqual(resolveJobSpec(gpuProfile, {}));
  });

  it('refuses a value not in the list, naming the field and the offered values', () => {
    const err = refusal(gpuProfile, { partition: 'debug' });
    expect(err).toMatchObject({ code: 'invalid_user_option', status: 400, options: { details: { field: 'partition' } } });
    expect(err.message).toMatch(/'partition'.*'debug' is not offered.*gpu, gpu-long/);
  });

  it('refuses a field the profile does not let the user choose', () => {
    expect(refusal(gpuProfile, { qos: 'high' }).message).toMatch(/'qos'.*cannot be chosen/);
    expect(refusal(gpuProfile, { reservation: 'maint' }).options.details).toEqual({ field: 'reservation' });
    const fixed: ProfileConfig = { ...gpuProfile, slurm: { partition: 'gpu' } };
    expect(refusal(fixed, { walltime: '01:00:00' }).message).toMatch(/'walltime'.*cannot be chosen/);
  });

  it('refuses a walltime above the maximum or of zero', () => {
    expect(refusal(gpuProfile, { walltime: '1-00:00:01' }).message).toMatch(/longer than the most this profile allows \(1-00:00:00\)/);
    expect(refusal(gpuProfile, { walltime: '00:00:00' }).message).toMatch(/longer than 00:00:00/);
  });
});

describe('resolveJobSpec: injection attempts are refused before anything else', () => {
  const attempts: Array<[string, unknown]> = [
    ['semicolon', 'gpu;rm -rf ~'],
    ['newline', 'gpu\n#SBATCH --uid=0'],
    ['carriage return', 'gpu\r#SBATCH --uid=0'],
    ['an #SBATCH line', '#SBATCH --uid=0'],
    ['command substitution', '$(id)'],
    ['backticks', '`id`'],
    ['single quote', "gpu'"],
    ['double quote', 'gpu"'],
    ['space', 'gpu --uid=0'],
    ['leading dash (an option)', '--uid=0'],
    ['NUL', 'gpu\u0000'],
    ['10 kB', 'g'.repeat(10_240)],
    ['Cyrillic lookalike', 'gр\u0443'],
    ['fullwidth letters', 'ｇｐｕ'],
    ['a number', 7],
    ['a boolean', true],
    ['null', null],
    ['an array', ['gpu']],
    ['an object', { toString: 'gpu' }],
  ];
  it.each(attempts)('partition with %s → 400 naming the field', (_label, value) => {
    // `account` is `any` and `partition` a list: the grammar check comes first for both.
    for (const field of ['partition', 'account']) {
      const err = refusal(gpuProfile, { [field]: value });
      expect(err.code).toBe('invalid_user_option');
      expect(err.options.details).toEqual({ field });
      expect(err.message).toContain(`'${field}'`);
      expect(err.message.length).toBeLessThan(300); // the bad value is never echoed back
    }
  });

  const walltimes: Array<[string, unknown]> = [
    ['a semicolon', '1-00:00:00;id'],
    ['an #SBATCH line after a newline', '01:00:00\n#SBATCH --uid=0'],
    ['command substitution', '$(date)'],
    ['single digits', '1:2:3'],
    ['60 minutes', '01:60:00'],
    ['a fullwidth digit', '１:00:00'],
    ['10 kB', '0'.repeat(10_000)],
    ['a number', 3600],
  ];
  it.each(walltimes)(
    'walltime with %s → 400 naming the field',
    (_label, value) => {
      const err = refusal(gpuProfile, { walltime: value });
      expect(err.options.details).toEqual({ field: 'walltime' });
    },
  );

  it('checks the grammar before the choices: a malformed value for a fixed field says malformed', () => {
    expect(refusal(gpuProfile, { qos: 'a;b' }).message).toMatch(/must be a name/);
  });
});
