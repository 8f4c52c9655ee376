/** `GET /hub/api/services[/:name]`: configured services, keyed by name as upstream answers (protocol.md §5, pitfall 13). */
import { startTestHub, type TestHub } from './harness/hub-harness';
import { apiCall } from './harness/api-call';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

describe('GET /services', () => {
  let t: TestHub;
  const spawner = new FakeSpawner();
  const token = 'c'.repeat(32);
  beforeAll(async () => {
    t = await startTestHub({ config: { services: [{ name: 'idle-culler', apiToken: token, scopes: ['list:users'] }] }, overrides: { spawner } });
  });
  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('lists configured services as an object keyed by name (admins)', async () => {
    const res = await apiCall(`${t.apiUrl}/services`, { token: t.adminToken });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ 'idle-culler': expect.objectContaining({ kind: 'service', name: 'idle-culler', admin: false }) });
    expect((await apiCall(`${t.apiUrl}/services/idle-culler`, { token: t.adminToken })).status).toBe(200);
    expect((await apiCall(`${t.apiUrl}/services/nope`, { token: t.adminToken })).json).toMatchObject({ code: 'not_found' });
  });

  it('is refused without list:services', async () => {
    const alice = await t.addUser('alice');
    expect((await apiCall(`${t.apiUrl}/services`, { token: alice })).status).toBe(403);
    expect((await apiCall(`${t.apiUrl}/services`, { token })).status).toBe(403);
  });
});
