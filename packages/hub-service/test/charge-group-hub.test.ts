import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CullingModel, HubConfig } from '@clusterhub/shared';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import type { CullAction } from '../src/culler/builtin-culler';
import { apiCall, errorCode, type ApiReply } from './harness/api-call';
import { BrowserClient } from './harness/http-client';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { snapshotStore } from './harness/store-snapshot';

/**
 * The group a session is charged to, chosen at the start (issue 8 item 5, docs/budgets.md "Which
 * group is charged"), through a real hub (real store, API, pages and culler; FakeSpawner servers,
 * a controlled clock): `user_options.charge_group` picks one of the user's groups the profile
 * lists; the budget check tests that group, the ledger and the usage report charge it; a group the
 * user is not in, or the profile does not list, is 400 `invalid_charge_group` with nothing
 * written; the home page offers the choice only where there is one; the budget watch of a running
 * server follows the group its session was charged to after the user's groups changed, and the
 * downshift keeps it.
 */
const HOUR = 3_600_000;
let now = Date.parse('2026-11-02T08:00:00Z');
const clock = (): number => now;

const CONFIG: HubConfig = {
  hub: { allowNamedServers: true },
  culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 0 },
  profiles: [
    { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 0.1 },
    { slug: 'gpu', displayName: 'GPU', kind: 'cpu', pricePerHour: 8, groups: ['lab-a', 'lab-b'] },
    { slug: 'solo', displayName: 'Solo', kind: 'cpu', pricePerHour: 1, groups: ['lab-b'] },
    { slug: 'small', displayName: 'Small', kind: 'cpu', pricePerHour: 0.5, groups: ['lab-a', 'lab-b'] },
  ],
  budgets: { period: 'month', groups: { 'lab-a': 10, 'lab-b': 20 }, warnAtPercent: [], onExhausted: { action: 'downshift', downshiftTo: 'small', graceSeconds: 600 } },
};

function formXsrf(page: string): string {
  return /name="_xsrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
}

describe('the group a session is charged to, chosen at the start', () => {
  const spawner = new FakeSpawner();
  let t: TestHub;
  const tokens: Record<string, string> = {};

  const start = (user: string, body: unknown, server = ''): Promise<ApiReply> =>
    apiCall(`${t.apiUrl}/users/${user}/${server === '' ? 'server' : `servers/${server}`}`, { method: 'POST', token: tokens[user], body });
  const stop = (user: string): Promise<ApiReply> => apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'DELETE', token: tokens[user] });
  const setGroups = async (user: string, groups: string[]): Promise<void> => {
    const record = await t.hub.context.store.users.getByName(user);
    if (!record) throw new Error(`no ${user}`);
    await t.hub.context.store.groups.setUserGroups(record.id, groups);
  };
  /** Everything a refused start could have touched: users, groups, servers, tokens and the ledger. */
  const state = async (): Promise<string> => {
    const store = t.hub.context.store;
    const ledger = await store.usage.list({ from: new Date(0), to: new Date('2100-01-01T00:00:00Z') });
    return `${await snapshotStore(store)}\n${JSON.stringify(ledger)}`;
  };
  /** The group of the last session of `user`'s default server. */
  const lastSession = async (user: string, server = '') => {
    const store = t.hub.context.store;
    const record = await store.users.getByName(user);
    const row = await store.servers.get(record?.id ?? 0, server);
    return store.usage.lastOfServer(row?.id ?? 0);
  };
  const homeOf = async (user: string): Promise<{ browser: BrowserClient; page: string }> => {
    const browser = new BrowserClient();
    expect((await browser.login(t.internalUrl, user, `${user}-password-1`)).status).toBe(200);
    return { browser, page: (await browser.request(`${t.internalUrl}/hub/home`)).text };
  };

  beforeAll(async () => {
    t = await startTestHub({ config: CONFIG, overrides: { spawner, clock } });
    for (const name of ['dana', 'eli']) tokens[name] = await t.addUser(name, { password: `${name}-password-1` });
    await setGroups('dana', ['lab-b', 'lab-a']);
    await setGroups('eli', ['lab-b']);
  });

  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('tests the chosen group in the budget check and charges it in the ledger and the usage report', async () => {
    // lab-a (the default: first by name) nearly used up: 8 of 10.
    expect((await start('dana', { user_options: { profile: 'gpu', charge_group: 'lab-a' } })).status).toBe(201);
    expect((await lastSession('dana'))?.groupName).toBe('lab-a');
    now += HOUR;
    expect((await stop('dana')).status).toBe(204);

    const before = await state();
    for (const body of [{ user_options: { profile: 'gpu', charge_group: 'lab-a' } }, { profile: 'gpu' }]) {
      const refused = await start('dana', body);
      expect(refused.status).toBe(402);
      expect(refused.json).toMatchObject({ code: 'budget_exceeded', details: { budget: 'group', name: 'lab-a', amount: 10, spent: 8, remaining: 2 } });
      expect((refused.json as { message: string }).message).toContain('the budget of group lab-a has 2 CU left of 10 CU');
    }
    expect(await state()).toBe(before);

    // lab-b has room: the 5.x body (the options as the body) names it beside the profile.
    expect((await start('dana', { profile: 'gpu', charge_group: 'lab-b' })).status).toBe(201);
    expect(await lastSession('dana')).toMatchObject({ groupName: 'lab-b', profile: 'gpu', ended: null });
    const model = await apiCall(`${t.apiUrl}/users/dana/server`, { token: tokens.dana });
    expect((model.json as { user_options: Record<string, unknown> }).user_options).toEqual({ profile: 'gpu', charge_group: 'lab-b' });
    now += HOUR / 2;
    expect((await stop('dana')).status).toBe(204);

    const usage = await apiCall(`${t.apiUrl}/clusterhub/usage?user=dana&from=2026-11-01&to=2026-12-01`, { token: tokens.dana });
    expect(usage.status).toBe(200);
    expect((usage.json as { usage: unknown[] }).usage).toEqual([
      { user: 'dana', group: 'lab-a', profile: 'gpu', price_per_hour: 8, hours: 1, cost: 8 },
      { user: 'dana', group: 'lab-b', profile: 'gpu', price_per_hour: 8, hours: 0.5, cost: 4 },
    ]);
    const budgets = await apiCall(`${t.apiUrl}/clusterhub/budgets/dana`, { token: tokens.dana });
    expect((budgets.json as { groups: unknown[] }).groups).toEqual([
      expect.objectContaining({ kind: 'group', name: 'lab-a', spent: 8, remaining: 2 }),
      expect.objectContaining({ kind: 'group', name: 'lab-b', spent: 4, remaining: 16 }),
    ]);
  });

  it('refuses a group the user is not in, or the profile does not list, with 400 and nothing written', async () => {
    await setGroups('dana', ['lab-a', 'lab-b', 'lab-c']);
    const before = await state();
    const cases: [unknown, string, string[]][] = [
      [{ user_options: { profile: 'gpu', charge_group: 'lab-z' } }, 'gpu', ['lab-a', 'lab-b']],
      [{ user_options: { profile: 'gpu', charge_group: 'lab-c' } }, 'gpu', ['lab-a', 'lab-b']],
      [{ user_options: { profile: 'solo', charge_group: 'lab-a' } }, 'solo', ['lab-b']],
      [{ user_options: { profile: 'cpu', charge_group: 'lab-a' } }, 'cpu', []],
    ];
    for (const [body, profile, allowed] of cases) {
      const refused = await start('dana', body);
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ code: 'invalid_charge_group', status: 400, details: { profile, allowed } });
      expect((refused.json as { message: string }).message).toContain(allowed.length === 0 ? 'none of your groups' : `choose one of ${allowed.join(', ')}`);
    }
    // A named server is not created by a refused start; nor by PUT with such options.
    expect(errorCode(await start('dana', { user_options: { profile: 'gpu', charge_group: 'lab-c' } }, 'train'))).toBe('invalid_charge_group');
    const put = await apiCall(`${t.apiUrl}/users/dana/servers/later`, { method: 'PUT', token: tokens.dana, body: { user_options: { profile: 'solo', charge_group: 'lab-a' } } });
    expect(put.status).toBe(400);
    expect(errorCode(put)).toBe('invalid_charge_group');
    expect(errorCode(await start('dana', { user_options: { profile: 'gpu', charge_group: 7 } }))).toBe('invalid_charge_group');
    expect(await state()).toBe(before);
    await setGroups('dana', ['lab-a', 'lab-b']);
  });

  it('shows the choice on the home page only where the profile can be charged to more than one group, and starts with it', async () => {
    const dana = await homeOf('dana');
    expect(dana.page).toContain('name="charge_group-gpu"');
    expect(dana.page).toContain('name="charge_group-small"');
    expect(dana.page).not.toContain('name="charge_group-solo"');
    expect(dana.page).not.toContain('name="charge_group-cpu"');
    expect(/<select name="charge_group-gpu" id="profile-select-charge-gpu">(.*?)<\/select>/s.exec(dana.page)?.[1]).toBe(
      '<option value="lab-a">lab-a</option><option value="lab-b" selected>lab-b</option>',
    );
    expect((await homeOf('eli')).page).not.toContain('charge_group');

    // The form: the select of the profile submitted counts (the other profiles' selects are ignored).
    const post = (fields: Record<string, string>) =>
      dana.browser.request(`${t.internalUrl}/hub/spawn/dana`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _xsrf: formXsrf(dana.page), ...fields }).toString(),
        follow: false,
      });
    const before = await state();
    const refused = await post({ profile: 'gpu', 'charge_group-gpu': 'lab-a', 'charge_group-small': 'lab-b' });
    expect(refused.status).toBe(402);
    expect(refused.text).toContain('the budget of group lab-a has 2 CU left');
    expect(await state()).toBe(before);
    const started = await post({ profile: 'gpu', 'charge_group-gpu': 'lab-b', 'charge_group-small': 'lab-a' });
    expect(started.status).toBe(302);
    expect(await lastSession('dana')).toMatchObject({ groupName: 'lab-b', profile: 'gpu', ended: null });
    now += HOUR / 4;
    expect((await stop('dana')).status).toBe(204);
  });

  it("watches the group the running server's session was charged to after the user's groups changed; the downshift keeps it", async () => {
    now = Date.parse('2026-12-02T08:00:00Z');
    const budgetActions = async (): Promise<CullAction[]> => (await (t.hub.culler ?? { cullOnce: async () => [] }).cullOnce()).filter((a) => a.reason === 'budget');
    const culling = async (): Promise<CullingModel> => (await apiCall(`${t.apiUrl}/clusterhub/users/dana/server/culling`, { token: tokens.dana })).json as CullingModel;

    expect((await start('dana', { user_options: { profile: 'gpu', charge_group: 'lab-b' } })).status).toBe(201);
    // dana leaves lab-b: the default rule would now charge lab-a (nothing spent there this month).
    await setGroups('dana', ['lab-a']);
    now += 2.6 * HOUR;
    expect(await budgetActions()).toEqual([{ user: 'dana', server: '', reason: 'budget', kind: 'warn', removed: false }]);
    const warning = (await culling()).warning;
    expect(warning).toMatchObject({ reason: 'budget', action: 'downshift' });
    expect(warning?.message).toMatch(/^The budget of group lab-b is used up: 20\.8 of 20 CU this month\./);

    // Back in lab-b before the action: the cheaper profile lists it, so the session stays on lab-b
    // (the default rule would charge lab-a).
    await setGroups('dana', ['lab-a', 'lab-b']);
    now = Date.parse(warning?.action_at ?? '');
    expect(await budgetActions()).toEqual([{ user: 'dana', server: '', reason: 'budget', kind: 'downshift', removed: false }]);
    expect(await lastSession('dana')).toMatchObject({ groupName: 'lab-b', profile: 'small', ended: null });
    expect((await stop('dana')).status).toBe(204);
  });
});
