/**
 * Admin top-ups and overrides of budgets (issue 8, item 6) in a running hub with real
 * jupyterhub-singleuser servers and the hub's clock set by the test. Checked: bad amounts and
 * callers refused with nothing changed; an override changes the 402 answer before a start and
 * its removal restores the configured limit; a top-up while a server runs lifts the exhaustion
 * (its 100 % warning is taken back and nothing is stopped); each change is in the audit log.
 */
import type { CullingModel, HubConfig } from '@clusterhub/shared';
import { apiCall, errorCode } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { waitForReady } from './harness/singleuser';
import type { CullAction } from '../src/culler/builtin-culler';

jest.setTimeout(300_000);

const ALICE = 'topup-alice';
const CAROL = 'topup-carol';
const TEAM = 'topup-team';
const HOUR = 3_600_000;

const PROFILES: HubConfig['profiles'] = [{ slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 2 }];

interface BudgetJson {
  readonly amount: number | null;
  readonly limit_override: number | null;
  readonly top_up: number;
  readonly configured: number | null;
  readonly remaining: number | null;
}

describe('admin budget top-ups and overrides, real servers', () => {
  let t: TestHub;
  let offset = Date.parse('2026-11-10T08:00:00Z') - Date.now();
  const tokens = new Map<string, string>();
  let started = 0;

  const hubTimeIs = (ms: number): void => {
    offset = ms - Date.now();
  };
  const url = (scope: string, name: string, suffix = ''): string => `${t.apiUrl}/clusterhub/budgets/${scope}/${name}${suffix}`;
  const budgetActions = async (): Promise<CullAction[]> => {
    const culler = t.hub.culler;
    if (!culler) throw new Error('no culler');
    return (await culler.cullOnce()).filter((a) => a.reason === 'budget');
  };
  const culling = async (): Promise<CullingModel> =>
    (await apiCall(`${t.apiUrl}/clusterhub/users/${ALICE}/server/culling`, { token: tokens.get(ALICE) ?? '' })).json as CullingModel;
  const stored = async (scope: 'user' | 'group', name: string): Promise<unknown> =>
    t.hub.context.store.budgets.get({ scope, name, periodStart: new Date('2026-11-01T00:00:00Z') });
  const auditActions = async (): Promise<string[]> => {
    const reply = await apiCall(`${t.apiUrl}/clusterhub/audit?action=budget&limit=100`, { token: t.adminToken });
    return ((reply.json as { items: { action: string }[] }).items ?? []).map((e) => e.action);
  };

  beforeAll(async () => {
    t = await startTestHub({
      config: {
        culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 0 },
        budgets: { users: { [ALICE]: 10, [CAROL]: 100 }, groups: { [TEAM]: 50 }, warnAtPercent: [], onExhausted: { action: 'stop', graceSeconds: 600 } },
        profiles: PROFILES,
      },
      overrides: { clock: () => Date.now() + offset },
    });
    for (const user of [ALICE, CAROL]) tokens.set(user, await t.addUser(user));
    const start = await apiCall(`${t.apiUrl}/users/${ALICE}/server`, { method: 'POST', token: tokens.get(ALICE) ?? '', body: {} });
    expect([201, 202]).toContain(start.status);
    started = Date.parse(String((await waitForReady(t, ALICE)).started));
  }, 300_000);

  afterAll(async () => {
    for (const user of [ALICE, CAROL]) await apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'DELETE', token: t.adminToken }).catch(() => undefined);
    await t.stop();
  }, 120_000);

  it.each([
    ['a negative top-up', 'top-up', 'POST', { units: -1 }, 'units'],
    ['a zero top-up', 'top-up', 'POST', { units: 0 }, 'units'],
    ['a huge top-up', 'top-up', 'POST', { units: 1e10 }, 'units'],
    ['a top-up as a string', 'top-up', 'POST', { units: '5' }, 'units'],
    ['a NaN string', 'top-up', 'POST', { units: 'NaN' }, 'units'],
    ['no units', 'top-up', 'POST', { note: 'x' }, 'units'],
    ['a note that is not a string', 'top-up', 'POST', { units: 1, note: 5 }, 'note'],
    ['a body that is not an object', 'top-up', 'POST', [1], 'units'],
    ['a negative limit', '', 'PUT', { limit: -1 }, 'limit'],
    ['a huge limit', '', 'PUT', { limit: 1e10 }, 'limit'],
    ['a limit as a string', '', 'PUT', { limit: 'abc' }, 'limit'],
    ['no limit', '', 'PUT', {}, 'limit'],
  ])('refuses %s with invalid_budget naming the field, nothing changed', async (_what, suffix, method, body, field) => {
    const reply = await apiCall(url('user', ALICE, suffix === '' ? '' : `/${suffix}`), { method, token: t.adminToken, body });
    expect([reply.status, errorCode(reply)]).toEqual([400, 'invalid_budget']);
    expect((reply.json as { details?: { field?: string } }).details?.field).toBe(field);
    expect(await stored('user', ALICE)).toBeNull();
  });

  it('refuses unknown fields, scopes, users and callers who are not admins, nothing changed', async () => {
    const extra = await apiCall(url('user', ALICE, '/top-up'), { method: 'POST', token: t.adminToken, body: { units: 1, by: 'me' } });
    expect([extra.status, errorCode(extra)]).toEqual([400, 'unknown_field']);
    expect((await apiCall(url('team', ALICE, '/top-up'), { method: 'POST', token: t.adminToken, body: { units: 1 } })).status).toBe(404);
    expect((await apiCall(url('user', 'nobody-here', '/top-up'), { method: 'POST', token: t.adminToken, body: { units: 1 } })).status).toBe(404);
    const own = await apiCall(url('user', ALICE, '/top-up'), { method: 'POST', token: tokens.get(ALICE) ?? '', body: { units: 1 } });
    expect([own.status, errorCode(own)]).toEqual([403, 'forbidden']);
    const group = await apiCall(url('group', TEAM), { method: 'PUT', token: tokens.get(ALICE) ?? '', body: { limit: 1 } });
    expect(group.status).toBe(403);
    expect(await stored('user', ALICE)).toBeNull();
    expect(await stored('group', TEAM)).toBeNull();
    expect(await auditActions()).toEqual([]);
  });

  it('an override changes the 402 answer before a start; removing it restores the configured limit', async () => {
    const set = await apiCall(url('user', CAROL), { method: 'PUT', token: t.adminToken, body: { limit: 1 } });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ scope: 'user', name: CAROL, configured: 100, limit_override: 1, top_up: 0, amount: 1 });
    const refused = await apiCall(`${t.apiUrl}/users/${CAROL}/server`, { method: 'POST', token: tokens.get(CAROL) ?? '', body: {} });
    expect([refused.status, errorCode(refused)]).toEqual([402, 'budget_exceeded']);
    expect(((await apiCall(`${t.apiUrl}/clusterhub/budgets/${CAROL}`, { token: t.adminToken })).json as { budget: { amount: number } }).budget.amount).toBe(1);

    const removed = await apiCall(url('user', CAROL), { method: 'DELETE', token: t.adminToken });
    expect(removed.json).toMatchObject({ limit_override: null, amount: 100 });
    const allowed = await apiCall(`${t.apiUrl}/users/${CAROL}/server`, { method: 'POST', token: tokens.get(CAROL) ?? '', body: {} });
    expect([201, 202]).toContain(allowed.status);
    await apiCall(`${t.apiUrl}/users/${CAROL}/server`, { method: 'DELETE', token: t.adminToken });
    // A group budget can be overridden too (admin:groups).
    expect((await apiCall(url('group', TEAM), { method: 'PUT', token: t.adminToken, body: { limit: 0 } })).json).toMatchObject({ scope: 'group', configured: 50, amount: 0 });
  });

  it('a top-up while the server runs lifts the exhaustion: the warning goes, nothing is stopped', async () => {
    hubTimeIs(started + 5.1 * HOUR);
    expect((await budgetActions()).map((a) => a.kind)).toEqual(['warn']);
    const actionAt = Date.parse((await culling()).warning?.action_at ?? '');

    const topUp = await apiCall(url('user', ALICE, '/top-up'), { method: 'POST', token: t.adminToken, body: { units: 5, note: 'thesis deadline' } });
    expect(topUp.status).toBe(200);
    const after = topUp.json as BudgetJson;
    expect(after).toMatchObject({ configured: 10, limit_override: null, top_up: 5, amount: 15 });
    expect(after.remaining).toBeGreaterThan(4);
    expect((await budgetActions()).map((a) => a.kind)).toEqual(['clear']);
    expect((await culling()).warning).toBeNull();
    hubTimeIs(actionAt);
    expect(await budgetActions()).toEqual([]);
    expect((await waitForReady(t, ALICE)).ready).toBe(true);
    expect(await auditActions()).toEqual(['budget.top-up', 'budget.override', 'budget.override', 'budget.override']);
  });
});
