import { sleep } from '../abort';
import { SpawnError } from '../spawner';
import type { SpawnContext, SpawnRequest } from '../spawner';
import { FakeSpawner } from './fake-spawner';
import type { FakeBehaviour } from './fake-spawner';

function request(name = 'alice', server = ''): SpawnRequest {
  return {
    user: { id: 1, name, groups: [] },
    server: { id: 1, name: server },
    profile: { slug: 'cpu', displayName: 'CPU', kind: 'cpu' },
    userOptions: {},
    prefix: server ? `/user/${name}/${server}/` : `/user/${name}/`,
    env: {},
  };
}

function context(signal = new AbortController().signal): SpawnContext {
  return { signal, onProgress: () => undefined };
}

describe('FakeSpawner', () => {
  let spawner: FakeSpawner | undefined;
  afterEach(async () => {
    await spawner?.close();
    spawner = undefined;
  });

  function make(behaviour: FakeBehaviour, version?: string): FakeSpawner {
    spawner = new FakeSpawner({ behaviour: () => behaviour, ...(version ? { version } : {}) });
    return spawner;
  }

  it('ok: serves 200 with X-JupyterHub-Version on any path and records the request', async () => {
    const fake = make({ kind: 'ok' }, '5.3.0');
    const req = request();
    const { target } = await fake.start(req, context());
    const response = await fetch(`${target}/user/alice/any/path?x=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-jupyterhub-version')).toBe('5.3.0');
    expect(fake.requests).toEqual([req]);
    expect(fake.running()).toHaveLength(1);
  });

  it('chooses the behaviour from the request', async () => {
    spawner = new FakeSpawner({ behaviour: (r) => (r.user.name === 'bob' ? { kind: 'fail' } : { kind: 'ok' }) });
    await expect(spawner.start(request('alice'), context())).resolves.toHaveProperty('target');
    await expect(spawner.start(request('bob'), context())).rejects.toBeInstanceOf(SpawnError);
  });

  it('fail: rejects with a SpawnError carrying the scripted message', async () => {
    const fake = make({ kind: 'fail', message: 'quota exceeded on the cluster' });
    await expect(fake.start(request(), context())).rejects.toThrow(new SpawnError('quota exceeded on the cluster'));
    expect(fake.running()).toHaveLength(0);
  });

  it('slow: starts after the delay; aborted during the delay it rejects and starts nothing', async () => {
    const fake = make({ kind: 'slow', delayMs: 50 });
    await expect(fake.start(request(), context())).resolves.toHaveProperty('target');
    const controller = new AbortController();
    const pending = fake.start(request('bob'), context(controller.signal));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.running().map((s) => s.request.user.name)).toEqual(['alice']);
  });

  it('never: stays pending until aborted, then rejects with an AbortError', async () => {
    const fake = make({ kind: 'never' });
    const controller = new AbortController();
    let settled = false;
    const pending = fake.start(request(), context(controller.signal)).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    controller.abort(new Error('start timeout'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', cause: new Error('start timeout') });
    expect(fake.running()).toHaveLength(0);
  });

  it('crash-after-start: answers the readiness check, then goes away and polls stopped', async () => {
    const fake = make({ kind: 'crash-after-start' });
    const { handle, target } = await fake.start(request(), context());
    expect((await fake.poll(handle)).status).toBe('running');
    expect((await fetch(`${target}/user/alice/`)).status).toBe(200);
    // The server goes away once the response has gone out: wait for that (bounded).
    for (let i = 0; i < 100 && (await fake.poll(handle)).status === 'running'; i += 1) await sleep(10);
    expect(await fake.poll(handle)).toMatchObject({ status: 'stopped', exitCode: 1 });
    await expect(fetch(`${target}/user/alice/`)).rejects.toThrow();
    await expect(fake.stop(handle, { timeoutSeconds: 1 })).resolves.toBeUndefined();
  });

  it('unknown: the server runs but poll answers unknown with the message', async () => {
    const fake = make({ kind: 'unknown', message: 'scheduler unreachable' });
    const { handle, target } = await fake.start(request(), context());
    expect(await fake.poll(handle)).toEqual({ status: 'unknown', message: 'scheduler unreachable' });
    expect((await fetch(target)).status).toBe(200);
    await fake.stop(handle, { timeoutSeconds: 1 });
    expect((await fake.poll(handle)).status).toBe('stopped');
  });

  it('crash(): a named server goes away on demand', async () => {
    const fake = make({ kind: 'ok' });
    const main = await fake.start(request('alice'), context());
    const gpu = await fake.start(request('alice', 'gpu'), context());
    expect(await fake.crash('alice', 'gpu')).toBe(true);
    expect(await fake.crash('alice', 'gpu')).toBe(false);
    expect((await fake.poll(gpu.handle)).status).toBe('stopped');
    expect((await fake.poll(main.handle)).status).toBe('running');
  });

  it('poll of a handle it never issued says stopped', async () => {
    const fake = make({ kind: 'ok' });
    expect(await fake.poll({})).toEqual({ status: 'stopped', exitCode: null });
    expect(await fake.poll({ fakeServerId: 'nope' })).toEqual({ status: 'stopped', exitCode: null });
    await expect(fake.stop({ fakeServerId: 'nope' }, { timeoutSeconds: 1 })).resolves.toBeUndefined();
  });
});
