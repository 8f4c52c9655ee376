/**
 * Never without warning (issue 9, item 5), with real jupyterhub-singleuser servers and the hub's
 * clock moved on by the test (the culler's passes are run by the test). Checked:
 * - a web-idle server is warned before the stop: the server's message, the culling API the Lab
 *   polls, and the webhook, received by a local HTTP receiver with a valid HMAC signature;
 * - the keep-alive (its owner only) takes the warning back, and so does activity the server
 *   reports; warned again when idle again, then stopped with the stop reason `idle`, a message
 *   saying why, the webhook told, and the culling API's last action;
 * - a max-age server is warned (a keep-alive cannot take that back), then stopped with the stop
 *   reason `max-age`.
 */
import { createHmac } from 'node:crypto';
import type { CullingModel, HubConfig } from '@clusterhub/shared';
import { apiCall, errorCode } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { pollUntil, waitForReady } from './harness/singleuser';
import { startWebhookReceiver, type ReceivedEvent, type WebhookReceiver } from '../src/culler/testing/webhook-receiver';
import type { CullAction } from '../src/culler/builtin-culler';

jest.setTimeout(300_000);

const IDLE = 'warn-idle';
const OLD = 'warn-old';
const OTHER = 'warn-other';
const KEY_ENV = 'CLUSTERHUB_TEST_CULLER_HOOK_KEY';
const KEY = 'webhook-key-for-the-test';
const MIN = 60_000;

const PROFILES: HubConfig['profiles'] = [
  { slug: 'cpu', displayName: 'CPU', kind: 'cpu', default: true },
  { slug: 'capped', displayName: 'CPU, four hours at most', kind: 'cpu', cull: { idleTimeoutSeconds: 0, maxAgeSeconds: 4 * 3600 } },
];

/** The REST model of a server (the fields the test reads). */
interface ServerJson {
  readonly ready: boolean;
  readonly started: string | null;
  readonly last_activity: string | null;
  readonly stop_reason: string | null;
  readonly message: string | null;
}

describe('culler warnings before web-idle and max-age stops, real servers', () => {
  let t: TestHub;
  let receiver: WebhookReceiver;
  let offset = 0;
  const tokens = new Map<string, string>();
  const started = new Map<string, number>();

  /** Moves the hub's clock to `ms` (hub time). */
  const hubTimeIs = (ms: number): void => {
    offset = ms - Date.now();
  };
  const hubNow = (): number => Date.now() + offset;
  const pass = async (): Promise<CullAction[]> => {
    const culler = t.hub.culler;
    if (!culler) throw new Error('no culler');
    return culler.cullOnce();
  };
  const server = async (user: string): Promise<ServerJson> => {
    const reply = await apiCall(`${t.apiUrl}/users/${user}?include_stopped_servers=1`, { token: t.adminToken });
    const model = (reply.json as { servers?: Record<string, ServerJson> }).servers?.[''];
    if (!model) throw new Error(`${user} has no default server`);
    return model;
  };
  const culling = async (user: string): Promise<CullingModel> => {
    const reply = await apiCall(`${t.apiUrl}/clusterhub/users/${user}/server/culling`, { token: tokens.get(user) ?? '' });
    expect(reply.status).toBe(200);
    return reply.json as CullingModel;
  };
  const keepAlive = (user: string, token = tokens.get(user) ?? ''): ReturnType<typeof apiCall> =>
    apiCall(`${t.apiUrl}/clusterhub/users/${user}/server/keep-alive`, { method: 'POST', token });
  /** The webhook event of `user` of this kind and reason, once received. */
  const hook = (user: string, event: 'warning' | 'action', nth = 1): Promise<ReceivedEvent> =>
    pollUntil(
      `webhook ${event} #${nth} for ${user}`,
      async () => receiver.events.filter((e) => e.body['user'] === user && e.body['event'] === event)[nth - 1],
      30_000,
      100,
    );
  const signedWithKey = (e: ReceivedEvent): boolean => e.headers['x-clusterhub-signature'] === `sha256=${createHmac('sha256', KEY).update(e.raw).digest('hex')}`;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    process.env[KEY_ENV] = KEY;
    t = await startTestHub({
      config: {
        culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 3600, warningSeconds: 300, webhook: { url: receiver.url, secretEnv: KEY_ENV, timeoutSeconds: 5 } },
        profiles: PROFILES,
        // The servers report their activity at start only (then hourly): the test moves the hub's clock.
        spawner: { environment: { JUPYTERHUB_ACTIVITY_INTERVAL: '3600' } },
      },
      overrides: { clock: () => Date.now() + offset },
    });
    for (const [user, profile] of [
      [IDLE, 'cpu'],
      [OLD, 'capped'],
    ] as const) {
      const token = await t.addUser(user);
      tokens.set(user, token);
      const start = await apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'POST', token, body: { profile } });
      expect([201, 202]).toContain(start.status);
    }
    tokens.set(OTHER, await t.addUser(OTHER));
    for (const user of [IDLE, OLD]) started.set(user, Date.parse(String((await waitForReady(t, user)).started)));
  }, 300_000);

  afterAll(async () => {
    for (const user of [IDLE, OLD]) await apiCall(`${t.apiUrl}/users/${user}/server`, { method: 'DELETE', token: t.adminToken }).catch(() => undefined);
    await t.stop();
    await receiver.close();
    delete process.env[KEY_ENV];
  }, 120_000);

  it('warns an idle server five minutes ahead: message, culling API and a signed webhook event', async () => {
    // Idle since its last activity. Pinned by a report a second ahead of anything the server itself
    // can report (the hub keeps the newest): its own first report, whenever it lands, then changes
    // nothing (it once landed between reading last_activity and the pass, 1 ms later).
    const pinned = new Date(hubNow() + 1000).toISOString();
    const report = await apiCall(`${t.apiUrl}/users/${IDLE}/activity`, { method: 'POST', token: t.adminToken, body: { last_activity: pinned, servers: { '': { last_activity: pinned } } } });
    expect(report.status).toBe(200);
    const t0 = Date.parse((await server(IDLE)).last_activity ?? '');
    expect(t0).toBe(Date.parse(pinned));
    hubTimeIs(t0 + 54 * MIN);
    expect((await pass()).filter((a) => a.user === IDLE)).toEqual([]);
    hubTimeIs(t0 + 55 * MIN);
    expect((await pass()).filter((a) => a.user === IDLE)).toEqual([{ user: IDLE, server: '', reason: 'idle', kind: 'warn', removed: false }]);

    const actionAt = new Date(t0 + 60 * MIN).toISOString();
    const message = `This server will be stopped at ${actionAt.slice(11, 16)} UTC after 60 minutes without activity. Use it or press Keep alive.`;
    expect(await server(IDLE)).toMatchObject({ ready: true, message });
    expect(await culling(IDLE)).toEqual({ user: IDLE, server: '', warning: { reason: 'idle', action: 'stop', action_at: actionAt, message, keep_alive: true }, last_action: null });

    const event = await hook(IDLE, 'warning');
    expect(event.body).toEqual({ event: 'warning', reason: 'idle', action: 'stop', user: IDLE, server: '', profile: 'cpu', action_at: actionAt, message });
    expect(signedWithKey(event)).toBe(true);
    // The max-age server is not due yet.
    expect((await culling(OLD)).warning).toBeNull();
  });

  it('takes the warning back on its owner\'s keep-alive (another user: 404)', async () => {
    const other = await keepAlive(IDLE, tokens.get(OTHER));
    expect([other.status, errorCode(other)]).toEqual([404, 'not_found']);
    const kept = await keepAlive(IDLE);
    expect(kept.status).toBe(200);
    expect(kept.json).toEqual({ user: IDLE, server: '', warning: null, last_action: null });
    expect((await server(IDLE)).message).toBeNull();
    // The keep-alive is activity: no warning until 55 minutes after it.
    const keptAt = hubNow();
    hubTimeIs(keptAt + 54 * MIN);
    expect((await pass()).filter((a) => a.user === IDLE)).toEqual([]);
    hubTimeIs(keptAt + 55 * MIN);
    expect((await pass()).filter((a) => a.user === IDLE).map((a) => a.kind)).toEqual(['warn']);
  });

  it('takes the warning back when the server reports activity', async () => {
    expect((await culling(IDLE)).warning).toMatchObject({ reason: 'idle' });
    // What jupyterhub-singleuser sends, in the hub's time.
    const report = await apiCall(`${t.apiUrl}/users/${IDLE}/activity`, {
      method: 'POST',
      token: t.adminToken,
      body: { last_activity: new Date(hubNow()).toISOString(), servers: { '': { last_activity: new Date(hubNow()).toISOString() } } },
    });
    expect(report.status).toBe(200);
    expect((await culling(IDLE)).warning).toBeNull();
    expect((await server(IDLE)).message).toBeNull();
  });

  it('warns again when idle again, then stops the server with reason idle; the webhook and the culling API say so', async () => {
    const since = Date.parse((await server(IDLE)).last_activity ?? '');
    hubTimeIs(since + 55 * MIN);
    expect((await pass()).filter((a) => a.user === IDLE).map((a) => a.kind)).toEqual(['warn']);
    // A second before: the hub's clock runs on from the time set, so 1 ms before could be past it by the pass.
    hubTimeIs(since + 60 * MIN - 1000);
    expect((await pass()).filter((a) => a.user === IDLE)).toEqual([]);
    hubTimeIs(since + 60 * MIN);
    expect((await pass()).filter((a) => a.user === IDLE)).toEqual([{ user: IDLE, server: '', reason: 'idle', kind: 'stop', removed: false }]);

    const stopped = await server(IDLE);
    expect(stopped).toMatchObject({ ready: false, stop_reason: 'idle' });
    expect(stopped.message).toMatch(/^This server was stopped at \d\d:\d\d UTC after 60 minutes without activity\.$/);
    const state = await culling(IDLE);
    expect(state.warning).toBeNull();
    expect(state.last_action).toMatchObject({ reason: 'idle', message: stopped.message });
    expect(Math.abs(Date.parse(state.last_action?.at ?? '') - hubNow())).toBeLessThan(MIN);

    const warnings = receiver.events.filter((e) => e.body['user'] === IDLE && e.body['event'] === 'warning');
    expect(warnings).toHaveLength(3);
    const action = await hook(IDLE, 'action');
    expect(action.body).toEqual({ event: 'action', reason: 'idle', action: 'stop', user: IDLE, server: '', profile: 'cpu', at: state.last_action?.at, message: stopped.message });
    expect(signedWithKey(action)).toBe(true);
  });

  it('warns a server at its maximum age (a keep-alive cannot take that back), then stops it with reason max-age', async () => {
    const t0 = started.get(OLD) ?? 0;
    hubTimeIs(t0 + 235 * MIN);
    expect((await pass()).filter((a) => a.user === OLD)).toEqual([{ user: OLD, server: '', reason: 'max-age', kind: 'warn', removed: false }]);
    const warning = (await culling(OLD)).warning;
    expect(warning).toMatchObject({ reason: 'max-age', action: 'stop', action_at: new Date(t0 + 240 * MIN).toISOString(), keep_alive: false });
    expect(warning?.message).toMatch(/^This server will be stopped at \d\d:\d\d UTC: it then reaches its maximum age of 4 hours\. It cannot be kept alive; save your work before then\.$/);
    expect((await hook(OLD, 'warning')).body).toMatchObject({ reason: 'max-age', action: 'stop', profile: 'capped' });

    const kept = await keepAlive(OLD);
    expect(kept.status).toBe(200);
    expect((kept.json as CullingModel).warning).toEqual(warning);
    expect((await server(OLD)).message).toBe(warning?.message);

    hubTimeIs(t0 + 240 * MIN);
    expect((await pass()).filter((a) => a.user === OLD)).toEqual([{ user: OLD, server: '', reason: 'max-age', kind: 'stop', removed: false }]);
    const stopped = await server(OLD);
    expect(stopped).toMatchObject({ ready: false, stop_reason: 'max-age' });
    expect(stopped.message).toMatch(/^This server was stopped at \d\d:\d\d UTC: it reached its maximum age \(it ran for 4 hours\)\.$/);
    expect((await culling(OLD)).last_action).toMatchObject({ reason: 'max-age', message: stopped.message });
    expect((await hook(OLD, 'action')).body).toMatchObject({ event: 'action', reason: 'max-age', action: 'stop' });
    // A stopped server cannot be kept alive.
    const late = await keepAlive(OLD);
    expect([late.status, errorCode(late)]).toEqual([424, 'server_not_running']);
  });
});
