import type { ResolvedConfig } from '../config/types';
import { LocalProcessSpawner } from './local-process/local-process-spawner';
import { createSpawner } from './registry';

const config: ResolvedConfig['spawner'] = {
  kind: 'local-process',
  cmd: ['jupyterhub-singleuser'],
  args: [],
  environment: {},
  envKeep: ['PATH'],
  ip: '127.0.0.1',
  workDir: '/tmp/clusterhub/{username}',
  defaultUrl: '/lab',
};

describe('createSpawner', () => {
  it('builds the local-process spawner', () => {
    const spawner = createSpawner(config, {});
    expect(spawner).toBeInstanceOf(LocalProcessSpawner);
    expect(spawner.kind).toBe('local-process');
  });

  it('refuses an unknown kind, naming spawner.kind', () => {
    const bad: unknown = { ...config, kind: 'kubernetes' };
    expect(() => createSpawner(bad as ResolvedConfig['spawner'], {})).toThrow(/spawner\.kind.*kubernetes/);
  });
});
