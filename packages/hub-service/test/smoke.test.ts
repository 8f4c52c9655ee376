import { startTestHub, type TestHub } from './harness/hub-harness';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

describe('hub smoke (fake spawner, built-in proxy)', () => {
  let t: TestHub;
  const spawner = new FakeSpawner();
  beforeAll(async () => {
    t = await startTestHub({ overrides: { spawner } });
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('answers the API root through the proxy with the version header', async () => {
    const res = await fetch(`${t.publicUrl}/hub/api/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-jupyterhub-version')).toBe('6.1.1');
    expect(await res.json()).toEqual({ version: '6.1.1' });
  });

  it('starts a server with a profile and routes to it', async () => {
    const token = await t.addUser('alice');
    const res = await fetch(`${t.apiUrl}/users/alice/server`, {
      method: 'POST',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_options: { profile: 'cpu-default' } }),
    });
    expect(res.status).toBe(201);
    const user = (await (await fetch(`${t.apiUrl}/users/alice`, { headers: { authorization: `token ${t.adminToken}` } })).json()) as {
      servers: Record<string, { ready: boolean; profile: string; url: string }>;
    };
    expect(user.servers['']).toMatchObject({ ready: true, profile: 'cpu-default', url: '/user/alice/' });
    const proxied = await fetch(`${t.publicUrl}/user/alice/api`);
    expect(proxied.status).toBe(200);
  });
});
