/**
 * Budget warnings at thresholds (issue 8, item 6), with real jupyterhub-singleuser servers and the
 * hub's clock set by the test (the culler's passes are run by the test). Checked:
 * - a running server whose user's budget reaches a threshold gets a notice: the server's message,
 *   the culling API (reason `budget`, action `notify`, no keep-alive) and a signed webhook event;
 * - one notice per threshold: later passes below the next threshold say nothing; a keep-alive does
 *   not take the notice back; the next threshold gives a new notice;
 * - a server charged to a group with a budget is told about the group's budget;
 * - a new period takes the notice back.
 */
import { createHmac } from 'node:crypto';
import type { CullingModel, HubConfig } from '@clusterhub/shared';
import { apiCall } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { waitForReady, pollUntil } from './harness/singleuser';
import { startWebhookReceiver, type ReceivedEvent, type WebhookReceiver } from '../src/culler/testing/webhook-receiver';
import type { CullAction } from '../src/culler/builtin-culler';

jest.setTimeout(300_000);

const ALICE = 'budget-alice';
const BOB = 'budget-bob';
const TEAM = 'budget-team';
const KEY_ENV = 'CLUSTERHUB_TEST_BUDGET_HOOK_KEY';
const KEY = 'budget-webhook-key';
const HOUR = 3_600_000;
const PERIOD_END = '2026-12-01T00:00:00.000Z';

const PROFILES: HubConfig['profiles'] = [
  { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 2 },
  { slug: 'team', displayName: 'Team CPU', kind: 'cpu', pricePerHour: 2, groups: [TEAM] },
];

interface BudgetsJson {
  readonly spent: number;
  readonly budget: { readonly spent: number } | null;
  readonly groups: readonly { readonly name: string; readonly spent: number }[];
}

describe('budget warnings at thresholds, real servers', () => {
  let t: TestHub;
  let receiver: WebhookReceiver;
  // The hub's time runs from 10 November (far from the end of the month).
  let offset = Date.parse('2026-11-10T08:00:00Z') - Date.now();
  const tokens = new Map<string, string>();
  const started = new Map<string, number>();

  const hubTimeIs = (ms: number): void => {
    offset = ms - Date.now();
  };
  const budgetActions = async (): Promise<CullAction[]> => {
    const culler = t.hub.culler;
    if (!culler) throw new Error('no culler');
    return (await culler.cullOnce()).filter((a) => a.reason === 'budget');
  };
  const culling = async (user: string): Promise<CullingModel> => {
    const reply = await apiCall(`${t.apiUrl}/clusterhub/users/${user}/server/culling`, { token: tokens.get(user) ?? '' });
    expect(reply.status).toBe(200);
    return reply.json as CullingModel;
  };
  const message = async (user: string): Promise<string | null> => {
    const reply = await apiCall(`${t.apiUrl}/users/${user}`, { token: t.adminToken });
    return (reply.json as { servers: Record<string, { message: string | null }> }).servers['']?.message ?? null;
  };
  const budgets = async (user: string): Promise<BudgetsJson> => (await apiCall(`${t.apiUrl}/clusterhub/budgets/${user}`, { token: t.adminToken })).json as BudgetsJson;
  const warningsFor = (user: string): ReceivedEvent[] => receiver.events.filter((e) => e.body['user'] === user && e.body['event'] === 'warning');
  const hook = (user: string, nth: number): Promise<ReceivedEvent> => pollUntil(`webhook warning #${nth} for ${user}`, async () => warningsFor(user)[nth - 1], 30_000, 100);
  const units = (value: number): string => String(Math.round(value * 100) / 100);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    process.env[KEY_ENV] = KEY;
    t = await startTestHub({
      config: {
        culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 0, webhook: { url: receiver.url, secretEnv: KEY_ENV, timeoutSeconds: 5 } },
        budgets: { users: { [ALICE]: 10 }, groups: { [TEAM]: 16 }, warnAtPercent: [50, 90] },
        profiles: PROFILES,
      },
      overrides: { clock: () => Date.now() + offset },
    });
    tokens.set(ALICE, await t.addUser(ALICE));
    tokens.set(BOB, await t.addUser(BOB));
    expect((await apiCall(`${t.apiUrl}/groups/${TEAM}`, { method: 'POST', token: t.adminToken })).status).toBe(201);
    expect((await apiCall(`${t.apiUrl}/groups/${TEAM}/users`, { method: 'POST', token: t.adminToken, body: { users: [BOB] } })).status).toBe(200);
    for (const [user, profile] of [
      [ALICE, 'cpu'],
      [BOB, 'team'],
    ] as const) {
      const start = await apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'POST', token: tokens.get(user) ?? '', body: { profile } });
      expect([201, 202]).toContain(start.status);
    }
    for (const user of [ALICE, BOB]) started.set(user, Date.parse(String((await waitForReady(t, user)).started)));
  }, 300_000);

  afterAll(async () => {
    for (const user of [ALICE, BOB]) await apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'DELETE', token: t.adminToken }).catch(() => undefined);
    await t.stop();
    await receiver.close();
    delete process.env[KEY_ENV];
  }, 120_000);

  it('says nothing below the first threshold', async () => {
    // alice: 2 CU an hour of 10 → 40 %; bob's group: 4 of 16 → 25 %.
    hubTimeIs((started.get(ALICE) ?? 0) + 2 * HOUR);
    expect(await budgetActions()).toEqual([]);
    expect((await culling(ALICE)).warning).toBeNull();
  });

  it('tells the server at 50 %: message, culling API (no keep-alive) and a signed webhook event', async () => {
    hubTimeIs((started.get(ALICE) ?? 0) + 2.75 * HOUR);
    expect(await budgetActions()).toEqual([{ user: ALICE, server: '', reason: 'budget', kind: 'notify', removed: false }]);
    const spent = (await budgets(ALICE)).budget?.spent ?? 0;
    expect(spent).toBeGreaterThanOrEqual(5);
    expect(spent).toBeLessThan(9);
    const text = `Your budget is ${Math.floor(spent * 10)} % used: ${units(spent)} of 10 CU this month; at 100 % no new server can be started.`;
    expect(await message(ALICE)).toBe(text);
    const model = await culling(ALICE);
    // A notice is due when given: action_at is the time of the pass.
    const at = model.warning?.action_at ?? '';
    expect(model).toEqual({ user: ALICE, server: '', warning: { reason: 'budget', action: 'notify', action_at: at, message: text, keep_alive: false }, last_action: null });
    expect(at.startsWith('2026-11-10T')).toBe(true);
    const event = await hook(ALICE, 1);
    expect(event.body).toEqual({ event: 'warning', reason: 'budget', action: 'notify', user: ALICE, server: '', profile: 'cpu', action_at: at, message: text });
    expect(event.headers['x-clusterhub-signature']).toBe(`sha256=${createHmac('sha256', KEY).update(event.raw).digest('hex')}`);
  });

  it('tells once per threshold, and a keep-alive does not take the notice back', async () => {
    hubTimeIs((started.get(ALICE) ?? 0) + 3.5 * HOUR);
    expect(await budgetActions()).toEqual([]);
    const before = (await culling(ALICE)).warning;
    const kept = await apiCall(`${t.apiUrl}/clusterhub/users/${ALICE}/server/keep-alive`, { method: 'POST', token: tokens.get(ALICE) ?? '' });
    expect(kept.status).toBe(200);
    expect((kept.json as CullingModel).warning).toEqual(before);
    expect(await message(ALICE)).toBe(before?.message);
    expect(warningsFor(ALICE)).toHaveLength(1);
  });

  it('tells again at the next threshold', async () => {
    hubTimeIs((started.get(ALICE) ?? 0) + 4.6 * HOUR);
    const actions = await budgetActions();
    expect(actions.filter((a) => a.user === ALICE)).toEqual([{ user: ALICE, server: '', reason: 'budget', kind: 'notify', removed: false }]);
    const spent = (await budgets(ALICE)).budget?.spent ?? 0;
    expect(spent).toBeGreaterThanOrEqual(9);
    const first = (await hook(ALICE, 1)).body['action_at'];
    // Its own time, so that the Lab shows it as a new warning.
    expect((await culling(ALICE)).warning?.action_at).not.toBe(first);
    expect((await culling(ALICE)).warning?.message).toBe(`Your budget is ${Math.floor(spent * 10)} % used: ${units(spent)} of 10 CU this month; at 100 % no new server can be started.`);
    expect((await hook(ALICE, 2)).body).toMatchObject({ reason: 'budget', action: 'notify' });
  });

  it("tells a server charged to a group about the group's budget", async () => {
    const warning = (await culling(BOB)).warning;
    expect(warning).toMatchObject({ reason: 'budget', action: 'notify', keep_alive: false });
    const spent = (await budgets(BOB)).groups.find((g) => g.name === TEAM)?.spent ?? 0;
    expect(spent).toBeGreaterThanOrEqual(8);
    expect(warning?.message).toMatch(new RegExp(`^The budget of group ${TEAM} is \\d+ % used: [\\d.]+ of 16 CU this month; at 100 % no new server can be started\\.$`));
    expect((await hook(BOB, 1)).body).toMatchObject({ reason: 'budget', profile: 'team' });
  });

  it('takes the notice back when a new period begins', async () => {
    hubTimeIs(Date.parse(PERIOD_END) + 60_000);
    const actions = await budgetActions();
    expect(actions.filter((a) => a.kind === 'clear').map((a) => a.user).sort()).toEqual([ALICE, BOB].sort());
    expect((await culling(ALICE)).warning).toBeNull();
    expect(await message(ALICE)).toBeNull();
  });
});
