import { useConfigSandbox } from './testing/config-sandbox';

const sandbox = useConfigSandbox('chcfg-pbs-');

const onBackend = (kind: string, profile: string, profileKind = 'cpu'): string =>
  `backends:\n  hpc: { kind: ${kind} }\nprofiles:\n  - { slug: p, displayName: P, kind: ${profileKind}, backend: hpc, ${profile} }\n`;

describe('profiles on a pbs backend', () => {
  it('refuse, naming the key, what PBS cannot ask for', () => {
    expect(sandbox.problemsOf(onBackend('pbs', 'slurm: { qos: normal, reservation: maint, constraint: a100, choices: { qos: any, reservation: [maint], account: any } }'))).toEqual([
      'config error at profiles[0].slurm.qos: a pbs backend has no qos; remove it',
      'config error at profiles[0].slurm.reservation: a pbs backend has no reservation; remove it',
      'config error at profiles[0].slurm.constraint: a pbs backend has no constraint; remove it',
      'config error at profiles[0].slurm.choices.qos: a pbs backend has no qos to choose; remove it',
      'config error at profiles[0].slurm.choices.reservation: a pbs backend has no reservation to choose; remove it',
    ]);
    expect(sandbox.problemsOf(onBackend('pbs', 'resources: { gpus: { count: 1, type: a100 } }', 'gpu'))).toEqual([
      'config error at profiles[0].resources.gpus.type: a pbs backend asks only for a number of GPUs, not a GPU type; remove the type',
    ]);
    expect(sandbox.problemsOf(onBackend('pbs', 'resources: { mig: { profile: 1g.5gb } }', 'mig'))).toEqual(['config error at profiles[0].resources.mig: a pbs backend cannot ask for MIG slices']);
    expect(sandbox.problemsOf(onBackend('pbs', 'slurm: { gres: "gpu:a100:1" }'))).toEqual([
      'config error at profiles[0].slurm.gres: a pbs backend asks only for a number of GPUs (gpu:N), not "gpu:a100:1"',
    ]);
  });

  it('accept a queue, an account, GPUs by number and walltime choices; the same settings stay fine on Slurm', () => {
    const gpus = 'resources: { gpus: { count: 2 }, walltime: "01:00:00" }, slurm: { partition: workq, account: physics, choices: { account: any, partition: [workq], maxWalltime: "02:00:00" } }';
    expect(sandbox.load(onBackend('pbs', gpus, 'gpu')).profiles[0]?.backend).toBe('hpc');
    expect(sandbox.load(onBackend('pbs', 'slurm: { gres: "gpu:2" }')).profiles[0]?.backend).toBe('hpc');
    expect(sandbox.load(onBackend('slurm', 'resources: { gpus: { count: 1, type: a100 } }, slurm: { qos: normal, choices: { qos: any } }', 'gpu')).profiles[0]?.backend).toBe('hpc');
  });
});
