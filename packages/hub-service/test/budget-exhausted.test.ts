/**
 * The 100 % action (`budgets.onExhausted`, issue 8, item 6) with real jupyterhub-singleuser servers
 * and the hub's clock set by the test (the culler's passes are run by the test). Checked:
 * - stop: a server whose budget is used up is warned (reason `budget`, the time of the action in
 *   the message and the culling API, no keep-alive: a keep-alive leaves it), then at that time
 *   stopped with the stop reason `budget`, a message saying why, the webhook told;
 * - downshift: warned the same way, then moved to the cheaper profile with its files; on the
 *   cheaper profile nothing more happens.
 */
import type { CullingModel, HubConfig } from '@clusterhub/shared';
import { apiCall } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { pollUntil, waitForReady } from './harness/singleuser';
import { startWebhookReceiver, type ReceivedEvent, type WebhookReceiver } from '../src/culler/testing/webhook-receiver';
import type { CullAction } from '../src/culler/builtin-culler';

jest.setTimeout(300_000);

const HOUR = 3_600_000;

interface ServerJson {
  readonly ready: boolean;
  readonly profile: string | null;
  readonly started: string | null;
  readonly stop_reason: string | null;
  readonly message: string | null;
}

/** A hub with one user's server on `profile` and the budget rules of `budgets`; the test moves its clock. */
function budgetHub(user: string, profile: string, profiles: HubConfig['profiles'], budgets: HubConfig['budgets']) {
  const ctx = {
    t: null as unknown as TestHub,
    receiver: null as unknown as WebhookReceiver,
    token: '',
    started: 0,
    offset: Date.parse('2026-11-10T08:00:00Z') - Date.now(),
  };
  beforeAll(async () => {
    ctx.receiver = await startWebhookReceiver();
    ctx.t = await startTestHub({
      config: { culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 0, webhook: { url: ctx.receiver.url, timeoutSeconds: 5 } }, budgets, profiles },
      overrides: { clock: () => Date.now() + ctx.offset },
    });
    ctx.token = await ctx.t.addUser(user);
    const start = await apiCall(`${ctx.t.apiUrl}/users/${user}/server`, { method: 'POST', token: ctx.token, body: { profile } });
    expect([201, 202]).toContain(start.status);
    ctx.started = Date.parse(String((await waitForReady(ctx.t, user)).started));
  }, 300_000);
  afterAll(async () => {
    await apiCall(`${ctx.t.apiUrl}/users/${user}/server`, { method: 'DELETE', token: ctx.t.adminToken }).catch(() => undefined);
    await ctx.t.stop();
    await ctx.receiver.close();
  }, 120_000);
  return {
    ctx,
    hubTimeIs: (ms: number): void => {
      ctx.offset = ms - Date.now();
    },
    budgetActions: async (): Promise<CullAction[]> => {
      const culler = ctx.t.hub.culler;
      if (!culler) throw new Error('no culler');
      return (await culler.cullOnce()).filter((a) => a.reason === 'budget');
    },
    server: async (): Promise<ServerJson> => {
      const reply = await apiCall(`${ctx.t.apiUrl}/users/${user}?include_stopped_servers=1`, { token: ctx.t.adminToken });
      const model = (reply.json as { servers?: Record<string, ServerJson> }).servers?.[''];
      if (!model) throw new Error(`${user} has no default server`);
      return model;
    },
    culling: async (): Promise<CullingModel> => {
      const reply = await apiCall(`${ctx.t.apiUrl}/clusterhub/users/${user}/server/culling`, { token: ctx.token });
      expect(reply.status).toBe(200);
      return reply.json as CullingModel;
    },
    hook: (event: 'warning' | 'action'): Promise<ReceivedEvent> =>
      pollUntil(`webhook ${event} for ${user}`, async () => ctx.receiver.events.find((e) => e.body['user'] === user && e.body['event'] === event), 30_000, 100),
  };
}

describe('budgets.onExhausted: stop, real server', () => {
  const USER = 'exhaust-stop';
  const hub = budgetHub(USER, 'cpu', [{ slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 2 }], {
    users: { [USER]: 10 },
    warnAtPercent: [],
    onExhausted: { action: 'stop', graceSeconds: 600 },
  });

  it('keeps the server below 100 %', async () => {
    hub.hubTimeIs(hub.ctx.started + 4.5 * HOUR);
    expect(await hub.budgetActions()).toEqual([]);
    expect((await hub.culling()).warning).toBeNull();
  });

  it('warns at 100 % with the time of the stop; a keep-alive leaves the warning', async () => {
    hub.hubTimeIs(hub.ctx.started + 5.1 * HOUR);
    expect(await hub.budgetActions()).toEqual([{ user: USER, server: '', reason: 'budget', kind: 'warn', removed: false }]);
    const warning = (await hub.culling()).warning;
    expect(warning).toMatchObject({ reason: 'budget', action: 'stop', keep_alive: false });
    expect(warning?.message).toMatch(/^Your budget is used up: 10\.\d+ of 10 CU this month\. This server will be stopped at \d\d:\d\d UTC \(in 10 minutes\)\.$/);
    expect(warning?.message).toContain(`at ${(warning?.action_at ?? '').slice(11, 16)} UTC`);
    expect((await hub.server()).message).toBe(warning?.message);
    expect((await hub.hook('warning')).body).toMatchObject({ reason: 'budget', action: 'stop', action_at: warning?.action_at, message: warning?.message });
    const kept = await apiCall(`${hub.ctx.t.apiUrl}/clusterhub/users/${USER}/server/keep-alive`, { method: 'POST', token: hub.ctx.token });
    expect((kept.json as CullingModel).warning).toEqual(warning);
  });

  it('stops the server at that time with the stop reason budget', async () => {
    const actionAt = Date.parse((await hub.culling()).warning?.action_at ?? '');
    // A second before: the hub's clock runs on from the time set, so 1 ms before could be past it by the pass.
    hub.hubTimeIs(actionAt - 1000);
    expect(await hub.budgetActions()).toEqual([]);
    hub.hubTimeIs(actionAt);
    expect(await hub.budgetActions()).toEqual([{ user: USER, server: '', reason: 'budget', kind: 'stop', removed: false }]);
    const stopped = await hub.server();
    expect(stopped).toMatchObject({ ready: false, stop_reason: 'budget' });
    expect(stopped.message).toMatch(/^This server was stopped at \d\d:\d\d UTC: your budget is used up\.$/);
    expect((await hub.culling()).last_action).toMatchObject({ reason: 'budget', message: stopped.message });
    expect((await hub.hook('action')).body).toMatchObject({ event: 'action', reason: 'budget', action: 'stop', message: stopped.message });
  });
});

describe('budgets.onExhausted: downshift, real server', () => {
  const USER = 'exhaust-down';
  const hub = budgetHub(
    USER,
    'big',
    [
      { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true, pricePerHour: 0.5 },
      { slug: 'big', displayName: 'Big CPU', kind: 'cpu', pricePerHour: 4 },
    ],
    { users: { [USER]: 10 }, warnAtPercent: [], onExhausted: { action: 'downshift', downshiftTo: 'cpu', graceSeconds: 300 } },
  );
  const serverUrl = (): string => `${hub.ctx.t.publicUrl}/user/${USER}/`;

  it('warns at 100 %, then moves the server to the cheaper profile with its files', async () => {
    const file = `${serverUrl()}api/contents/budget-kept.txt`;
    const put = await apiCall(file, { method: 'PUT', token: hub.ctx.token, body: { type: 'file', format: 'text', content: 'written on Big CPU' } });
    expect([200, 201]).toContain(put.status);

    hub.hubTimeIs(hub.ctx.started + 2.6 * HOUR);
    expect(await hub.budgetActions()).toEqual([{ user: USER, server: '', reason: 'budget', kind: 'warn', removed: false }]);
    const warning = (await hub.culling()).warning;
    expect(warning).toMatchObject({ reason: 'budget', action: 'downshift', keep_alive: false });
    expect(warning?.message).toMatch(/^Your budget is used up: 10\.\d+ of 10 CU this month\. This server will be moved to CPU \(your files stay as they are\) at \d\d:\d\d UTC \(in 5 minutes\)\.$/);

    hub.hubTimeIs(Date.parse(warning?.action_at ?? ''));
    expect(await hub.budgetActions()).toEqual([{ user: USER, server: '', reason: 'budget', kind: 'downshift', removed: false }]);
    const moved = await hub.server();
    expect(moved).toMatchObject({ ready: true, profile: 'cpu' });
    expect(moved.message).toMatch(/^This server was moved to CPU at \d\d:\d\d UTC: your budget is used up; your files are as you left them\.$/);
    expect(await hub.culling()).toEqual({ user: USER, server: '', warning: null, last_action: { reason: 'budget', at: moved.started, message: moved.message } });
    expect((await hub.hook('action')).body).toMatchObject({ reason: 'budget', action: 'downshift' });

    await waitForReady(hub.ctx.t, USER);
    const read = await apiCall(`${file}?content=1`, { token: hub.ctx.token });
    expect((read.json as { content?: string }).content).toBe('written on Big CPU');
  });

  it('leaves the server on the cheaper profile alone', async () => {
    hub.hubTimeIs(hub.ctx.started + 6 * HOUR);
    expect(await hub.budgetActions()).toEqual([]);
    expect((await hub.culling()).warning).toBeNull();
  });
});
