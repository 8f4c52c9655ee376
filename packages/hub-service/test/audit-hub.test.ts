import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubConfig } from '@clusterhub/shared';
import { apiCall, errorCode } from './harness/api-call';
import { BrowserClient } from './harness/http-client';
import { startTestHub, tokenFor, type TestHub } from './harness/hub-harness';
import { pollUntil, waitForReady } from './harness/singleuser';

/**
 * The audit log and the spend metrics through a real hub: real form logins (local accounts),
 * a real jupyterhub-singleuser server started and stopped by the local-process spawner, admin
 * actions through the REST API, the audit API's scope rules and bad query values, the JSON-lines
 * file, and the Prometheus text after the start and stop, with a controlled clock.
 */
const HOUR = 3_600_000;
let now = Date.parse('2026-11-02T08:00:00Z');
const clock = (): number => now;

interface EventJson {
  id: number;
  at: string;
  actor: { kind: string; name: string | null };
  action: string;
  user: string | null;
  server: string | null;
  address: string | null;
  details: Record<string, unknown>;
}

interface Page {
  items: EventJson[];
  total: number;
  offset: number;
  limit: number;
}

describe('the audit log in a running hub', () => {
  const auditDir = mkdtempSync(join(tmpdir(), 'clusterhub-audit-'));
  const auditFile = join(auditDir, 'logs', 'audit.jsonl');
  const CONFIG: HubConfig = {
    profiles: [{ slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 0.1, groups: ['cps-students'] }],
    budgets: { period: 'month', users: { audalice: 5 }, groups: { 'cps-students': 20 } },
    audit: { file: auditFile },
  };
  let t: TestHub;
  const tokens: Record<string, string> = {};

  const audit = async (token: string, query = ''): Promise<{ status: number; page: Page; code: unknown; json: unknown }> => {
    const reply = await apiCall(`${t.apiUrl}/clusterhub/audit${query}`, { token });
    return { status: reply.status, page: reply.json as Page, code: errorCode(reply), json: reply.json };
  };
  /** Polls until the admin sees `count` events for `query` (REST admin actions are recorded once their answer is sent). */
  const eventsFor = (query: string, count: number): Promise<EventJson[]> =>
    pollUntil(`${count} audit events for ${query}`, async () => {
      const { page } = await audit(t.adminToken, query);
      return page.items.length >= count ? page.items : undefined;
    }, 10_000, 50);

  beforeAll(async () => {
    t = await startTestHub({ config: CONFIG, overrides: { clock } });
    tokens.audalice = await t.addUser('audalice', { password: 'alice-password-1' });
    tokens.audbob = await t.addUser('audbob', { password: 'bob-password-1' });
    const store = t.hub.context.store;
    const alice = await store.users.getByName('audalice');
    if (!alice) throw new Error('no audalice');
    await store.groups.setUserGroups(alice.id, ['cps-students']);
  });

  afterAll(async () => {
    await apiCall(`${t.apiUrl}/users/audalice/server`, { method: 'DELETE', token: t.adminToken }).catch(() => undefined);
    await t.stop();
    rmSync(auditDir, { recursive: true, force: true });
  });

  it('records form logins (success and failure, never the password) and logouts, with method and client address', async () => {
    const browser = new BrowserClient();
    expect((await browser.login(t.internalUrl, 'audalice', 'wrong-password-9')).status).toBe(403);
    expect((await browser.login(t.internalUrl, 'audalice', 'alice-password-1')).status).toBe(200);
    expect((await browser.request(`${t.internalUrl}/hub/logout`)).status).toBe(200);
    const events = await eventsFor('?user=audalice&action=login', 2);
    expect(events.map((e) => [e.action, e.actor.kind, e.actor.name, e.user, e.address])).toEqual([
      ['login.success', 'user', 'audalice', 'audalice', '127.0.0.1'],
      ['login.failure', 'anonymous', null, 'audalice', '127.0.0.1'],
    ]);
    expect(events[0]?.details).toMatchObject({ method: 'local', admin: false });
    expect(events[1]?.details).toEqual({ method: 'local', reason: 'wrong password' });
    const [logout] = await eventsFor('?user=audalice&action=logout', 1);
    expect(logout).toMatchObject({ actor: { kind: 'user', name: 'audalice' }, user: 'audalice' });
    const everything = JSON.stringify((await audit(t.adminToken, '?limit=1000')).page);
    expect(everything).not.toContain('wrong-password-9');
    expect(everything).not.toContain('alice-password-1');
  });

  it('records a real server start (profile, backend, by the caller) and its stop by an admin (reason, duration)', async () => {
    const started = await apiCall(`${t.apiUrl}/users/audalice/server`, { method: 'POST', token: tokens.audalice, body: { profile: 'cpu' } });
    expect([201, 202]).toContain(started.status);
    await waitForReady(t, 'audalice');
    now += 2 * HOUR;
    expect((await apiCall(`${t.apiUrl}/users/audalice/server`, { method: 'DELETE', token: t.adminToken })).status).toBe(204);
    const [stop, start] = await eventsFor('?user=audalice&action=server', 2);
    expect(start).toMatchObject({ action: 'server.start', actor: { kind: 'user', name: 'audalice' }, user: 'audalice', server: '', details: { profile: 'cpu', backend: 'default' } });
    expect(stop).toMatchObject({
      action: 'server.stop',
      actor: { kind: 'user', name: 'admin' },
      user: 'audalice',
      server: '',
      details: { reason: 'admin', duration_seconds: 7200, profile: 'cpu', backend: 'default' },
    });
    expect(Date.parse(stop?.at ?? '') - Date.parse(start?.at ?? '')).toBe(2 * HOUR);
  });

  it('exports the spend and the budgets left after the start and stop (Prometheus text)', async () => {
    now += HOUR;
    const reply = await apiCall(`${t.apiUrl}/metrics`, { token: t.adminToken });
    expect(reply.status).toBe(200);
    const lines = reply.text.split('\n');
    expect(lines).toContain('clusterhub_compute_units_spent_total{user="audalice",group="cps-students",profile="cpu"} 0.2');
    expect(lines).toContain('clusterhub_budget_remaining_units{scope="user",name="audalice"} 4.8');
    expect(lines).toContain('clusterhub_budget_remaining_units{scope="group",name="cps-students"} 19.8');
    // A second scrape with nothing running adds nothing.
    now += HOUR;
    const again = (await apiCall(`${t.apiUrl}/metrics`, { token: t.adminToken })).text.split('\n');
    expect(again).toContain('clusterhub_compute_units_spent_total{user="audalice",group="cps-students",profile="cpu"} 0.2');
  });

  it('records admin actions on users, groups and tokens: who did what to whom', async () => {
    const admin = t.adminToken;
    expect((await apiCall(`${t.apiUrl}/users/audcarol`, { method: 'POST', token: admin, body: { admin: false } })).status).toBe(201);
    expect((await apiCall(`${t.apiUrl}/users/audcarol`, { method: 'PATCH', token: admin, body: { admin: true } })).status).toBe(200);
    expect((await apiCall(`${t.apiUrl}/groups/audgroup`, { method: 'POST', token: admin, body: {} })).status).toBe(201);
    expect((await apiCall(`${t.apiUrl}/groups/audgroup/users`, { method: 'POST', token: admin, body: { users: ['audcarol', 'audbob'] } })).status).toBe(200);
    const token = await apiCall(`${t.apiUrl}/users/audcarol/tokens`, { method: 'POST', token: admin, body: { note: 'for the report', expires_in: 3600 } });
    expect(token.status).toBe(201);
    const created = token.json as { id: string; token: string };
    expect((await apiCall(`${t.apiUrl}/users/audcarol/tokens/${created.id}`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await apiCall(`${t.apiUrl}/users/audcarol`, { method: 'DELETE', token: admin })).status).toBe(204);
    // A refused action records nothing.
    expect((await apiCall(`${t.apiUrl}/users/audbob`, { method: 'DELETE', token: tokens.audbob })).status).toBe(403);

    const carol = await eventsFor('?user=audcarol', 6);
    expect(carol.map((e) => [e.action, e.actor.name, e.user, e.details])).toEqual([
      ['user.delete', 'admin', 'audcarol', {}],
      ['token.delete', 'admin', 'audcarol', { token_id: created.id }],
      ['token.create', 'admin', 'audcarol', { note: 'for the report', expires_in: 3600 }],
      ['group.members.add', 'admin', 'audcarol', { group: 'audgroup' }],
      ['user.update', 'admin', 'audcarol', { admin: true }],
      ['user.create', 'admin', 'audcarol', { admin: false }],
    ]);
    expect(JSON.stringify(carol)).not.toContain(created.token);
    const groups = await eventsFor('?action=group', 3);
    expect(groups.map((e) => [e.action, e.user])).toEqual([
      ['group.members.add', 'audbob'],
      ['group.members.add', 'audcarol'],
      ['group.create', null],
    ]);
    expect((await audit(admin, '?user=audbob&action=user.delete')).page.total).toBe(0);
  });

  it("records the admin page's user and group actions by the signed-in admin, and its server starts through the lifecycle", async () => {
    const browser = new BrowserClient();
    expect((await browser.login(t.internalUrl, 'admin', 'admin-password-1')).status).toBe(200);
    const page = await browser.request(`${t.internalUrl}/hub/admin`);
    const xsrf = /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const post = (path: string, fields: Record<string, string>) =>
      browser.request(`${t.internalUrl}/hub/admin${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, _xsrf: xsrf }).toString(),
      });
    expect((await post('/groups', { name: 'pagegroup' })).status).toBe(200);
    expect((await post('/groups/pagegroup/add', { user: 'audbob' })).status).toBe(200);
    // A refused action (no such user) records nothing.
    expect((await post('/groups/pagegroup/add', { user: 'nobody-here' })).status).toBe(200);
    const [added, created] = await eventsFor('?action=group&since=2026-11-02T00:00:00Z&limit=2', 2);
    expect(created).toMatchObject({ action: 'group.create', actor: { kind: 'user', name: 'admin' }, address: '127.0.0.1', details: { group: 'pagegroup', via: 'admin-page' } });
    expect(added).toMatchObject({ action: 'group.members.add', actor: { kind: 'user', name: 'admin' }, user: 'audbob', details: { group: 'pagegroup', via: 'admin-page' } });
    expect((await audit(t.adminToken, '?user=nobody-here')).page.total).toBe(0);
  });

  it("records the token page's create and revoke by the signed-in user, never the token", async () => {
    const browser = new BrowserClient();
    expect((await browser.login(t.internalUrl, 'audbob', 'bob-password-1')).status).toBe(200);
    const form = async (path: string, fields: Record<string, string>) => {
      const page = await browser.request(`${t.internalUrl}/hub/token`);
      const xsrf = /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      return browser.request(`${t.internalUrl}/hub${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, _xsrf: xsrf }).toString(),
        follow: false,
      });
    };
    expect((await form('/token', { note: 'page token', expires_in: '' })).status).toBe(303);
    const shown = await browser.request(`${t.internalUrl}/hub/token`);
    const bob = await t.hub.context.store.users.getByName('audbob');
    const record = (await t.hub.context.store.tokens.listForUser(bob?.id ?? -1)).find((tk) => tk.note === 'page token');
    expect((await form('/token/revoke', { id: `a${record?.id ?? 0}` })).status).toBe(303);
    // A refused revoke (not bob's token) records nothing.
    expect((await form('/token/revoke', { id: 'a999999' })).status).toBe(404);
    const [revoked, created] = await eventsFor('?user=audbob&action=token', 2);
    expect(created).toMatchObject({ action: 'token.create', actor: { kind: 'user', name: 'audbob' }, user: 'audbob', details: { note: 'page token', expires_in: '', via: 'token-page' } });
    expect(revoked).toMatchObject({ action: 'token.delete', actor: { kind: 'user', name: 'audbob' }, user: 'audbob', details: { token_id: `a${record?.id ?? 0}`, via: 'token-page' } });
    expect((await audit(t.adminToken, '?user=audbob&action=token')).page.total).toBe(2);
    const secret = /<code id="new-token">([^<]+)<\/code>/.exec(shown.text)?.[1] ?? '';
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify((await audit(t.adminToken, '?limit=1000')).page)).not.toContain(secret);
  });

  it('lets a user read their own events only: 404 for another user, 403 without read:users; admins see everyone', async () => {
    const own = await audit(tokens.audalice ?? '');
    expect(own.status).toBe(200);
    expect(own.page.items.length).toBeGreaterThan(0);
    expect(own.page.items.every((e) => e.user === 'audalice' || e.actor.name === 'audalice')).toBe(true);
    expect((await audit(tokens.audalice ?? '', '?user=audalice')).page.total).toBe(own.page.total);
    const other = await audit(tokens.audalice ?? '', '?user=audbob');
    expect([other.status, other.code]).toEqual([404, 'not_found']);
    const narrow = await tokenFor(t.hub, 'audalice', ['read:servers!user=audalice']);
    const refused = await audit(narrow);
    expect([refused.status, refused.code]).toEqual([403, 'forbidden']);
    expect((await audit(narrow, '?user=audalice')).status).toBe(403);
    const none = await apiCall(`${t.apiUrl}/clusterhub/audit`);
    expect(none.status).toBe(403);
    const all = await audit(t.adminToken);
    expect(all.page.total).toBeGreaterThan(own.page.total);
    expect(all.page.items.some((e) => e.user === 'audbob')).toBe(true);
  });

  it('pages newest first with limit and offset, filters by time', async () => {
    const all = (await audit(t.adminToken, '?limit=1000')).page;
    const times = all.items.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const page = (await audit(t.adminToken, '?limit=2&offset=1')).page;
    expect(page).toMatchObject({ total: all.total, offset: 1, limit: 2 });
    expect(page.items.map((e) => e.id)).toEqual(all.items.slice(1, 3).map((e) => e.id));
    const stop = all.items.find((e) => e.action === 'server.stop');
    const since = encodeURIComponent(stop?.at ?? '');
    const later = (await audit(t.adminToken, `?since=${since}&limit=1000`)).page.items;
    expect(later.every((e) => Date.parse(e.at) >= Date.parse(stop?.at ?? ''))).toBe(true);
    expect(later.some((e) => e.action === 'server.start')).toBe(false);
    const before = (await audit(t.adminToken, `?until=${since}&action=server`)).page.items;
    expect(before.map((e) => e.action)).toEqual(['server.start']);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=-5', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=1.5', 'offset'],
    ['since=yesterday', 'since'],
    ['until=2026-13-45', 'until'],
    ['since=2026-11-02T08:00:00', 'since'],
    ['since=2026-12-01&until=2026-11-01', 'since'],
    ['action=Server!', 'action'],
    ['action=server.', 'action'],
    ['user=', 'user'],
    ['user=a&user=b', 'user'],
    ['verbose=1', 'verbose'],
  ])('refuses %s with 400 invalid_query naming %s', async (query, param) => {
    const reply = await audit(t.adminToken, `?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ code: 'invalid_query', details: { param } });
  });

  it('mirrors every event to audit.file as one JSON object per line, created private', async () => {
    const all = (await audit(t.adminToken, '?limit=1000')).page;
    const lines = readFileSync(auditFile, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    const fromFile = lines.map((line) => JSON.parse(line) as EventJson);
    expect(fromFile.map((e) => e.id).sort((a, b) => a - b)).toEqual(all.items.map((e) => e.id).sort((a, b) => a - b));
    expect(fromFile.find((e) => e.action === 'server.stop')).toEqual(all.items.find((e) => e.action === 'server.stop'));
    expect(statSync(auditFile).mode & 0o777).toBe(0o600);
  });
});
