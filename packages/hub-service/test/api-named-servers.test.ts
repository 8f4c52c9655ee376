/**
 * JupyterHub 6.0's named-server management without starting (protocol.md §5): PUT creates a
 * stopped server with its options, PATCH renames it or changes its display name and options;
 * running servers and bad input are refused with stable codes and leave the store unchanged.
 */
import { startTestHub, type TestHub } from './harness/hub-harness';
import { apiCall } from './harness/api-call';
import { snapshotStore } from './harness/store-snapshot';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

describe('PUT and PATCH /users/:name/servers/:server', () => {
  let t: TestHub;
  let alice: string;
  const spawner = new FakeSpawner();
  const url = (path: string): string => `${t.apiUrl}${path}`;

  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner } });
    alice = await t.addUser('alice');
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('PUT creates a stopped named server with display name and options', async () => {
    const res = await apiCall(url('/users/alice/servers/gpu'), {
      method: 'PUT',
      token: alice,
      body: { display_name: 'My GPU box', user_options: { profile: 'mig-1g.5gb' } },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'gpu', display_name: 'My GPU box', stopped: true, ready: false, profile: 'mig-1g.5gb', user_options: { profile: 'mig-1g.5gb' } });
    expect(spawner.requests).toHaveLength(0);
  });

  it('PUT of an existing server is 409 and changes nothing', async () => {
    const before = await snapshotStore(t.hub.context.store);
    const res = await apiCall(url('/users/alice/servers/gpu'), { method: 'PUT', token: alice, body: {} });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ code: 'conflict' });
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it.each([
    ['an invalid name', '/users/alice/servers/Bad_Name', {}, 400, 'invalid_server_name'],
    ['an unknown profile', '/users/alice/servers/other', { user_options: { profile: 'nope' } }, 400, 'unknown_profile'],
  ])('PUT with %s is refused and changes nothing', async (_label, path, body, status, code) => {
    const before = await snapshotStore(t.hub.context.store);
    const res = await apiCall(url(path), { method: 'PUT', token: alice, body });
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ code });
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('a started PUT server uses its stored profile', async () => {
    const start = await apiCall(url('/users/alice/servers/gpu'), { method: 'POST', token: alice });
    expect(start.status).toBe(201);
    expect(spawner.requests.at(-1)?.profile.slug).toBe('mig-1g.5gb');
  });

  it('PATCH of a running server is refused', async () => {
    const before = await snapshotStore(t.hub.context.store);
    const res = await apiCall(url('/users/alice/servers/gpu'), { method: 'PATCH', token: alice, body: { display_name: 'x' } });
    expect(res.status).toBe(400);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
    expect((await apiCall(url('/users/alice/servers/gpu'), { method: 'DELETE', token: alice })).status).toBe(204);
  });

  it('PATCH renames a stopped server and changes its options', async () => {
    const res = await apiCall(url('/users/alice/servers/gpu'), {
      method: 'PATCH',
      token: alice,
      body: { name: 'gpu-two', display_name: 'Two', user_options: { profile: 'cpu-default' } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: 'gpu-two', display_name: 'Two', profile: 'cpu-default' });
    expect((await apiCall(url('/users/alice/servers/gpu'), { token: alice })).status).toBe(404);
    expect((await apiCall(url('/users/alice/servers/gpu-two'), { token: alice })).status).toBe(200);
  });

  it.each([
    ['no fields', {}, 400, 'validation_failed'],
    ['an unknown field', { colour: 'red' }, 400, 'unknown_field'],
    ['an invalid new name', { name: 'Nope!' }, 400, 'invalid_server_name'],
  ])('PATCH with %s is refused and changes nothing', async (_label, body, status, code) => {
    const before = await snapshotStore(t.hub.context.store);
    const res = await apiCall(url('/users/alice/servers/gpu-two'), { method: 'PATCH', token: alice, body });
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ code });
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('PATCH to a taken name is 409', async () => {
    expect((await apiCall(url('/users/alice/servers/taken'), { method: 'PUT', token: alice, body: {} })).status).toBe(201);
    const before = await snapshotStore(t.hub.context.store);
    const res = await apiCall(url('/users/alice/servers/gpu-two'), { method: 'PATCH', token: alice, body: { name: 'taken' } });
    expect(res.status).toBe(409);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it("another user's token cannot create servers for alice", async () => {
    const bob = await t.addUser('bob');
    const before = await snapshotStore(t.hub.context.store);
    const res = await apiCall(url('/users/alice/servers/sneaky'), { method: 'PUT', token: bob, body: {} });
    expect(res.status).toBe(404);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });
});
