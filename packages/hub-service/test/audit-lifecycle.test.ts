import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { apiCall } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { pollUntil } from './harness/singleuser';

/**
 * Server events the audit log records beyond a plain start and stop, through a real hub
 * (FakeSpawner servers): a failed start, a server found dead by the hub's own polling (actor:
 * the hub itself), and a stop by a service token (actor: the service, reason idle as JupyterHub).
 */
interface EventJson {
  actor: { kind: string; name: string | null };
  action: string;
  user: string | null;
  server: string | null;
  details: Record<string, unknown>;
}

const SERVICE_TOKEN = 'audit-culler-token-0123456789';

describe('server events in the audit log', () => {
  const spawner = new FakeSpawner({ behaviour: (r) => (r.user.name === 'audfail' ? { kind: 'fail', message: 'no node free' } : { kind: 'ok' }) });
  let t: TestHub;
  const tokens: Record<string, string> = {};

  const stops = (user: string): Promise<EventJson[]> =>
    pollUntil(`a server.stop of ${user}`, async () => {
      const reply = await apiCall(`${t.apiUrl}/clusterhub/audit?user=${user}&action=server.stop`, { token: t.adminToken });
      const items = (reply.json as { items: EventJson[] }).items;
      return items.length > 0 ? items : undefined;
    }, 10_000, 50);

  beforeAll(async () => {
    t = await startTestHub({
      config: { services: [{ name: 'audculler', apiToken: SERVICE_TOKEN, scopes: ['admin:servers', 'read:users'] }] },
      overrides: { spawner },
    });
    for (const name of ['audfail', 'auddead', 'audidle']) tokens[name] = await t.addUser(name);
  });

  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  const startAndWait = async (user: string): Promise<void> => {
    await apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'POST', token: tokens[user] });
    await pollUntil(`${user}'s server to run`, async () => {
      const server = await t.hub.context.store.servers.get((await t.hub.context.store.users.getByName(user))?.id ?? 0, '');
      return server?.state === 'running' ? true : undefined;
    }, 10_000, 50);
  };

  it('records a failed start as a stop with failed, reason error and the message', async () => {
    await apiCall(`${t.apiUrl}/users/audfail/server`, { method: 'POST', token: tokens.audfail });
    const [stop] = await stops('audfail');
    expect(stop).toMatchObject({ actor: { kind: 'user', name: 'audfail' }, user: 'audfail', server: '', details: { reason: 'error', failed: true } });
    expect(String(stop?.details.message)).toContain('no node free');
  });

  it("records a server the hub's polling found dead as stopped by the hub itself, reason died", async () => {
    await startAndWait('auddead');
    expect(await spawner.crash('auddead')).toBe(true);
    await t.hub.context.lifecycle.pollAll();
    const [stop] = await stops('auddead');
    expect(stop).toMatchObject({ actor: { kind: 'system', name: null }, user: 'auddead', details: { reason: 'died' } });
  });

  it('records a stop by a service token with the service as actor', async () => {
    await startAndWait('audidle');
    expect((await apiCall(`${t.apiUrl}/users/audidle/server`, { method: 'DELETE', token: SERVICE_TOKEN })).status).toBe(204);
    const [stop] = await stops('audidle');
    expect(stop).toMatchObject({ actor: { kind: 'service', name: 'audculler' }, user: 'audidle', details: { reason: 'idle' } });
  });
});
