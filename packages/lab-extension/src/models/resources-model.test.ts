import { DEFAULT_PROFILES } from '@clusterhub/shared';
import { HubClient } from '../client/hub-client';
import { HubNetworkError, HubNotClusterhubError, HubRequestError } from '../client/errors';
import type { IHubServer } from '../client/hub-models';
import { startStubHub, type IStubHub } from '../testing/stub-hub';
import { ResourcesModel, lifecycleOf, makeSnapshot } from './resources-model';

const PROFILES = DEFAULT_PROFILES.map((p) => ({ ...p, allowed: true }));

function server(overrides: Partial<IHubServer> = {}): IHubServer {
  return {
    name: '',
    ready: true,
    pending: null,
    started: '2026-01-02T03:04:05Z',
    last_activity: null,
    url: '/user/alice/',
    profile: 'mig-1g.5gb',
    lifecycle: 'running',
    ...overrides,
  };
}

describe('snapshot rules', () => {
  it("derives the lifecycle from JupyterHub's flags when the hub sends none", () => {
    expect(lifecycleOf(server({ lifecycle: undefined }))).toBe('running');
    expect(lifecycleOf(server({ lifecycle: undefined, ready: false, pending: 'spawn' }))).toBe('pending-start');
    expect(lifecycleOf(server({ lifecycle: undefined, ready: false, pending: 'stop' }))).toBe('pending-stop');
    expect(lifecycleOf(server({ lifecycle: undefined, ready: false }))).toBe('stopped');
    expect(lifecycleOf(server({ lifecycle: 'failed', ready: false }))).toBe('failed');
  });

  it("finds the server's profile by slug and never guesses one", () => {
    const one = (s: IHubServer): Record<string, IHubServer> => ({ '': s });
    expect(makeSnapshot(one(server()), '', PROFILES).profile?.displayName).toBe('GPU slice (MIG 1g.5gb)');
    expect(makeSnapshot(one(server({ profile: 'gone' })), '', PROFILES)).toMatchObject({ profileSlug: 'gone', profile: null });
    expect(makeSnapshot(one(server({ profile: null })), '', PROFILES)).toMatchObject({ profileSlug: null, profile: null });
    expect(makeSnapshot(one(server()), 'gpu', PROFILES)).toMatchObject({ serversVisible: true, server: null, lifecycle: 'stopped' });
  });

  it("carries what the hub's backend does not apply of the server's profile", () => {
    const limited = PROFILES.map((p) => (p.slug === 'mig-1g.5gb' ? { ...p, notApplied: ['The MIG slice 1g.5gb is not reserved.'] } : p));
    expect(makeSnapshot({ '': server() }, '', limited).notApplied).toEqual(['The MIG slice 1g.5gb is not reserved.']);
    expect(makeSnapshot({ '': server({ profile: 'gpu-1x' }) }, '', limited).notApplied).toEqual([]);
    expect(makeSnapshot(undefined, '', limited).notApplied).toEqual([]);
  });

  it('tells a server the hub hides (no servers in the user model) from one it does not list', () => {
    expect(makeSnapshot(undefined, '', PROFILES)).toMatchObject({ serversVisible: false, server: null, profile: null });
    expect(makeSnapshot({}, '', PROFILES)).toMatchObject({ serversVisible: true, server: null });
  });
});

describe('ResourcesModel against a live HTTP server', () => {
  let hub: IStubHub;
  let client: HubClient;
  let model: ResourcesModel | null = null;

  beforeEach(async () => {
    hub = await startStubHub();
    client = new HubClient({
      hubHost: hub.origin,
      hubPrefix: '/hub/',
      token: 't',
      xsrfToken: () => null,
      fetch: (url, init) => fetch(url, init),
      timeoutMs: 5000,
    });
  });

  afterEach(async () => {
    model?.dispose();
    model = null;
    await hub.close();
  });

  function create(user: string, serverName = ''): ResourcesModel {
    model = new ResourcesModel({ client, user, serverName, standby: () => false });
    return model;
  }

  it('loads the server and its profile, then signals the change', async () => {
    hub.answer('GET', '/hub/api/users/alice', {
      status: 200,
      body: { kind: 'user', name: 'alice', servers: { '': server(), gpu: server({ name: 'gpu', profile: 'gpu-2x' }) } },
    });
    hub.answer('GET', '/hub/api/clusterhub/profiles', { status: 200, body: PROFILES });
    const m = create('alice', 'gpu');
    let changes = 0;
    m.changed.connect(() => (changes += 1));
    expect(m.loading).toBe(true);
    await m.refresh();
    expect(changes).toBe(1);
    expect(m.loading).toBe(false);
    expect(m.error).toBeNull();
    expect(m.snapshot).toMatchObject({ lifecycle: 'running', profileSlug: 'gpu-2x', profile: { kind: 'gpu' } });
  });

  it("loads the owner's budgets beside the server; without read:budgets the rest still shows", async () => {
    const budgets = {
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
      groups: [],
    };
    hub.answer('GET', '/hub/api/users/alice', { status: 200, body: { kind: 'user', name: 'alice', servers: { '': server() } } });
    hub.answer('GET', '/hub/api/clusterhub/profiles', { status: 200, body: PROFILES });
    hub.answer('GET', '/hub/api/clusterhub/budgets/alice', { status: 200, body: budgets });
    const m = create('alice');
    await m.refresh();
    expect(m.snapshot?.budgets).toMatchObject({ user: 'alice', spent: 8, budget: { amount: 10, remaining: 2 }, groups: [] });
    hub.answer('GET', '/hub/api/clusterhub/budgets/alice', {
      status: 403,
      body: { code: 'forbidden', message: 'Action is not authorized with current scopes; requires any of [read:budgets]', status: 403 },
    });
    await m.refresh();
    expect(m.error).toBeNull();
    expect(m.snapshot).toMatchObject({ lifecycle: 'running', budgets: null });
    // An answer of the wrong shape is not shown either.
    hub.answer('GET', '/hub/api/clusterhub/budgets/alice', { status: 200, body: { ...budgets, groups: 'none' } });
    await m.refresh();
    expect(m.snapshot?.budgets).toBeNull();
  });

  it('asks the hub who the caller is when the page names no user', async () => {
    hub.answer('GET', '/hub/api/user', { status: 200, body: { kind: 'user', name: 'bob', scopes: [] } });
    hub.answer('GET', '/hub/api/users/bob', { status: 200, body: { kind: 'user', name: 'bob', servers: { '': server() } } });
    hub.answer('GET', '/hub/api/clusterhub/profiles', { status: 200, body: PROFILES });
    const m = create('');
    await m.refresh();
    expect(m.user).toBe('bob');
    expect(hub.requests.map((r) => r.url)).toContain('/hub/api/users/bob');
  });

  it("keeps the last good data and reports the hub's error when a refresh fails", async () => {
    hub.answer('GET', '/hub/api/users/alice', { status: 200, body: { kind: 'user', name: 'alice', servers: { '': server() } } });
    hub.answer('GET', '/hub/api/clusterhub/profiles', { status: 200, body: PROFILES });
    const m = create('alice');
    await m.refresh();
    hub.answer('GET', '/hub/api/clusterhub/profiles', {
      status: 503,
      body: { code: 'backend_unavailable', message: 'The database is unavailable.', status: 503 },
    });
    await m.refresh();
    expect(m.error).toBeInstanceOf(HubRequestError);
    expect(m.error?.message).toBe('The database is unavailable.');
    expect(m.snapshot?.profileSlug).toBe('mig-1g.5gb');
  });

  it('reports a server the hub does not list', async () => {
    hub.answer('GET', '/hub/api/users/alice', { status: 200, body: { kind: 'user', name: 'alice', servers: {} } });
    hub.answer('GET', '/hub/api/clusterhub/profiles', { status: 200, body: PROFILES });
    const m = create('alice');
    await m.refresh();
    expect(m.snapshot).toMatchObject({ server: null, lifecycle: 'stopped' });
  });

  it('polls once started and stops when disposed', async () => {
    hub.answer('GET', '/hub/api/users/alice', { status: 200, body: { kind: 'user', name: 'alice', servers: { '': server() } } });
    hub.answer('GET', '/hub/api/clusterhub/profiles', { status: 200, body: PROFILES });
    const m = create('alice');
    const first = new Promise<void>((resolve) => m.changed.connect(() => resolve()));
    m.start();
    await first;
    expect(m.snapshot?.lifecycle).toBe('running');
    m.dispose();
    expect(m.isDisposed).toBe(true);
    const seen = hub.requests.length;
    await m.refresh();
    expect(hub.requests.length).toBe(seen);
  });

  it('under a plain JupyterHub (no clusterhub endpoint: 404) says so and stops polling', async () => {
    hub.answer('GET', '/hub/api/users/alice', { status: 200, body: { kind: 'user', name: 'alice', servers: { '': server({ profile: undefined }) } } });
    // What JupyterHub 6.1 answers for an API path it does not have.
    hub.answer('GET', '/hub/api/clusterhub/profiles', { status: 404, body: { status: 404, message: 'Not Found' } });
    const m = (model = new ResourcesModel({ client, user: 'alice', serverName: '', standby: () => false, refreshIntervalSeconds: 0.02 }));
    const first = new Promise<void>((resolve) => m.changed.connect(() => resolve()));
    m.start();
    await first;
    expect(m.notClusterhub).toBe(true);
    expect(m.error).toBeInstanceOf(HubNotClusterhubError);
    expect(m.loading).toBe(false);
    const seen = hub.requests.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(hub.requests.length).toBe(seen);
  });

  it('a 404 for the user (not the clusterhub endpoint) is an ordinary error', async () => {
    hub.answer('GET', '/hub/api/clusterhub/profiles', { status: 200, body: PROFILES });
    const m = create('ghost');
    await m.refresh();
    expect(m.notClusterhub).toBe(false);
    expect(m.error).toBeInstanceOf(HubRequestError);
  });

  it('turns a refused connection into a network error', async () => {
    await hub.close();
    const m = create('alice');
    await m.refresh();
    expect(m.error).toBeInstanceOf(HubNetworkError);
    expect(m.loading).toBe(false);
  });
});
