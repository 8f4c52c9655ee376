import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HubConfig } from '@clusterhub/shared';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { apiCall, errorCode } from './harness/api-call';
import { BrowserClient } from './harness/http-client';
import { startTestHub, tokenFor, type TestHub } from './harness/hub-harness';
import { snapshotStore } from './harness/store-snapshot';

/**
 * Budgets through a real hub (FakeSpawner servers, a controlled clock): a start is refused with
 * 402 `budget_exceeded` when the user's budget, or the budget of the group the session would be
 * charged to, has less left than one hour of the profile's price; the refusal writes nothing; the
 * budgets API reports what is spent and left; a new month starts from zero.
 */
function formXsrf(html: string): string {
  return /name="_xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}

const HOUR = 3_600_000;
let now = Date.parse('2026-11-02T08:00:00Z');
const clock = (): number => now;

const CONFIG: HubConfig = {
  profiles: [
    { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 0.1 },
    { slug: 'big', displayName: 'Big', kind: 'cpu', pricePerHour: 8, groups: ['cpsHPCAccess'] },
  ],
  budgets: { period: 'month', defaultUser: 10, users: { carol: 1000 }, groups: { cpsHPCAccess: 20 } },
};

describe('budgets in a running hub', () => {
  const spawner = new FakeSpawner();
  let t: TestHub;
  const tokens: Record<string, string> = {};

  const startServer = (user: string, profile: string) => apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'POST', token: tokens[user], body: { profile } });
  const stopServer = (user: string) => apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'DELETE', token: tokens[user] });
  const budgets = (user: string, token = tokens[user]) => apiCall(`${t.apiUrl}/clusterhub/budgets/${user}`, { token });

  /** Everything a refused start could have touched: users, groups, servers, tokens, accounts and the ledger. */
  const state = async (): Promise<string> => {
    const store = t.hub.context.store;
    const ledger = await store.usage.list({ from: new Date(0), to: new Date('2100-01-01T00:00:00Z') });
    return `${await snapshotStore(store)}\n${JSON.stringify(ledger)}`;
  };

  beforeAll(async () => {
    t = await startTestHub({ config: CONFIG, overrides: { spawner, clock } });
    for (const name of ['alice', 'carol', 'bob']) tokens[name] = await t.addUser(name, { password: `${name}-password-1` });
    const store = t.hub.context.store;
    for (const name of ['alice', 'carol']) {
      const user = await store.users.getByName(name);
      if (!user) throw new Error(`no ${name}`);
      await store.groups.setUserGroups(user.id, ['cpsHPCAccess']);
    }
  });

  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('refuses a start when the user has less than one hour of the price left, naming both, with nothing written', async () => {
    expect((await startServer('alice', 'big')).status).toBe(201);
    now += HOUR;
    expect((await stopServer('alice')).status).toBe(204);
    const before = await state();
    const refused = await startServer('alice', 'big');
    expect(refused.status).toBe(402);
    expect(refused.json).toMatchObject({
      code: 'budget_exceeded',
      status: 402,
      details: { budget: 'user', name: 'alice', amount: 10, spent: 8, remaining: 2, profile: 'big', pricePerHour: 8 },
    });
    const message = (refused.json as { message: string }).message;
    expect(message).toContain('2 CU left of 10 CU');
    expect(message).toContain('big costs 8 CU per hour');
    expect(await state()).toBe(before);
    // The home page's start form goes through the same check.
    const browser = new BrowserClient();
    expect((await browser.login(t.internalUrl, 'alice', 'alice-password-1')).status).toBe(200);
    const xsrf = formXsrf((await browser.request(`${t.internalUrl}/hub/home`)).text);
    const page = await browser.request(`${t.internalUrl}/hub/home/servers`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _xsrf: xsrf, server_name: 'train', profile: 'big' }).toString(),
      follow: false,
    });
    expect(page.status).toBe(402);
    expect(page.text).toContain('Budget exceeded!');
    expect(page.text).toContain('2 CU left of 10 CU');
    expect(await state()).toBe(before);
    // A cheaper profile still fits in what is left.
    expect((await startServer('alice', 'cpu')).status).toBe(201);
    expect((await stopServer('alice')).status).toBe(204);
  });

  it('refuses a start when the group charged has too little left, though the user has plenty', async () => {
    expect((await startServer('carol', 'big')).status).toBe(201);
    now += HOUR;
    expect((await stopServer('carol')).status).toBe(204);
    const before = await state();
    const refused = await startServer('carol', 'big');
    expect(refused.status).toBe(402);
    expect(refused.json).toMatchObject({ code: 'budget_exceeded', details: { budget: 'group', name: 'cpsHPCAccess', amount: 20, spent: 16, remaining: 4 } });
    expect((refused.json as { message: string }).message).toContain('group cpsHPCAccess has 4 CU left of 20 CU');
    expect(await state()).toBe(before);
  });

  it('reports budgets to their user and admins, 404 to others', async () => {
    const own = await budgets('alice');
    expect(own.status).toBe(200);
    expect(own.json).toEqual({
      user: 'alice',
      period: 'month',
      term: null,
      period_start: '2026-11-01T00:00:00.000Z',
      period_end: '2026-12-01T00:00:00.000Z',
      gap: null,
      unit: 'CU',
      spent: 8,
      remaining: 2,
      budget: { kind: 'user', name: 'alice', amount: 10, carried_over: 0, spent: 8, remaining: 2 },
      groups: [{ kind: 'group', name: 'cpsHPCAccess', amount: 20, carried_over: 0, spent: 16, remaining: 4 }],
    });
    expect((await budgets('carol', t.adminToken)).json).toMatchObject({ spent: 8, remaining: 992, budget: { amount: 1000 } });
    const other = await budgets('alice', tokens.bob);
    expect(other.status).toBe(404);
    expect(errorCode(other)).toBe('not_found');
    expect((await budgets('nobody', t.adminToken)).status).toBe(404);
    // read:budgets alone (what the Lab's token holds) reads them; read:servers alone does not.
    const lab = await tokenFor(t.hub, 'alice', ['read:budgets!user=alice']);
    expect((await budgets('alice', lab)).json).toMatchObject({ user: 'alice', remaining: 2 });
    expect((await budgets('carol', lab)).status).toBe(404);
    const narrow = await tokenFor(t.hub, 'alice', ['read:servers!user=alice']);
    const refused = await budgets('alice', narrow);
    expect([refused.status, errorCode(refused)]).toEqual([403, 'forbidden']);
    expect(String((refused.json as { message?: string }).message)).toContain('read:budgets');
  });

  it('starts every budget from zero in the next month', async () => {
    now = Date.parse('2026-12-01T00:00:00Z');
    expect((await startServer('alice', 'big')).status).toBe(201);
    expect((await stopServer('alice')).status).toBe(204);
    expect((await budgets('alice')).json).toMatchObject({ period_start: '2026-12-01T00:00:00.000Z', spent: 0, remaining: 10 });
  });
});
