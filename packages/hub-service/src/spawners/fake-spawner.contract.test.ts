import { describeSpawnerContract } from './spawner.contract';
import type { SpawnRequest } from './spawner';
import { FakeServerRegistry } from './testing/fake-server-registry';
import { FakeSpawner } from './testing/fake-spawner';

let counter = 0;

function makeRequest(): SpawnRequest {
  counter += 1;
  const name = `user${counter}`;
  return {
    user: { id: counter, name, groups: [] },
    server: { id: counter, name: '' },
    profile: { slug: 'cpu', displayName: 'CPU', kind: 'cpu' },
    userOptions: {},
    prefix: `/user/${name}/`,
    env: { JUPYTERHUB_USER: name },
  };
}

// One registry for all instances: a "restarted hub" (a new FakeSpawner) sees the servers.
const registry = new FakeServerRegistry();
afterAll(() => registry.closeAll());

describeSpawnerContract('FakeSpawner', () => new FakeSpawner({ registry }), makeRequest, {
  leftovers: (request) => Promise.resolve(registry.live().filter((s) => s.request.user.name === request.user.name).length),
  killOutOfBand: async (handle) => {
    const server = registry.list().find((s) => s.id === handle['fakeServerId']);
    if (server) await new FakeSpawner({ registry }).crash(server.request.user.name, server.request.server.name);
  },
});
