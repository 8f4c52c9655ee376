import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BudgetAdjustmentModel, CullingModel, HubConfig, UserBudgetsModel } from '@clusterhub/shared';
import type { CullAction } from '../src/culler/builtin-culler';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { apiCall, errorCode } from './harness/api-call';
import { BrowserClient } from './harness/http-client';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { snapshotStore } from './harness/store-snapshot';

/**
 * Budget periods and carry-over through a real hub (FakeSpawner servers, a controlled clock;
 * docs/budgets.md): admin-defined terms with a gap, a term boundary resetting what was spent,
 * what a term left unused carried into the next (capped, never carried twice), the start check
 * and the gauge reading the carried amount, starts and admin changes between terms refused with
 * `no_budget_term` and nothing written; a monthly hub without carry-over; and a running server's
 * budget notice and 100 % warning named by its term and taken back when the term ends.
 */
const HOUR = 3_600_000;

describe('budget terms with carry-over in a running hub', () => {
  const spawner = new FakeSpawner();
  let t: TestHub;
  let now = Date.parse('2026-09-20T08:00:00Z');
  let token = '';

  const config: HubConfig = {
    profiles: [
      { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 0.1 },
      { slug: 'big', displayName: 'Big', kind: 'cpu', pricePerHour: 8, groups: ['team'] },
    ],
    budgets: {
      period: 'terms',
      terms: [
        { name: 'WS2026', start: '2026-10-01' },
        { name: 'SS2027', start: '2027-04-01', end: '2027-09-30' },
        { name: 'WS2027', start: '2027-10-15', end: '2028-03-31' },
      ],
      carryOver: { enabled: true, maxPercent: 50 },
      defaultUser: 20,
      groups: { team: 40 },
    },
  };
  const start = (profile = 'big') => apiCall(`${t.apiUrl}/users/alice/server`, { method: 'POST', token, body: { profile } });
  const stop = () => apiCall(`${t.apiUrl}/users/alice/server`, { method: 'DELETE', token });
  /** Runs alice's server on `big` for `hours`. */
  const run = async (hours: number): Promise<void> => {
    expect((await start()).status).toBe(201);
    now += hours * HOUR;
    expect((await stop()).status).toBe(204);
  };
  const budgets = async (): Promise<UserBudgetsModel> => (await apiCall(`${t.apiUrl}/clusterhub/budgets/alice`, { token })).json as UserBudgetsModel;
  const state = async (): Promise<string> => {
    const store = t.hub.context.store;
    return `${await snapshotStore(store)}\n${JSON.stringify(await store.usage.list({ from: new Date(0), to: new Date('2100-01-01T00:00:00Z') }))}`;
  };
  const gauge = async (): Promise<string[]> => {
    const reply = await apiCall(`${t.internalUrl}/hub/metrics`, { token: t.adminToken });
    return reply.text.split('\n').filter((line) => line.startsWith('clusterhub_budget_remaining_units{'));
  };

  beforeAll(async () => {
    t = await startTestHub({ config, overrides: { spawner, clock: () => now } });
    token = await t.addUser('alice', { password: 'alice-password-1' });
    const alice = await t.hub.context.store.users.getByName('alice');
    if (!alice) throw new Error('no alice');
    await t.hub.context.store.groups.setUserGroups(alice.id, ['team']);
  });

  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('before the first term: starts and admin changes refused with no_budget_term, nothing written; the API shows the gap', async () => {
    const before = await state();
    const refused = await start();
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'no_budget_term', status: 409, details: { previousTerm: null, nextTerm: 'WS2026', nextTermStart: '2026-10-01T00:00:00.000Z' } });
    expect((refused.json as { message: string }).message).toBe('No budget term is open: the first term, WS2026, begins on 2026-10-01. Starts that a budget limits wait for the next term; contact an admin.');
    const topUp = await apiCall(`${t.apiUrl}/clusterhub/budgets/user/alice/top-up`, { method: 'POST', token: t.adminToken, body: { units: 5 } });
    expect([topUp.status, errorCode(topUp)]).toEqual([409, 'no_budget_term']);
    expect(await state()).toBe(before);
    expect(await budgets()).toMatchObject({
      period: 'terms',
      term: null,
      period_start: null,
      period_end: '2026-10-01T00:00:00.000Z',
      gap: { previous_term: null, next_term: 'WS2026' },
      spent: 0,
      budget: null,
      groups: [],
    });
    // The usage report has no period to default to: it asks for from.
    const usage = await apiCall(`${t.apiUrl}/clusterhub/usage`, { token });
    expect([usage.status, errorCode(usage)]).toEqual([400, 'invalid_query']);
    expect(await gauge()).toEqual([]);
  });

  it('in the first term: nothing carried over; the budgets and usage API name the term', async () => {
    now = Date.parse('2026-10-05T08:00:00Z');
    await run(1);
    const topUp = await apiCall(`${t.apiUrl}/clusterhub/budgets/user/alice/top-up`, { method: 'POST', token: t.adminToken, body: { units: 4 } });
    expect(topUp.json as BudgetAdjustmentModel).toMatchObject({ term: 'WS2026', configured: 20, top_up: 4, carried_over: 0, amount: 24, spent: 8, remaining: 16 });
    expect(await budgets()).toMatchObject({
      term: 'WS2026',
      period_start: '2026-10-01T00:00:00.000Z',
      period_end: '2027-04-01T00:00:00.000Z',
      gap: null,
      budget: { amount: 24, carried_over: 0, spent: 8, remaining: 16 },
      groups: [{ name: 'team', amount: 40, carried_over: 0, spent: 8, remaining: 32 }],
    });
    const usage = await apiCall(`${t.apiUrl}/clusterhub/usage`, { token });
    expect(usage.json).toMatchObject({
      from: '2026-10-01T00:00:00.000Z',
      budget_period: { period: 'terms', term: 'WS2026', start: '2026-10-01T00:00:00.000Z', end: '2027-04-01T00:00:00.000Z' },
      total: { cost: 8 },
    });
  });

  it('the next term starts from zero with what the last one left carried over (at most 50 %), and the start check counts it', async () => {
    now = Date.parse('2027-04-02T08:00:00Z');
    // alice: 24 (20 + the top-up) − 8 spent = 16 left, at most 50 % of 24 = 12; team: 40 − 8 = 32, at most 20.
    expect(await budgets()).toMatchObject({
      term: 'SS2027',
      period_start: '2027-04-01T00:00:00.000Z',
      period_end: '2027-10-01T00:00:00.000Z',
      spent: 0,
      budget: { amount: 32, carried_over: 12, spent: 0, remaining: 32 },
      groups: [{ name: 'team', amount: 60, carried_over: 20, spent: 0, remaining: 60 }],
    });
    expect(await gauge()).toEqual(['clusterhub_budget_remaining_units{scope="group",name="team"} 60']);
    // 24 CU spent: more than the configured 20, yet 8 left of 32 still pays an hour of big.
    await run(3);
    expect((await start()).status).toBe(201);
    now += HOUR / 2;
    expect((await stop()).status).toBe(204);
    const refused = await start();
    expect(refused.status).toBe(402);
    expect(refused.json).toMatchObject({ code: 'budget_exceeded', details: { budget: 'user', name: 'alice', amount: 32, spent: 28, remaining: 4 } });
    expect((refused.json as { message: string }).message).toContain('4 CU left of 32 CU this term (SS2027)');
    // The gauge reads the same amounts (alice listed once she has spent this term).
    expect(await gauge()).toEqual(['clusterhub_budget_remaining_units{scope="group",name="team"} 32', 'clusterhub_budget_remaining_units{scope="user",name="alice"} 4']);
  });

  it('between terms: a start is refused naming both terms; then carried units are not carried again', async () => {
    now = Date.parse('2027-10-03T08:00:00Z');
    const before = await state();
    const refused = await start('cpu');
    expect(refused.status).toBe(409);
    expect((refused.json as { message: string }).message).toContain('No budget term is open: SS2027 ended on 2027-09-30 and WS2027 begins on 2027-10-15.');
    expect(await state()).toBe(before);
    expect(await budgets()).toMatchObject({ term: null, period_start: '2027-10-01T00:00:00.000Z', period_end: '2027-10-15T00:00:00.000Z', gap: { previous_term: 'SS2027', next_term: 'WS2027' } });
    expect((await apiCall(`${t.apiUrl}/clusterhub/usage`, { token })).json).toMatchObject({ from: '2027-10-01T00:00:00.000Z', budget_period: null });
    // The admin page says the same, not the gap's dates as if they were a period.
    const admin = new BrowserClient();
    expect((await admin.login(t.internalUrl, 'admin', 'admin-password-1')).status).toBe(200);
    const page = await admin.request(`${t.internalUrl}/hub/admin`);
    expect(/id="budgets-period">([^<]*)</.exec(page.text)?.[1]).toBe(
      'No budget term is open: SS2027 ended on 2027-09-30 and WS2027 begins on 2027-10-15. Top-ups and overrides can be made once a term is open.',
    );
    expect(page.text).toContain('No budget term is open.</td>');
    now = Date.parse('2027-10-15T00:00:00Z');
    // alice spent 28 of SS2027's own 20: nothing carried (the 4 CU left came from WS2026 and expire); team: 40 − 28 = 12.
    expect(await budgets()).toMatchObject({
      term: 'WS2027',
      budget: { amount: 20, carried_over: 0, spent: 0 },
      groups: [{ name: 'team', amount: 52, carried_over: 12 }],
    });
    expect((await start()).status).toBe(201);
    expect((await stop()).status).toBe(204);
  });
});

describe('monthly budgets without carry-over', () => {
  const spawner = new FakeSpawner();
  let t: TestHub;
  let now = Date.parse('2026-11-10T08:00:00Z');
  let token = '';

  beforeAll(async () => {
    t = await startTestHub({
      config: { profiles: [{ slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 1 }], budgets: { defaultUser: 10 } },
      overrides: { spawner, clock: () => now },
    });
    token = await t.addUser('carol', { password: 'carol-password-1' });
  });

  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('starts each month from the configured amount, whatever was left', async () => {
    expect((await apiCall(`${t.apiUrl}/users/carol/server`, { method: 'POST', token, body: {} })).status).toBe(201);
    now += 2 * HOUR;
    expect((await apiCall(`${t.apiUrl}/users/carol/server`, { method: 'DELETE', token })).status).toBe(204);
    expect((await apiCall(`${t.apiUrl}/clusterhub/budgets/carol`, { token })).json).toMatchObject({ term: null, budget: { amount: 10, carried_over: 0, spent: 2, remaining: 8 } });
    now = Date.parse('2026-12-01T00:00:00Z');
    expect((await apiCall(`${t.apiUrl}/clusterhub/budgets/carol`, { token })).json).toMatchObject({
      period: 'month',
      period_start: '2026-12-01T00:00:00.000Z',
      budget: { amount: 10, carried_over: 0, spent: 0, remaining: 10 },
    });
  });
});

describe('a running server across the end of a term (culler passes)', () => {
  const spawner = new FakeSpawner();
  let t: TestHub;
  let now = Date.parse('2027-01-31T20:00:00Z');
  let token = '';
  const budgetActions = async (): Promise<CullAction[]> => (await (t.hub.culler ?? { cullOnce: async () => [] }).cullOnce()).filter((a) => a.reason === 'budget');
  const culling = async (): Promise<CullingModel> => (await apiCall(`${t.apiUrl}/clusterhub/users/bob/server/culling`, { token })).json as CullingModel;

  beforeAll(async () => {
    t = await startTestHub({
      config: {
        culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 0 },
        profiles: [{ slug: 'big', displayName: 'Big', kind: 'cpu', default: true, pricePerHour: 8 }],
        budgets: {
          period: 'terms',
          terms: [
            { name: 'T1', start: '2027-01-01', end: '2027-01-31' },
            { name: 'T2', start: '2027-02-10', end: '2027-02-28' },
          ],
          defaultUser: 10,
          warnAtPercent: [50],
          onExhausted: { action: 'stop', graceSeconds: 600 },
        },
      },
      overrides: { spawner, clock: () => now },
    });
    token = await t.addUser('bob', { password: 'bob-password-1' });
  });

  afterAll(async () => {
    await t.stop();
    await spawner.close();
  });

  it('is told and warned in its term, and the warning goes when the term ends; nothing is stopped between terms', async () => {
    expect((await apiCall(`${t.apiUrl}/users/bob/server`, { method: 'POST', token, body: {} })).status).toBe(201);
    now += HOUR;
    expect(await budgetActions()).toEqual([{ user: 'bob', server: '', reason: 'budget', kind: 'notify', removed: false }]);
    expect((await culling()).warning?.message).toBe('Your budget is 80 % used: 8 of 10 CU this term (T1); at 100 % this server will be stopped.');
    now += HOUR / 2;
    expect(await budgetActions()).toEqual([{ user: 'bob', server: '', reason: 'budget', kind: 'warn', removed: false }]);
    expect((await culling()).warning?.message).toMatch(/^Your budget is used up: 12 of 10 CU this term \(T1\)\. This server will be stopped at /);
    // The term ends before the action: no period is open, the warning is taken back.
    now = Date.parse('2027-02-01T00:05:00Z');
    expect(await budgetActions()).toEqual([{ user: 'bob', server: '', reason: 'budget', kind: 'clear', removed: false }]);
    expect((await culling()).warning).toBeNull();
    now += 2 * HOUR;
    expect(await budgetActions()).toEqual([]);
    expect((await apiCall(`${t.apiUrl}/users/bob`, { token })).json).toMatchObject({ servers: { '': { ready: true } } });
    expect((await apiCall(`${t.apiUrl}/users/bob/server`, { method: 'DELETE', token })).status).toBe(204);
  });
});
