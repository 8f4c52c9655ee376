import type { ResolvedConfig } from '../config/types';
import { LocalProcessSpawner } from './local-process/local-process-spawner';
import { useConfigSandbox } from '../config/testing/config-sandbox';
import { BatchSpawner } from './batch/batch-spawner';
import { PbsDialect } from './batch/pbs/pbs-dialect';
import { SlurmDialect } from './batch/slurm/slurm-dialect';
import { createBatchSpawner, createSpawner } from './registry';

const config: ResolvedConfig['spawner'] = {
  kind: 'local-process',
  cmd: ['jupyterhub-singleuser'],
  args: [],
  environment: {},
  envKeep: ['PATH'],
  ip: '127.0.0.1',
  workDir: '/tmp/clusterhub/{username}',
  createSystemUsers: false,
  systemUserTemplate: '{username}',
  minUid: 1000,
  logDir: '/tmp/clusterhub-logs',
  defaultUrl: '/lab',
};

describe('createSpawner', () => {
  it('builds the local-process spawner', () => {
    const spawner = createSpawner(config, {});
    expect(spawner).toBeInstanceOf(LocalProcessSpawner);
    expect(spawner.kind).toBe('local-process');
  });

  it('runs servers as each user\'s own account when the hub is root, as the hub\'s account otherwise', () => {
    const asRoot = createSpawner({ ...config, createSystemUsers: true }, { uid: 0 });
    const asUser = createSpawner(config, { uid: 1000 });
    expect(asRoot).toBeInstanceOf(LocalProcessSpawner);
    expect((asRoot as LocalProcessSpawner).accountPolicy).toEqual({ mode: 'per-user', template: '{username}', create: true, minUid: 1000 });
    expect((asUser as LocalProcessSpawner).accountPolicy).toEqual({ mode: 'single-person' });
  });

  it('refuses an unknown kind, naming spawner.kind', () => {
    const bad: unknown = { ...config, kind: 'kubernetes' };
    expect(() => createSpawner(bad as ResolvedConfig['spawner'], {})).toThrow(/spawner\.kind.*kubernetes/);
  });
});

describe('createBatchSpawner', () => {
  const sandbox = useConfigSandbox('chcfg-registry-');

  it('builds a batch backend per kind: Slurm, and PBS with its own dialect', async () => {
    const config = sandbox.load('backends:\n  hpc: { kind: slurm, transport: local }\n  pbs: { kind: pbs, transport: local }\n');
    for (const [name, kind, dialect] of [
      ['hpc', 'slurm', SlurmDialect],
      ['pbs', 'pbs', PbsDialect],
    ] as const) {
      const backend = config.backends[name];
      if (!backend) throw new Error(`no backend ${name}`);
      const spawner = createBatchSpawner(backend);
      expect(spawner).toBeInstanceOf(BatchSpawner);
      expect(spawner.kind).toBe(kind);
      expect((spawner as BatchSpawner).opts.dialect).toBeInstanceOf(dialect);
      await spawner.close?.();
    }
  });
});
