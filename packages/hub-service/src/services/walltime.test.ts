import { openStore } from '../store/open';
import type { Store } from '../store/store';
import { Backends } from '../spawners/backends';
import { FakeSpawner } from '../spawners/testing/fake-spawner';
import { silentLogger } from '../observability/logger';
import { HubError } from '../errors';
import { WalltimeService } from './walltime';

let store: Store;
beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
});
afterEach(async () => {
  await store.close();
});

function service(): WalltimeService {
  return new WalltimeService({ store, backends: new Backends(new Map([['default', new FakeSpawner()]])), config: { backends: {} }, clock: () => Date.now(), logger: silentLogger() });
}

async function runningServer(handle: Record<string, unknown>) {
  const user = await store.users.create({ name: 'alice' });
  const server = await store.servers.create({ userId: user.id, name: '' });
  return (await store.servers.update(server.id, { state: 'running', handle })) ?? server;
}

describe('WalltimeService without a batch backend', () => {
  it('refuses an extension with the reason, and gives no notice', async () => {
    const server = await runningServer({ pid: 1, end: new Date(Date.now() + 60_000).toISOString() });
    const err = await service().extend(server).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect(err).toMatchObject({ code: 'walltime_extension_unavailable', message: "This server's backend does not offer walltime extensions." });
    expect(await service().notify()).toBe(0);
  });

  it('refuses a server that does not run', async () => {
    const user = await store.users.create({ name: 'bob' });
    const server = await store.servers.create({ userId: user.id, name: '' });
    await expect(service().extend(server)).rejects.toMatchObject({ code: 'server_not_running' });
  });
});
