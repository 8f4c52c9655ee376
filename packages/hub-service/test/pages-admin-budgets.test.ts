import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditPageModel, BudgetAdjustmentModel, HubConfig, UserBudgetsModel } from '@clusterhub/shared';
import { apiCall } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * Budgets in a running hub with a controlled clock (docs/budgets.md): the remaining-units gauge
 * on `/hub/metrics` follows top-ups and overrides made through the API (a budget that exists only
 * by an override included); the admin page's Budgets section lists them and its forms top up,
 * override and remove the override through the same service as the API (same messages, same
 * audit events), refuse bad input, non-admins and a missing `_xsrf` with nothing changed.
 */
const HOUR = 3_600_000;
const NOV = new Date('2026-11-01T00:00:00Z');
let now = Date.parse('2026-11-02T08:00:00Z');
const clock = (): number => now;

const CONFIG: HubConfig = {
  profiles: [{ slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 2, groups: ['bteam'] }],
  budgets: { period: 'month', users: { bal: 10 }, groups: { bteam: 50 } },
};

function formXsrf(page: TestResponse): string {
  return /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
}

/** Text of an HTML element's content as the browser shows it. */
function unescape(text: string | undefined): string | null {
  if (text === undefined) return null;
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function notice(page: TestResponse): string | null {
  return unescape(/id="admin-notice">([^<]*)</.exec(page.text)?.[1]);
}

function error(page: TestResponse): string | null {
  return unescape(/id="admin-error">([^<]*)</.exec(page.text)?.[1]);
}

/** The cells of a budget row: configured, amount (without the notes under it), spent, remaining. */
function row(page: TestResponse, key: string): string[] | null {
  const tr = new RegExp(`<tr data-budget="${key}">([\\s\\S]*?)</tr>`).exec(page.text)?.[1];
  if (tr === undefined) return null;
  return [...tr.matchAll(/<td class="num[^"]*">([^<]*)/g)].map((m) => m[1] ?? '');
}

describe('budgets: the gauge and the admin page', () => {
  let t: TestHub;
  const spawner = new FakeSpawner();
  const admin = new BrowserClient();
  const bal = new BrowserClient();
  let balToken = '';

  const metrics = async (): Promise<string[]> => {
    const reply = await apiCall(`${t.internalUrl}/hub/metrics`, { token: t.adminToken });
    expect(reply.status).toBe(200);
    return reply.text.split('\n').filter((line) => line.startsWith('clusterhub_budget_remaining_units{'));
  };
  const api = (method: string, path: string, body?: unknown) => apiCall(`${t.apiUrl}/clusterhub/budgets/${path}`, { method, token: t.adminToken, body });
  const balBudgets = async (): Promise<UserBudgetsModel> => (await apiCall(`${t.apiUrl}/clusterhub/budgets/bal`, { token: t.adminToken })).json as UserBudgetsModel;
  const auditEvents = async (): Promise<AuditPageModel> => (await apiCall(`${t.apiUrl}/clusterhub/audit?action=budget&limit=100`, { token: t.adminToken })).json as AuditPageModel;
  const adjustments = () => t.hub.context.store.budgets.listPeriod(NOV);
  const page = (client: BrowserClient = admin): Promise<TestResponse> => client.request(`${t.internalUrl}/hub/admin`);
  /** Posts a budget form the way the page does and follows the redirect back to the page. */
  const submit = async (path: string, fields: Record<string, string>, client: BrowserClient = admin): Promise<TestResponse> => {
    const xsrf = formXsrf(await client.request(`${t.internalUrl}/hub/home`));
    const body = new URLSearchParams({ _xsrf: xsrf, ...fields }).toString();
    return client.request(`${t.internalUrl}/hub/admin/budgets/${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  };

  beforeAll(async () => {
    t = await startTestHub({ config: CONFIG, overrides: { spawner, clock } });
    balToken = await t.addUser('bal', { password: 'bal-password-1' });
    await t.addUser('bob');
    const store = t.hub.context.store;
    const balUser = await store.users.getByName('bal');
    if (!balUser) throw new Error('no bal');
    await store.groups.setUserGroups(balUser.id, ['bteam']);
    expect((await admin.login(t.internalUrl, 'admin', 'admin-password-1')).status).toBe(200);
    expect((await bal.login(t.internalUrl, 'bal', 'bal-password-1')).status).toBe(200);
    // bal spends 2 CU per hour on bteam's profile from now on.
    const start = await apiCall(`${t.apiUrl}/users/bal/server`, { method: 'POST', token: balToken, body: {} });
    expect([201, 202]).toContain(start.status);
    now += 2 * HOUR;
  });

  afterAll(async () => {
    await apiCall(`${t.apiUrl}/users/bal/server`, { method: 'DELETE', token: t.adminToken }).catch(() => undefined);
    await t.stop();
    await spawner.close();
  });

  it('the gauge follows top-ups and overrides made through the API, as the budgets API reports them', async () => {
    expect(await metrics()).toEqual(['clusterhub_budget_remaining_units{scope="group",name="bteam"} 46', 'clusterhub_budget_remaining_units{scope="user",name="bal"} 6']);
    expect((await api('POST', 'user/bal/top-up', { units: 5, note: 'deadline' })).status).toBe(200);
    expect((await api('PUT', 'group/bteam', { limit: 20 })).status).toBe(200);
    // Neither bob nor group bextra has a configured budget: the override makes one for this period.
    expect((await api('PUT', 'user/bob', { limit: 3 })).status).toBe(200);
    expect((await api('PUT', 'group/bextra', { limit: 7 })).status).toBe(200);
    expect((await balBudgets()).remaining).toBe(11);
    expect(await metrics()).toEqual([
      'clusterhub_budget_remaining_units{scope="group",name="bextra"} 7',
      'clusterhub_budget_remaining_units{scope="group",name="bteam"} 16',
      'clusterhub_budget_remaining_units{scope="user",name="bal"} 11',
      'clusterhub_budget_remaining_units{scope="user",name="bob"} 3',
    ]);
    expect((await api('DELETE', 'user/bob')).status).toBe(200);
    expect((await api('DELETE', 'group/bteam')).status).toBe(200);
    const after = await metrics();
    expect(after.filter((line) => line.includes('bob'))).toEqual([]);
    expect(after).toContain('clusterhub_budget_remaining_units{scope="group",name="bteam"} 46');
  });

  it('lists each budget of the period on the admin page: configured, amount, spent, remaining', async () => {
    const res = await page();
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="admin-budgets"');
    expect(row(res, 'group/bteam')).toEqual(['50', '50', '4', '46']);
    expect(row(res, 'group/bextra')).toEqual(['—', '7', '0', '7']);
    expect(row(res, 'user/bal')).toEqual(['10', '15', '4', '11']);
    expect(res.text).toMatch(/<tr data-budget="user\/bal">[\s\S]*?\+5 topped up/);
    // bob's budget existed only by the override just removed.
    expect(row(res, 'user/bob')).toBeNull();
  });

  it('tops up from the page: the new remaining on the page and in the API, and the audit event', async () => {
    const res = await submit('user/bal/top-up', { units: '2.5', note: 'page top-up' });
    expect(res.status).toBe(200);
    expect(notice(res)).toBe('Topped up the budget of bal by 2.5 CU: 13.5 CU left of 17.5 CU.');
    expect(row(res, 'user/bal')).toEqual(['10', '17.5', '4', '13.5']);
    const budgets = await balBudgets();
    expect([budgets.budget?.amount, budgets.remaining]).toEqual([17.5, 13.5]);
    const [event] = (await auditEvents()).items;
    expect(event).toMatchObject({
      action: 'budget.top-up',
      actor: { kind: 'user', name: 'admin' },
      user: 'bal',
      details: { scope: 'user', name: 'bal', units: 2.5, note: 'page top-up', period_start: NOV.toISOString(), via: 'admin-page' },
    });
  });

  it('sets and removes an override from the page', async () => {
    const set = await submit('group/bteam/limit', { limit: '40' });
    expect(notice(set)).toBe('Set the budget of group bteam to 40 CU this period: 36 CU left of 40 CU.');
    expect(row(set, 'group/bteam')).toEqual(['50', '40', '4', '36']);
    expect(((await api('POST', 'group/bteam/top-up', { units: 1 })).json as BudgetAdjustmentModel).amount).toBe(41);
    const removed = await submit('group/bteam/limit/remove', {});
    expect(notice(removed)).toBe("Removed this period's override of the budget of group bteam: 47 CU left of 51 CU.");
    expect(row(removed, 'group/bteam')).toEqual(['50', '51', '4', '47']);
    const actions = (await auditEvents()).items.slice(0, 3).map((e) => [e.action, 'limit' in e.details ? e.details['limit'] : e.details['units'], e.details['via'] ?? null]);
    expect(actions).toEqual([
      ['budget.override', null, 'admin-page'],
      ['budget.top-up', 1, null],
      ['budget.override', 40, 'admin-page'],
    ]);
  });

  it.each([
    ['a negative top-up', 'top-up', 'POST', 'units', '-1', -1],
    ['a zero top-up', 'top-up', 'POST', 'units', '0', 0],
    ['a huge top-up', 'top-up', 'POST', 'units', '1e10', 1e10],
    ['a non-numeric top-up', 'top-up', 'POST', 'units', 'abc', 'abc'],
    ['an empty top-up', 'top-up', 'POST', 'units', '', undefined],
    ['a negative limit', 'limit', 'PUT', 'limit', '-5', -5],
    ['a non-numeric limit', 'limit', 'PUT', 'limit', 'NaN', 'NaN'],
  ])('refuses %s with the message the API gives, nothing changed', async (_what, form, method, field, typed, json) => {
    const before = [await adjustments(), (await auditEvents()).total];
    const res = await submit(`user/bal/${form}`, { [field]: typed });
    expect(res.status).toBe(200);
    const reply = await api(method, `user/bal${form === 'top-up' ? '/top-up' : ''}`, json === undefined ? {} : { [field]: json });
    expect(reply.status).toBe(400);
    expect(error(res)).toBe((reply.json as { message: string }).message);
    expect(error(res)).toMatch(new RegExp(`^Invalid ${field}: must be a number of compute units`));
    expect([await adjustments(), (await auditEvents()).total]).toEqual(before);
  });

  it('refuses a note that is too long, nothing changed', async () => {
    const before = await adjustments();
    expect(error(await submit('user/bal/top-up', { units: '1', note: 'x'.repeat(501) }))).toBe('Invalid note: must be a string of at most 500 characters.');
    expect(await adjustments()).toEqual(before);
  });

  it('refuses non-admins (403) and a form without _xsrf, nothing changed', async () => {
    const before = [await adjustments(), (await auditEvents()).total];
    expect((await page(bal)).status).toBe(403);
    expect((await submit('user/bal/top-up', { units: '100' }, bal)).status).toBe(403);
    expect((await submit('group/bteam/limit', { limit: '1000' }, bal)).status).toBe(403);
    const noXsrf = await admin.request(`${t.internalUrl}/hub/admin/budgets/user/bal/top-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'units=100',
    });
    expect(noXsrf.status).toBe(403);
    expect([await adjustments(), (await auditEvents()).total]).toEqual(before);
  });

  it('refuses unknown scopes and users with the page error, nothing changed', async () => {
    const before = await adjustments();
    expect(error(await submit('user/nobody-here/top-up', { units: '1' }))).toBe('No such user: nobody-here.');
    expect(error(await submit('team/bal/top-up', { units: '1' }))).toBe('No budget scope "team": user or group.');
    expect(await adjustments()).toEqual(before);
  });
});
