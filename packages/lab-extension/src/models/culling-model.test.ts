import type { CullWarningModel, CullingModel as CullingWire } from '@clusterhub/shared';
import { HubClient } from '../client/hub-client';
import { isHubCulling } from '../client/guards';
import { startStubHub, type IStubHub } from '../testing/stub-hub';
import { CullingModel, warningKey, type ISeenStore } from './culling-model';

const CULLING = '/hub/api/clusterhub/users/alice/server/culling';
const KEEP_ALIVE = '/hub/api/clusterhub/users/alice/server/keep-alive';

const IDLE_WARNING: CullWarningModel = {
  reason: 'idle',
  action: 'stop',
  action_at: '2026-11-30T14:20:00.000Z',
  message: 'This server will be stopped at 14:20 UTC after 60 minutes without activity. Use it or press Keep alive.',
  keep_alive: true,
};
const MOVED = { reason: 'gpu-idle' as const, at: '2026-11-30T13:00:00.000Z', message: 'Your GPU server was moved to CPU at 13:00 UTC after 30 minutes without GPU use; your files are as you left them.' };

function culling(overrides: Partial<CullingWire> = {}): CullingWire {
  return { user: 'alice', server: '', warning: null, last_action: null, ...overrides };
}

/** A Map standing in for the browser's localStorage. */
function memoryStore(): ISeenStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, getItem: (k) => values.get(k) ?? null, setItem: (k, v) => void values.set(k, v) };
}

describe('the culling model guard', () => {
  it('accepts the documented answers and refuses malformed ones', () => {
    expect(isHubCulling(culling())).toBe(true);
    expect(isHubCulling(culling({ warning: IDLE_WARNING, last_action: MOVED }))).toBe(true);
    expect(isHubCulling(culling({ last_action: { ...MOVED, message: null } }))).toBe(true);
    expect(isHubCulling({ ...culling(), warning: { ...IDLE_WARNING, reason: 'bored' } })).toBe(false);
    expect(isHubCulling({ ...culling(), warning: { ...IDLE_WARNING, action_at: 'soon' } })).toBe(false);
    expect(isHubCulling({ ...culling(), warning: { ...IDLE_WARNING, keep_alive: 'yes' } })).toBe(false);
    expect(isHubCulling({ user: 'alice', server: '', warning: null })).toBe(false);
  });

  it('keys a warning by its reason and time, so a new one is shown again', () => {
    expect(warningKey(null)).toBeNull();
    expect(warningKey(IDLE_WARNING)).toBe('idle@2026-11-30T14:20:00.000Z');
    expect(warningKey({ ...IDLE_WARNING, action_at: '2026-11-30T15:20:00.000Z' })).not.toBe(warningKey(IDLE_WARNING));
  });
});

describe('CullingModel against a live HTTP server', () => {
  let hub: IStubHub;
  let client: HubClient;
  let model: CullingModel | null = null;

  beforeEach(async () => {
    hub = await startStubHub();
    client = new HubClient({ hubHost: hub.origin, hubPrefix: '/hub/', token: 't', xsrfToken: () => null, fetch: (url, init) => fetch(url, init), timeoutMs: 5000 });
  });

  afterEach(async () => {
    model?.dispose();
    model = null;
    await hub.close();
  });

  function create(seen?: ISeenStore): CullingModel {
    model = new CullingModel({ client, user: 'alice', serverName: '', ...(seen ? { seen } : {}) });
    return model;
  }

  it('signals a warning once, again when it changes, and null when it is taken back', async () => {
    const m = create();
    const seen: (CullWarningModel | null)[] = [];
    m.warningChanged.connect((_, w) => seen.push(w));
    hub.answer('GET', CULLING, { status: 200, body: culling({ warning: IDLE_WARNING }) });
    await m.refresh();
    await m.refresh();
    expect(seen).toEqual([IDLE_WARNING]);
    const later = { ...IDLE_WARNING, reason: 'max-age' as const, action: 'stop' as const, keep_alive: false, action_at: '2026-11-30T18:00:00.000Z' };
    hub.answer('GET', CULLING, { status: 200, body: culling({ warning: later }) });
    await m.refresh();
    hub.answer('GET', CULLING, { status: 200, body: culling() });
    await m.refresh();
    expect(seen).toEqual([IDLE_WARNING, later, null]);
    expect(m.warning).toBeNull();
  });

  it('keeps the server alive with a POST and takes the culling state from its answer', async () => {
    const m = create();
    hub.answer('GET', CULLING, { status: 200, body: culling({ warning: IDLE_WARNING }) });
    await m.refresh();
    const changes: (CullWarningModel | null)[] = [];
    m.warningChanged.connect((_, w) => changes.push(w));
    hub.answer('POST', KEEP_ALIVE, { status: 200, body: culling() });
    await expect(m.keepAlive()).resolves.toBeNull();
    expect(changes).toEqual([null]);
    expect(hub.requests.map((r) => `${r.method} ${r.url}`).slice(-1)).toEqual([`POST ${KEEP_ALIVE}`]);
  });

  it("rejects a refused keep-alive with the hub's code and keeps the warning", async () => {
    const m = create();
    hub.answer('GET', CULLING, { status: 200, body: culling({ warning: IDLE_WARNING }) });
    await m.refresh();
    hub.answer('POST', KEEP_ALIVE, { status: 424, body: { code: 'server_not_running', message: 'The server is not running.', status: 424 } });
    await expect(m.keepAlive()).rejects.toMatchObject({ code: 'server_not_running', status: 424 });
    expect(m.warning).toEqual(IDLE_WARNING);
  });

  it('shows the last action once, and not again on the next visit', async () => {
    const store = memoryStore();
    hub.answer('GET', CULLING, { status: 200, body: culling({ last_action: MOVED }) });
    const first = create(store);
    const shown: string[] = [];
    first.lastActionToShow.connect((_, last) => shown.push(last.message ?? ''));
    await first.refresh();
    await first.refresh();
    expect(shown).toEqual([MOVED.message]);
    first.dispose();

    // The next page load (a new model over the same storage) stays quiet; a newer action is shown.
    const next = create(store);
    next.lastActionToShow.connect((_, last) => shown.push(last.message ?? ''));
    await next.refresh();
    expect(shown).toEqual([MOVED.message]);
    const newer = { ...MOVED, at: '2026-12-01T09:00:00.000Z', message: 'This server was stopped at 09:00 UTC after 60 minutes without activity.' };
    hub.answer('GET', CULLING, { status: 200, body: culling({ last_action: newer }) });
    await next.refresh();
    expect(shown).toEqual([MOVED.message, newer.message]);
  });

  it('stops asking a hub without the culling endpoint (404), and keeps asking after other errors', async () => {
    const m = create();
    hub.answer('GET', CULLING, { status: 500, body: { code: 'internal_error', message: 'boom', status: 500 } });
    await m.refresh();
    expect(m.unavailable).toBe(false);
    hub.answer('GET', CULLING, { status: 404, body: { code: 'not_found', message: 'nope', status: 404 } });
    await m.refresh();
    expect(m.unavailable).toBe(true);
    const asked = hub.requests.length;
    await m.refresh();
    expect(hub.requests.length).toBe(asked);
  });

  it('refuses a malformed answer without signalling anything', async () => {
    const m = create();
    const seen: unknown[] = [];
    m.warningChanged.connect((_, w) => seen.push(w));
    hub.answer('GET', CULLING, { status: 200, body: { user: 'alice', server: '', warning: { reason: 'idle' }, last_action: null } });
    await m.refresh();
    expect(seen).toEqual([]);
    expect(m.warning).toBeNull();
  });
});
